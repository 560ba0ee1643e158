"""Pages of the organisation: unit tree, units, people. Thin: authorize, validate,
call one service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from duban.lib.listing import paginate, sort_queryset
from duban.org import selectors, services
from duban.org.access import access_for, require
from duban.org.forms import PeopleFilterForm, PersonForm, UnitForm
from duban.org.models import Person, RoleGrant, Unit, UnitKind

KIND_COLOURS = {
    UnitKind.INSTITUTION: "blue",
    UnitKind.DEPARTMENT: "grey",
    UnitKind.ACADEMIC: "grey",
    UnitKind.AFFILIATED: "grey",
    UnitKind.PARTY_COMMITTEE: "red",
    UnitKind.PARTY_BRANCH: "red",
    UnitKind.GRID_GROUP: "yellow",
}


def _apply_form_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)


@require("can_browse_org")
def unit_tree(request):
    access = access_for(request.user)
    tree = access.tree
    counts = selectors.people_counts_by_unit()
    heads = selectors.unit_heads()
    members = selectors.grid_member_counts()
    q = request.GET.get("q", "").strip()
    show_inactive = request.GET.get("inactive") == "1"
    matches: set[int] = set()
    visible: set[int] | None = None
    if q:
        matches = {n.id for n in tree.nodes.values() if q in n.name}
        visible = set()
        for unit_id in matches:
            visible.add(unit_id)
            visible.update(a.id for a in tree.ancestors(unit_id))
    kinds = dict(UnitKind.choices)

    def build(nodes, depth):
        result = []
        for node in nodes:
            if visible is not None and node.id not in visible:
                continue
            if not node.is_active and not show_inactive:
                continue
            subtree = tree.subtree_ids(node.id)
            result.append(
                {
                    "node": node,
                    "kind": kinds.get(node.kind, node.kind),
                    "colour": KIND_COLOURS.get(node.kind, "grey"),
                    "people": counts.get(node.id, 0),
                    "people_total": sum(counts.get(i, 0) for i in subtree),
                    "heads": heads.get(node.id, []),
                    "covered": [tree.nodes[i].name for i in node.covered if i in tree.nodes],
                    "members": members.get(node.id, 0),
                    "match": node.id in matches,
                    "open": depth < 1 or visible is not None,
                    "children": build(node.children, depth + 1),
                }
            )
        return result

    context = {
        "roots": build(tree.roots, 0),
        "q": q,
        "match_count": len(matches),
        "unit_count": sum(1 for n in tree.nodes.values() if n.is_active),
        "can_edit": access.can_edit_org(),
        "show_inactive": show_inactive,
    }
    return render(request, "org/unit_tree.html", context)


@require("can_browse_org")
def unit_detail(request, pk):
    access = access_for(request.user)
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    tree = access.tree
    children = Unit.objects.filter(parent=unit).order_by("order", "id")
    counts = selectors.people_counts_by_unit()
    people = Person.objects.filter(unit=unit, is_active=True).prefetch_related("grants").order_by("id")
    grants = RoleGrant.objects.filter(unit=unit).select_related("person__unit").order_by("role", "person__name")
    context = {
        "unit": unit,
        "ancestors": tree.ancestors(unit.pk),
        "children": [(child, counts.get(child.pk, 0)) for child in children],
        "people": people,
        "grants": grants,
        "covered": unit.covered_units.order_by("order", "id") if unit.is_grid_group else [],
        "grid_groups": unit.grid_groups.order_by("order", "id"),
        "can_edit": access.can_edit_org(),
        "can_grant": access.can_grant_roles(),
        "kind_colour": KIND_COLOURS.get(unit.kind, "grey"),
    }
    return render(request, "org/unit_detail.html", context)


@require("can_edit_org")
def unit_edit(request, pk=None):
    access = access_for(request.user)
    unit = get_object_or_404(Unit, pk=pk) if pk else Unit()
    initial = {}
    if pk is None and request.GET.get("parent", "").isdecimal():
        initial["parent"] = int(request.GET["parent"])
    elif pk is None and len(access.tree.roots) == 1:
        # Most new units belong under the institution itself.
        initial["parent"] = access.tree.roots[0].id
    form = UnitForm(request.POST or None, instance=unit, initial=initial, tree=access.tree)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.unit_save(
                acting_user=request.user, unit=form.save(commit=False), covered_units=form.cleaned_data["covered_units"]
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("单位“%(name)s”已保存。") % {"name": saved.name})
            return redirect(saved)
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


PEOPLE_SORTS = {
    "name": ("name",),
    "username": ("username",),
    "unit": ("unit__order", "unit__name"),
    "rank": ("rank",),
    "position": ("position",),
}


@require("can_browse_org")
def people(request):
    access = access_for(request.user)
    form = PeopleFilterForm(request.GET or None, tree=access.tree)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.people_filtered(tree=access.tree, **{k: v or "" for k, v in filters.items()})
    queryset, sort = sort_queryset(queryset, request.GET.get("sort", ""), PEOPLE_SORTS, "unit")
    page = paginate(request, queryset.prefetch_related("grants__unit"), per_page=50)
    context = {
        "filter_form": form,
        "page_obj": page,
        "total": page.paginator.count,
        "can_edit": access.can_edit_org(),
        "sort": sort,
    }
    return render(request, "org/people.html", context)


@require("can_browse_org")
def person_detail(request, pk):
    from duban.accounts import second_factor
    from duban.accounts.selectors import is_locked

    access = access_for(request.user)
    person = get_object_or_404(Person.objects.select_related("unit"), pk=pk)
    grants = person.grants.select_related("unit", "granted_by").order_by("role")
    context = {
        "person": person,
        "grants": grants,
        "unit_path": access.tree.path_name(person.unit_id) if person.unit_id else "",
        "can_edit": access.can_edit_org(),
        "can_grant": access.can_grant_roles() and person.pk != request.user.pk,
        "show_contact": access.can_see_contact(person),
        "locked": access.can_grant_roles() and is_locked(person.username),
        "has_second_factor": access.can_grant_roles() and second_factor.confirmed_device(person) is not None,
    }
    return render(request, "org/person_detail.html", context)


@require("can_edit_org")
def person_edit(request, pk=None):
    from duban.accounts.services import temporary_password

    access = access_for(request.user)
    person = get_object_or_404(Person, pk=pk) if pk else Person()
    initial = {}
    if pk is None and request.GET.get("unit", "").isdecimal():
        initial["unit"] = int(request.GET["unit"])
    form = PersonForm(request.POST or None, instance=person, initial=initial, tree=access.tree)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data.get("password") or (temporary_password() if pk is None else None)
        saved = services.person_save(acting_user=request.user, person=form.save(commit=False), password=password)
        if pk is None and not form.cleaned_data.get("password"):
            return render(request, "org/person_created.html", {"person": saved, "password": password})
        messages.success(request, _("人员“%(name)s”已保存。") % {"name": saved.name})
        return redirect(saved)
    return render(request, "org/person_form.html", {"form": form, "person": person})
