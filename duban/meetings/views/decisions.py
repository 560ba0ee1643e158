"""Placeholder: being written."""

from django.http import Http404


def decisions(request, *args, **kwargs):
    raise Http404


def to_items(request, *args, **kwargs):
    raise Http404
