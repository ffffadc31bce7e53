"""Pages of the surveys area (filled in by its own module)."""

urlpatterns = []
