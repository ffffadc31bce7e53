"""The archive's public pages (no log-in): the 公示 of a household, with objections, and a worker's own
application from a phone."""

from django.urls import path

from assistance import public

app_name = "publicity"
urlpatterns = [
    path("apply/<str:token>/", public.apply, name="apply"),
    path("apply/<str:token>/done/", public.applied, name="applied"),
    path("<slug:slug>/", public.notice, name="notice"),
    path("<slug:slug>/objection/", public.objection, name="objection"),
]
