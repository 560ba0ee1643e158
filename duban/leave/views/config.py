"""Placeholder: being written."""

from django.http import Http404


def balances(request, *args, **kwargs):
    raise Http404


def leave_settings(request, *args, **kwargs):
    raise Http404


def type_edit(request, *args, **kwargs):
    raise Http404


def holidays(request, *args, **kwargs):
    raise Http404
