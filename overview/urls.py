"""The leaders' overview (驾驶舱) and the weekly digest: they read what the areas offer through registries."""

app_name = "overview"

urlpatterns = []
