"""Placeholder: being written."""

from django.http import Http404


def attendance_stats(request, *args, **kwargs):
    raise Http404
