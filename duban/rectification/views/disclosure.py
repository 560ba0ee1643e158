"""PLACEHOLDER: replaced by the area owner."""

from django.http import Http404


def disclosure_index(request, *args, **kwargs):
    raise Http404


def disclosure_page(request, *args, **kwargs):
    raise Http404


def disclosure_settings(request, *args, **kwargs):
    raise Http404


def public_page(request, *args, **kwargs):
    raise Http404
