from django.http import HttpResponse
from django.urls import path


def event_detail(request, pk):
    return HttpResponse("")


urlpatterns = [path("events/<int:pk>/", event_detail, name="event")]
