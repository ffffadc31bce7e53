"""The demands pages (being built)."""

from django.http import Http404


def demand_list(request, pk=None):
    raise Http404


def demand_new(request, pk=None):
    raise Http404


def demand_detail(request, pk=None):
    raise Http404
