from checklists import views_documents, views_figures, views_items, views_lists, views_problems

app_name = "checklists"
urlpatterns = (
    views_lists.urlpatterns
    + views_items.urlpatterns
    + views_documents.urlpatterns
    + views_figures.urlpatterns
    + views_problems.urlpatterns
)
