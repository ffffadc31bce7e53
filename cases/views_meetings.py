"""The meetings pages (being built)."""

from django.http import Http404


def meeting_list(request, pk=None):
    raise Http404


def meeting_detail(request, pk=None):
    raise Http404
