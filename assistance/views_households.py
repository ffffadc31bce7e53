"""The households pages (being built)."""

from django.http import Http404


def household_list(request, pk=None):
    raise Http404


def household_new(request, pk=None):
    raise Http404


def household_detail(request, pk=None):
    raise Http404
