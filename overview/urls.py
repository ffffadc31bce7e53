"""The leaders' overview (驾驶舱) and the weekly digest: they read what the areas offer through registries."""

from django.urls import path

from overview import digest_views

app_name = "overview"

urlpatterns = [
    path("digest/<str:week>/", digest_views.digest_page, name="digest"),
]
