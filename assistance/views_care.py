"""The care pages (being built)."""

from django.http import Http404


def aid_list(request, pk=None):
    raise Http404


def certificate_list(request, pk=None):
    raise Http404


def pairing_list(request, pk=None):
    raise Http404
