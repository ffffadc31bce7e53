from scoring import views_events, views_results, views_rounds, views_rubrics, views_self

app_name = "scoring"
urlpatterns = (
    views_rubrics.urlpatterns
    + views_events.urlpatterns
    + views_rounds.urlpatterns
    + views_self.urlpatterns
    + views_results.urlpatterns
)
