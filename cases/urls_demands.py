"""Pages of the demands part of the demands and disputes area (namespace ``cases``)."""

urlpatterns = []
