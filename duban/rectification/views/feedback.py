"""PLACEHOLDER: replaced by the area owner."""

from django.http import Http404


def feedback_send(request, *args, **kwargs):
    raise Http404


def my_feedback(request, *args, **kwargs):
    raise Http404


def feedback_queue(request, *args, **kwargs):
    raise Http404


def feedback_handle(request, *args, **kwargs):
    raise Http404
