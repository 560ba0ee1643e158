"""Placeholder: being written."""

from django.http import Http404


def meeting_list(request, *args, **kwargs):
    raise Http404


def meeting_create(request, *args, **kwargs):
    raise Http404


def meeting_detail(request, *args, **kwargs):
    raise Http404


def meeting_edit(request, *args, **kwargs):
    raise Http404


def invitees(request, *args, **kwargs):
    raise Http404


def announce(request, *args, **kwargs):
    raise Http404


def cancel(request, *args, **kwargs):
    raise Http404


def respond(request, *args, **kwargs):
    raise Http404
