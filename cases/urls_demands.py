"""Pages of the demands part of the area (namespace ``cases``)."""

from django.urls import path

from cases import views_demands

urlpatterns = [
    path("demands/", views_demands.demand_list, name="demands"),
    path("demands/new/", views_demands.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views_demands.demand_detail, name="demand"),
]
