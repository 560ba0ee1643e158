"""Typical examples through the API (read only; the office maintains them on the pages)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router

from duban.api.auth import api_user
from duban.api.errors import ErrorOut
from duban.assessment import access as rules
from duban.assessment.api.schemas import ExampleOut
from duban.assessment.models import Example
from duban.org.access import access_for

router = Router(tags=["正反面典型"])

EXAMPLES = Example.objects.select_related("unit").prefetch_related("people", "items")


def _scope(request):
    access = access_for(api_user(request))
    if not access.roles:
        raise PermissionDenied("无权查看。")
    full = rules.can_see_unpublished_examples(access)
    return (EXAMPLES if full else EXAMPLES.filter(published=True)), access


def _out(e: Example, access) -> dict:
    full = rules.can_see_unpublished_examples(access)
    people = rules.example_people_visible(access, e)
    return {
        "id": e.pk,
        "kind": e.kind,
        "title": e.title,
        "text": e.summary if full else e.public_text,
        "unit": e.unit.name if e.unit else None,
        "recognised_on": e.recognised_on,
        "source": e.source,
        "published": e.published,
        "people": [p.name for p in e.people.all()] if people else [],
        "item_ids": [i.pk for i in e.items.all()] if full else [],
    }


@router.get("/assessment/examples", response={200: list[ExampleOut], 401: ErrorOut, 403: ErrorOut}, summary="典型列表")
def example_list(request, kind: str = ""):
    """督查办、校领导、纪检看到全部；其他人只看到已公开的典型及其公开内容，反面典型不含人员。kind 可为 good 或 bad。"""
    examples, access = _scope(request)
    if kind in ("good", "bad"):
        examples = examples.filter(kind=kind)
    return [_out(e, access) for e in examples]


@router.get(
    "/assessment/examples/{pk}",
    response={200: ExampleOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="典型详情",
)
def example_detail(request, pk: int):
    examples, access = _scope(request)
    return _out(get_object_or_404(examples, pk=pk), access)
