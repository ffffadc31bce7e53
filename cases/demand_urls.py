"""Pages of the demands part of the area (namespace ``cases``)."""

from django.urls import path

from cases import views_demands

urlpatterns = [
    path("demands/", views_demands.demand_list, name="demands"),
    path("demands/export/", views_demands.demand_export, name="demand_export"),
    path("demands/new/", views_demands.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views_demands.demand_detail, name="demand"),
    path("demands/<int:pk>/slip/", views_demands.demand_slip, name="demand_slip"),
    path("demands/<int:pk>/<slug:action>/", views_demands.demand_action, name="demand_action"),
    path("enterprises/<int:pk>/demand-poster/", views_demands.demand_poster, name="demand_poster"),
]
