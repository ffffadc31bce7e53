"""Every page of the hardship archive (namespace ``assistance``); each part keeps its own."""

from django.urls import include, path

app_name = "assistance"
urlpatterns = [
    path("", include("assistance.households_urls")),
    path("", include("assistance.care_urls")),
    path("", include("assistance.figures_urls")),
]
