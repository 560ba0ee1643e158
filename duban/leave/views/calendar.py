"""Placeholder: being written."""

from django.http import Http404


def away_calendar(request, *args, **kwargs):
    raise Http404
