"""Placeholder views, replaced in the next commits."""

from django.http import HttpResponse


def start(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def receipt_check(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def ballot(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def report(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)
