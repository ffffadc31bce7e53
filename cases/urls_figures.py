"""Pages of the figures part of the demands and disputes area (namespace ``cases``)."""

urlpatterns = []
