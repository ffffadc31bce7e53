"""The archive's public pages (no log-in): the 公示 of a household, with objections, and a worker's own
application from a phone."""

urlpatterns = []
app_name = "publicity"
