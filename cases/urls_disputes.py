"""Pages of the labour disputes part of the area (namespace ``cases``)."""

from django.urls import path

from cases import views_disputes

urlpatterns = [
    path("disputes/", views_disputes.dispute_list, name="disputes"),
    path("disputes/new/", views_disputes.dispute_new, name="dispute_new"),
    path("disputes/<int:pk>/", views_disputes.dispute_detail, name="dispute"),
]
