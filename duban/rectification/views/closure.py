"""PLACEHOLDER: replaced by the area owner."""

from django.http import Http404


def measure_detail(request, *args, **kwargs):
    raise Http404


def measure_document(request, *args, **kwargs):
    raise Http404


def closure_request(request, *args, **kwargs):
    raise Http404


def closure_queue(request, *args, **kwargs):
    raise Http404


def closure_review(request, *args, **kwargs):
    raise Http404


def closure_approve(request, *args, **kwargs):
    raise Http404


def checklist_config(request, *args, **kwargs):
    raise Http404
