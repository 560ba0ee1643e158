"""Placeholder: being written."""

from django.http import Http404


def my_requests(request, *args, **kwargs):
    raise Http404


def request_create(request, *args, **kwargs):
    raise Http404


def request_detail(request, *args, **kwargs):
    raise Http404


def withdraw(request, *args, **kwargs):
    raise Http404


def record_return(request, *args, **kwargs):
    raise Http404


def my_balance(request, *args, **kwargs):
    raise Http404
