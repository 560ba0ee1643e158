"""PLACEHOLDER: replaced by the area owner."""

from django.http import Http404


def finding_edit(request, *args, **kwargs):
    raise Http404


def finding_detail(request, *args, **kwargs):
    raise Http404


def measure_edit(request, *args, **kwargs):
    raise Http404
