"""The letters pages (being built)."""

from django.http import Http404


def letter_list(request, pk=None):
    raise Http404


def letter_detail(request, pk=None):
    raise Http404
