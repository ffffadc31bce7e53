from django.http import HttpResponse
from django.urls import path


def round_detail(request, pk):
    return HttpResponse("")


urlpatterns = [path("rounds/<int:pk>/", round_detail, name="round")]
