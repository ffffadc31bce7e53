"""Pages of the disputes part of the demands and disputes area (namespace ``cases``)."""

urlpatterns = []
