"""Every page of the hardship archive (namespace ``assistance``); each part keeps its own."""

from django.urls import include, path

app_name = "assistance"
urlpatterns = [
    path("", include("assistance.urls_households")),
    path("", include("assistance.urls_care")),
    path("", include("assistance.urls_figures")),
]
