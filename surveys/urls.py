from surveys import views_builder, views_polls, views_stats, views_units

app_name = "surveys"
urlpatterns = views_builder.urlpatterns + views_units.urlpatterns + views_polls.urlpatterns + views_stats.urlpatterns
