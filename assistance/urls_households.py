"""Household files and the archive workflow (namespace ``assistance``)."""

from django.urls import path

from assistance import views_households

urlpatterns = [
    path("households/", views_households.household_list, name="households"),
    path("households/new/", views_households.household_new, name="household_new"),
    path("households/<int:pk>/", views_households.household_detail, name="household"),
]
