"""Pages of the letters part of the demands and disputes area (namespace ``cases``)."""

urlpatterns = []
