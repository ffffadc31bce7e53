from django.urls import path

from orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<int:pk>/", views.unit_detail, name="unit"),
    path("export/", views.unit_export, name="export"),
    path("import/", views.unit_import, name="import"),
    path("import/template/", views.unit_import_template, name="import_template"),
    path("rules/", views.rule_list, name="rules"),
]
