"""Pages of the figures part of the demands and disputes area (namespace ``cases``)."""

from django.urls import path

from cases import views_figures, views_imports

urlpatterns = [
    path("figures/", views_figures.figures_page, name="figures"),
    path("figures/export/", views_figures.figures_export, name="figures_export"),
    path("cases-import/", views_imports.cases_import, name="cases_import"),
    path("cases-import/template/", views_imports.cases_import_template, name="cases_import_template"),
]
