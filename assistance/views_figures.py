"""The figures pages (being built)."""

from django.http import Http404


def figures(request, pk=None):
    raise Http404
