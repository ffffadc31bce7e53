"""Worker-facing pages (no log-in) of the disputes part (namespace ``worker``): the follow-up question."""

from django.urls import path

from cases import public_disputes

urlpatterns = [
    path("f/<str:code>/", public_disputes.follow_up, name="follow_up"),
]
