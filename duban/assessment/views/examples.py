"""Typical examples (正反面典型): the registry, published ones for every signed-in person.

The office, leaders and discipline see everything; everyone else sees published examples
with their public text only, and never the people named in a bad example (nor its evidence,
which usually names them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.assessment import access as rules
from duban.assessment.forms_examples import ExampleFilterForm, ExampleForm
from duban.assessment.models import Example, ExampleKind
from duban.assessment.services import examples as services
from duban.lib.listing import paginate
from duban.org.access import access_for
from duban.supervision import access as supervision_rules
from duban.supervision.models import Item
from duban.supervision.views.common import form_error

# --- Fetch and authorize -------------------------------------------------------------------


def sees_everything(access) -> bool:
    return rules.can_see_unpublished_examples(access)


def example_for(request, pk):
    """An example the person may read (duban.assessment.access.can_see_example)."""
    access = access_for(request.user)
    example = get_object_or_404(Example.objects.select_related("unit", "created_by"), pk=pk)
    if not rules.can_see_example(access, example):
        raise Http404
    return example, access


def manager(request):
    access = access_for(request.user)
    if not rules.can_manage(access):
        raise PermissionDenied
    return access


# --- Pages ---------------------------------------------------------------------------------------


@login_required
def example_list(request):
    access = access_for(request.user)
    full = sees_everything(access)
    examples = Example.objects.select_related("unit")
    if not full:
        examples = examples.filter(published=True)
    filters = ExampleFilterForm(request.GET or None, tree=access.tree)
    if not full:
        del filters.fields["published"]
    filters.is_valid()
    chosen = getattr(filters, "cleaned_data", {})
    if chosen.get("kind"):
        examples = examples.filter(kind=chosen["kind"])
    if chosen.get("unit"):
        examples = examples.filter(unit=chosen["unit"])
    if full and chosen.get("published") in ("0", "1"):
        examples = examples.filter(published=chosen["published"] == "1")
    counts = {kind: examples.filter(kind=kind).count() for kind in (ExampleKind.GOOD, ExampleKind.BAD)}
    page = paginate(request, examples.order_by("-recognised_on", "-id"), per_page=30)
    context = {
        "page_obj": page,
        "examples": page.object_list,
        "filters": filters,
        "full": full,
        "can_manage": rules.can_manage(access),
        "total": page.paginator.count,
        "good_count": counts[ExampleKind.GOOD],
        "bad_count": counts[ExampleKind.BAD],
        "filtered": any(chosen.get(k) for k in ("kind", "unit", "published")),
    }
    return render(request, "assessment/example_list.html", context)


def _save(request, form):
    try:
        return services.example_save(
            acting_user=request.user,
            example=form.save(commit=False),
            people=form.cleaned_data["people"],
            items=form.cleaned_data["items"],
        )
    except ValidationError as error:
        form_error(form, error)
        return None


@login_required
def example_create(request):
    access = manager(request)
    form = ExampleForm(request.POST or None, request.FILES or None, tree=access.tree)
    if request.method == "POST" and form.is_valid():
        example = _save(request, form)
        if example is not None:
            messages.success(request, _("典型已登记。"))
            return redirect(example)
    return render(request, "assessment/example_form.html", {"form": form, "example": None})


@login_required
def example_edit(request, pk):
    access = manager(request)
    example = get_object_or_404(Example, pk=pk)
    form = ExampleForm(request.POST or None, request.FILES or None, instance=example, tree=access.tree)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form)
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect(saved)
    return render(request, "assessment/example_form.html", {"form": form, "example": example})


@login_required
def example_detail(request, pk):
    example, access = example_for(request, pk)
    full = sees_everything(access)
    items = Item.objects.filter(pk__in=example.items.all()).select_related("plan", "lead_unit")
    if not full:
        items = supervision_rules.items_visible(access, items)
    people = []
    if rules.example_people_visible(access, example):
        people = list(example.people.select_related("unit").order_by("unit__order", "name"))
    context = {
        "example": example,
        "full": full,
        "can_manage": rules.can_manage(access),
        "people": people,
        "items": list(items.order_by("plan__title", "ordinal")),
        "shows_evidence": rules.example_evidence_visible(access, example),
    }
    return render(request, "assessment/example_detail.html", context)


@login_required
@require_POST
def example_delete(request, pk):
    manager(request)
    example = get_object_or_404(Example, pk=pk)
    try:
        services.example_delete(acting_user=request.user, example=example)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(example)
    messages.success(request, _("典型“%(title)s”已删除。") % {"title": example.title})
    return redirect("assessment:example_list")


@login_required
def example_evidence(request, pk):
    example, access = example_for(request, pk)
    if not rules.example_evidence_visible(access, example):
        raise Http404
    try:
        handle = example.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=example.evidence_name or "佐证材料")
    response["Cache-Control"] = "no-store"
    return response
