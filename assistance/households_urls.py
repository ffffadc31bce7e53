"""Household files and the archive workflow (namespace ``assistance``)."""

from django.urls import path

from assistance import views_households, views_standards

urlpatterns = [
    path("households/", views_households.household_list, name="households"),
    path("households/new/", views_households.household_new, name="household_new"),
    path("households/<int:pk>/", views_households.household_detail, name="household"),
    path("households/<int:pk>/edit/", views_households.household_edit, name="household_edit"),
    path("households/<int:pk>/members/", views_households.member_add, name="member_add"),
    path("households/<int:pk>/do/<slug:action>/", views_households.household_act, name="household_act"),
    path("households/<int:pk>/checks/<int:check_pk>/", views_households.check_answer, name="check_answer"),
    path(
        "households/<int:pk>/objections/<int:objection_pk>/",
        views_households.objection_handle,
        name="objection_handle",
    ),
    path("households/<int:pk>/same-as/<int:other_pk>/", views_households.duplicates, name="duplicates"),
    path("access/", views_households.access_requests, name="access_requests"),
    path("access/<int:access_pk>/", views_households.access_view, name="access_view"),
    path("apply-code/", views_households.apply_code, name="apply_code"),
    path("standards/", views_standards.standards, name="standards"),
]
