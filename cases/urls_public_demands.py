"""Worker-facing pages (no log-in) of the demands part (namespace ``worker``)."""

urlpatterns = []
