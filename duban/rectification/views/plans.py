"""PLACEHOLDER: replaced by the area owner."""

from django.http import Http404


def plan_list(request, *args, **kwargs):
    raise Http404


def plan_edit(request, *args, **kwargs):
    raise Http404


def ledger(request, *args, **kwargs):
    raise Http404


def stats(request, *args, **kwargs):
    raise Http404
