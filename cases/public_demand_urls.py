"""Worker-facing pages (no log-in) of the demands part (namespace ``worker``)."""

from django.urls import path

from cases import public_demands

urlpatterns = [
    path("demand/", public_demands.follow, name="demand_follow"),
    path("demand/sent/", public_demands.sent, name="demand_sent"),
    path("demand/<str:key>/", public_demands.send, name="demand_form"),
]
