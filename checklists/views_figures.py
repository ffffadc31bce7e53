"""Pages of the close-out area (filled in by its own module)."""

urlpatterns = []
