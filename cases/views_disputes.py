"""The disputes pages (being built)."""

from django.http import Http404


def dispute_list(request, pk=None):
    raise Http404


def dispute_new(request, pk=None):
    raise Http404


def dispute_detail(request, pk=None):
    raise Http404
