"""Public worker-poll pages (no log-in)."""

urlpatterns = []
