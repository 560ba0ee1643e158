"""Placeholder views, replaced in the next commits."""

from django.http import HttpResponse


def result(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def result_xlsx(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def result_docx(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)
