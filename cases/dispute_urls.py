"""Pages of the labour disputes part of the area (namespace ``cases``)."""

from django.urls import path

from cases import views_disputes

urlpatterns = [
    path("disputes/", views_disputes.dispute_list, name="disputes"),
    path("disputes/export/", views_disputes.dispute_export, name="dispute_export"),
    path("disputes/new/", views_disputes.dispute_new, name="dispute_new"),
    path("disputes/grid/", views_disputes.dispute_grid, name="dispute_grid"),
    path("disputes/<int:pk>/", views_disputes.dispute_detail, name="dispute"),
    path("disputes/<int:pk>/edit/", views_disputes.dispute_edit, name="dispute_edit"),
    path("disputes/<int:pk>/follow-up/", views_disputes.follow_up_link, name="dispute_follow_up"),
    path("disputes/<int:pk>/<slug:action>/", views_disputes.dispute_act, name="dispute_act"),
    path("enterprises/<int:pk>/disputes/", views_disputes.enterprise_disputes, name="enterprise_disputes"),
]
