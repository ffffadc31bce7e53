"""Every page of the evidence library, in one place."""

from django.urls import path

from evidence import views

app_name = "evidence"
urlpatterns = [
    path("<int:pk>/", views.download, name="file"),
]
