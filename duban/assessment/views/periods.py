"""Placeholder views, replaced in the next commits."""

from django.http import HttpResponse


def period_list(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def period_create(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def period_detail(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def period_edit(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def period_rules(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def period_publish(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def period_unpublish(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def period_scores(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def period_close(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)


def period_xlsx(request, *args, **kwargs):
    return HttpResponse("TODO", status=501)
