"""The worker-facing pages of the demands and disputes area (no log-in): a demand sent from a phone and followed
with its receipt code, and the follow-up question after a dispute's agreement."""

from django.urls import include, path

app_name = "worker"
urlpatterns = [
    path("", include("cases.public_demand_urls")),
    path("", include("cases.public_dispute_urls")),
]
