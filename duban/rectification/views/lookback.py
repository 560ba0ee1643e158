"""PLACEHOLDER: replaced by the area owner."""

from django.http import Http404


def round_list(request, *args, **kwargs):
    raise Http404


def round_open(request, *args, **kwargs):
    raise Http404


def round_detail(request, *args, **kwargs):
    raise Http404


def round_checklist(request, *args, **kwargs):
    raise Http404


def round_review(request, *args, **kwargs):
    raise Http404


def round_finding(request, *args, **kwargs):
    raise Http404


def round_close(request, *args, **kwargs):
    raise Http404


def round_report(request, *args, **kwargs):
    raise Http404


def template_list(request, *args, **kwargs):
    raise Http404
