"""Placeholder views, replaced in the next commits."""

from django.http import HttpResponse


def example_list(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def example_create(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def example_detail(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def example_edit(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def example_delete(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def example_evidence(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)
