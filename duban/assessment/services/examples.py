"""Typical examples (正反面典型)."""

from django.db import transaction

from duban.assessment.models import Example
from duban.assessment.services import Refused
from duban.assessment.services.sessions import require_manager


@transaction.atomic
def example_save(*, acting_user, example: Example, people=None, items=None) -> Example:
    require_manager(acting_user)
    if not (example.title or "").strip() or not (example.summary or "").strip():
        raise Refused("请填写标题和简介。")
    if example.published and not example.unit_id and not (example.public_text or "").strip():
        raise Refused("公开的典型须有公开内容。")
    if not example.pk:
        example.created_by = acting_user
    example.save()
    if people is not None:
        example.people.set(people)
    if items is not None:
        example.items.set(items)
    return example


@transaction.atomic
def example_delete(*, acting_user, example: Example) -> None:
    require_manager(acting_user)
    example.delete()
