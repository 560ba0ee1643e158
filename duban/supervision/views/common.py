"""Fetch-and-authorize helpers shared by the supervision views (one per object kind)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from duban.org.access import access_for
from duban.supervision import access as rules
from duban.supervision.models import Item, Plan


def plan_for(request, pk) -> Plan:
    """A plan the person may look at (they can see plans at all)."""
    if not rules.can_see_plans(access_for(request.user)):
        raise PermissionDenied
    return get_object_or_404(Plan.objects.select_related("owner_unit"), pk=pk)


def item_for(request, pk) -> Item:
    """An item the person may see; items outside their scope do not exist for them."""
    access = access_for(request.user)
    if not rules.can_see_plans(access):
        raise PermissionDenied
    queryset = Item.objects.select_related(
        "plan", "lead_unit", "patron_leader", "responsible_person", "parent", "phase", "state", "decision__meeting"
    )
    item = rules.items_visible(access, queryset).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def form_error(form, error) -> None:
    """Show a service's refusal on the form (summary at the top)."""
    if isinstance(error, ValidationError):
        for message in error.messages:
            form.add_error(None, message)
    else:
        form.add_error(None, str(error))
