"""The leaders' overview (驾驶舱) and the weekly digest: they read what the areas offer through registries."""

from django.urls import path

from overview import digest_views, views

app_name = "overview"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("wall/", views.wall, name="wall"),
    path("wall/figures/", views.wall_figures, name="wall_figures"),
    path("supervise/", views.supervise, name="supervise"),
    path("digest/<str:week>/", digest_views.digest_page, name="digest"),
]
