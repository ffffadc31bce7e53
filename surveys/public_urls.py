"""The worker-facing poll pages (no log-in)."""

from django.urls import path

from surveys import public

app_name = "poll"
urlpatterns = [
    path("<str:slug>/", public.open_link, name="open"),
    path("<str:slug>/thanks/", public.thanks, name="thanks"),
    path("<str:slug>/<str:token>/", public.token_link, name="token"),
]
