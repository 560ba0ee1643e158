"""Placeholder views, replaced in the next commits."""

from django.http import HttpResponse


def paper_index(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def paper_enter(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def paper_resolve(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)
