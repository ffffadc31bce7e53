"""Every page of the checklists area, in one place."""

from django.urls import path

from checklists import views_documents, views_figures, views_items, views_lists, views_problems

app_name = "checklists"
urlpatterns = [
    # views_lists
    path("", views_lists.checklist_list, name="lists"),
    path("export/", views_lists.checklist_export, name="list_export"),
    path("new/", views_lists.checklist_new, name="list_new"),
    path("<int:pk>/", views_lists.checklist_detail, name="list"),
    path("categories/", views_lists.categories, name="categories"),
    path("import/", views_lists.checklist_import, name="import"),
    path("import/template/", views_lists.import_template, name="import_template"),
    # views_items
    path("items/", views_items.item_list, name="items"),
    path("items/export/", views_items.item_export, name="items_export"),
    path("items/<int:pk>/", views_items.item_detail, name="item"),
    path("items/<int:pk>/apply/", views_items.item_apply, name="item_apply"),
    path("items/<int:pk>/extend/", views_items.item_extend, name="item_extend"),
    path("items/<int:pk>/verify/", views_items.item_verify, name="item_verify"),
    path("items/<int:pk>/evaluate/", views_items.item_evaluate, name="item_evaluate"),
    path("items/<int:pk>/extension/", views_items.item_decide_extension, name="item_decide_extension"),
    path("items/<int:pk>/urge/", views_items.item_urge, name="item_urge"),
    path("items/<int:pk>/evidence/", views_items.item_evidence, name="item_evidence"),
    # views_documents
    path("documents/<int:pk>/", views_documents.document_download, name="document"),
    path("documents/<int:pk>/print/", views_documents.document_print, name="document_print"),
    # views_figures
    path("figures/", views_figures.figures_page, name="figures"),
    path("figures/export/", views_figures.figures_export, name="figures_export"),
    path("figures/load/", views_figures.figures_load, name="figures_load"),
    # views_problems
    path("problems/<int:questionnaire_pk>/", views_problems.problem_lists, name="problems"),
]
