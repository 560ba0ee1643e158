"""PLACEHOLDER: replaced by the area owner."""

from django.http import Http404


def ledger_export(request, *args, **kwargs):
    raise Http404


def ledger_import(request, *args, **kwargs):
    raise Http404


def import_template(request, *args, **kwargs):
    raise Http404
