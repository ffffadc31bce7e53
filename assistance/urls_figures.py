"""The archive's figures (namespace ``assistance``)."""

from django.urls import path

from assistance import views_figures

urlpatterns = [
    path("figures/", views_figures.figures, name="figures"),
]
