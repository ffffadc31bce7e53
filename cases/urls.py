"""Every page of the demands and disputes area, in one place."""

from django.urls import include, path

from cases import views

app_name = "cases"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/export/", views.enterprise_export, name="enterprise_export"),
    path("enterprises/new/", views.enterprise_new, name="enterprise_new"),
    path("enterprises/import/", views.enterprise_import, name="enterprise_import"),
    path("enterprises/import/template/", views.import_template, name="enterprise_import_template"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/subcontracts/", views.subcontract_add, name="subcontract_add"),
    path("projects/<int:pk>/subcontracts/<int:node_pk>/", views.subcontract_change, name="subcontract_change"),
    # Each part of the area keeps its own pages; all are in the ``cases`` namespace.
    path("", include("cases.demand_urls")),
    path("", include("cases.dispute_urls")),
    path("", include("cases.letter_urls")),
    path("", include("cases.figure_urls")),
]
