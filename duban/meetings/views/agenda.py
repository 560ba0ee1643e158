"""Placeholder: being written."""

from django.http import Http404


def agenda(request, *args, **kwargs):
    raise Http404


def slot_edit(request, *args, **kwargs):
    raise Http404


def pack(request, *args, **kwargs):
    raise Http404
