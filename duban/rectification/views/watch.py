"""PLACEHOLDER: replaced by the area owner."""

from django.http import Http404


def recheck_queue(request, *args, **kwargs):
    raise Http404


def recheck_record(request, *args, **kwargs):
    raise Http404
