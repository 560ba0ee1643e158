"""Placeholder views, replaced in the next commits."""

from django.http import HttpResponse


def codes(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def batch_void(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def screen(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def turnout(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def turnout_live(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)
