"""Placeholder: being written."""

from django.http import Http404


def attendance(request, *args, **kwargs):
    raise Http404


def door(request, *args, **kwargs):
    raise Http404


def door_qr(request, *args, **kwargs):
    raise Http404


def sign_in(request, *args, **kwargs):
    raise Http404


def leave_request(request, *args, **kwargs):
    raise Http404


def leave_decide(request, *args, **kwargs):
    raise Http404


def leave_withdraw(request, *args, **kwargs):
    raise Http404


def close(request, *args, **kwargs):
    raise Http404
