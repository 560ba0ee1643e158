"""Placeholder: being written."""

from django.http import Http404


def task_list(request, *args, **kwargs):
    raise Http404


def act(request, *args, **kwargs):
    raise Http404


def delegations(request, *args, **kwargs):
    raise Http404


def delegation_revoke(request, *args, **kwargs):
    raise Http404
