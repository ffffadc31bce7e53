"""The archive's figures, its API-free downloads and its imports (namespace ``assistance``)."""

from django.urls import path

from assistance import views_figures, views_io

urlpatterns = [
    path("figures/", views_figures.figures_page, name="figures"),
    path("figures/export/", views_figures.figures_export, name="figures_export"),
    path("export/households/", views_io.households_export, name="households_export"),
    path("export/aid/", views_io.aid_export, name="figures_aid_export"),
    path("import/households/", views_io.households_import, name="households_import"),
    path("import/households/template/", views_io.households_template, name="households_import_template"),
    path("import/aid/", views_io.aid_import, name="aid_import"),
    path("import/aid/template/", views_io.aid_template, name="aid_import_template"),
]
