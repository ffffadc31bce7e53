"""Worker-facing pages (no log-in) of the disputes part (namespace ``worker``)."""

urlpatterns = []
