"""Placeholder views, replaced in the next commits."""

from django.http import HttpResponse


def session_list(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def session_create(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def session_detail(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def session_edit(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def subjects(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def subject_edit(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def subject_delete(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def subject_report(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def scale(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def groups(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def session_open(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def session_close(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def session_reopen(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)
