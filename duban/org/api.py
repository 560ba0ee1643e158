"""JSON API of the organisation: the current person, units and people.

Thin like the pages: authorize with duban.org.access, validate with the pages' forms
(fed the JSON body), write through duban.org.services. Lists cost a fixed number of
queries whatever their length. Endpoint and input-schema docstrings are in Chinese:
ninja publishes them as the API documentation.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from duban.accounts.services import temporary_password
from duban.api.auth import acting, api_user
from duban.api.errors import ErrorOut, InvalidOut, form_invalid
from duban.api.pagination import Pagination
from duban.org import selectors, services
from duban.org.access import access_for
from duban.org.forms import PersonForm, UnitForm
from duban.org.models import Person, Rank, Role, RoleGrant, Unit, UnitKind

router = Router(tags=["组织机构"])

GRANTS = Prefetch("grants", queryset=RoleGrant.objects.select_related("unit").order_by("role", "unit_id"))
COVERED = Prefetch("covered_units", queryset=Unit.objects.only("id").order_by("id"))

# API field -> form field, for feeding the forms and mapping their errors back.
UNIT_FIELDS = {
    "name": "name",
    "short_name": "short_name",
    "code": "code",
    "kind": "kind",
    "parent_id": "parent",
    "order": "order",
    "covered_unit_ids": "covered_units",
    "is_active": "is_active",
    "note": "note",
}
PERSON_FIELDS = {
    "name": "name",
    "username": "username",
    "unit_id": "unit",
    "rank": "rank",
    "position": "position",
    "phone": "phone",
    "email": "email",
    "is_active": "is_active",
    "password": "password",
}
# Form field -> API field, for reporting errors.
UNIT_ERRORS = {form: api for api, form in UNIT_FIELDS.items()}
PERSON_ERRORS = {form: api for api, form in PERSON_FIELDS.items()}

READ_ERRORS = {401: ErrorOut, 403: ErrorOut}
ONE_ERRORS = {**READ_ERRORS, 404: ErrorOut}
WRITE_ERRORS = {400: InvalidOut, **ONE_ERRORS}


# --- Output ---------------------------------------------------------------------
class UnitRef(Schema):
    id: int
    name: str


class RoleOut(Schema):
    role: Role
    role_label: str
    unit_id: int | None
    unit_name: str | None = Field(None, description="范围单位；为空表示全校")

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_unit_name(obj) -> str | None:
        return obj.unit.name if obj.unit_id else None


class MeOut(Schema):
    id: int
    username: str
    name: str
    unit: UnitRef | None
    rank: Rank
    rank_label: str
    position: str
    roles: list[RoleOut]

    @staticmethod
    def resolve_rank_label(obj) -> str:
        return str(obj.get_rank_display())

    @staticmethod
    def resolve_roles(obj) -> list:
        return list(obj.grants.all())


class PersonOut(MeOut):
    phone: str | None = Field(None, description="仅本单位同事、督查办、校领导和系统/安全管理员可见，否则为 null")
    email: str | None = Field(None, description="可见范围同 phone")
    is_active: bool

    @staticmethod
    def resolve_phone(obj, context) -> str | None:
        return obj.phone if _contact_visible(obj, context) else None

    @staticmethod
    def resolve_email(obj, context) -> str | None:
        return obj.email if _contact_visible(obj, context) else None


class PersonCreatedOut(PersonOut):
    temporary_password: str | None = Field(
        None, description="未指定初始密码时自动生成的临时密码，只在此次响应中出现一次"
    )


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    kind: UnitKind
    kind_label: str
    parent_id: int | None
    order: int
    is_active: bool
    covered_unit_ids: list[int] = Field(description="联络组联系的单位（其他类型为空）")
    note: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_covered_unit_ids(obj) -> list[int]:
        return [unit.id for unit in obj.covered_units.all()]


def _contact_visible(person, context) -> bool:
    request = (context or {}).get("request")
    return request is not None and access_for(api_user(request)).can_see_contact(person)


# --- Input ----------------------------------------------------------------------
class UnitFilter(Schema):
    kind: UnitKind | None = Field(None, description="单位类型")
    active: bool | None = Field(None, description="true 只要启用的，false 只要停用的")


class PeopleFilter(Schema):
    q: str = Field("", max_length=100, description="按姓名、登录名、职务搜索")
    unit: str = Field("", pattern=r"^(\d+|none)?$", description="单位 ID（含其下级单位），none 表示未分配单位")
    rank: Rank | None = Field(None, description="职级")
    role: Role | None = Field(None, description="持有该角色")
    status: Literal["active", "inactive", "all"] = Field("active", description="账号状态")


class UnitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    short_name: str = ""
    code: str = ""
    kind: UnitKind = UnitKind.DEPARTMENT
    parent_id: int | None = Field(None, description="上级单位；为空表示顶级单位")
    order: int = 100
    covered_unit_ids: list[int] = Field(default_factory=list, description="仅联络组：联系的单位")
    is_active: bool = True
    note: str = ""


class UnitPatch(Schema):
    """只修改请求中出现的字段。"""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    short_name: str | None = None
    code: str | None = None
    kind: UnitKind | None = None
    parent_id: int | None = None
    order: int | None = None
    covered_unit_ids: list[int] | None = None
    is_active: bool | None = None
    note: str | None = None


class PersonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    username: str
    unit_id: int
    rank: Rank = Rank.STAFF
    position: str = ""
    phone: str = ""
    email: str = ""
    is_active: bool = True
    password: str | None = Field(None, description="初始密码；留空则自动生成并在响应中返回一次")


class PersonPatch(Schema):
    """只修改请求中出现的字段。密码不能在此修改，由安全管理员重置。"""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    username: str | None = None
    unit_id: int | None = None
    rank: Rank | None = None
    position: str | None = None
    phone: str | None = None
    email: str | None = None
    is_active: bool | None = None


# --- Helpers --------------------------------------------------------------------
def _access(request, rule: str):
    access = access_for(api_user(request))
    if not getattr(access, rule)():
        raise PermissionDenied
    return access


def _form_data(values: dict, fields: dict[str, str]) -> dict:
    """API field values -> form data (the forms take None as an empty choice or text)."""
    return {fields[name]: value for name, value in values.items() if name in fields}


def _unit_current(unit: Unit) -> dict:
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "code": unit.code,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "order": unit.order,
        "covered_unit_ids": list(unit.covered_units.values_list("id", flat=True)),
        "is_active": unit.is_active,
        "note": unit.note,
    }


def _person_current(person: Person) -> dict:
    return {
        "name": person.name,
        "username": person.username,
        "unit_id": person.unit_id,
        "rank": person.rank,
        "position": person.position,
        "phone": person.phone,
        "email": person.email,
        "is_active": person.is_active,
    }


def _unit_write(request, access, unit: Unit, values: dict) -> Unit:
    form = UnitForm(_form_data(values, UNIT_FIELDS), instance=unit, tree=access.tree)
    if not form.is_valid():
        raise form_invalid(form, UNIT_ERRORS)
    try:
        with acting(request):
            saved = services.unit_save(
                acting_user=api_user(request),
                unit=form.save(commit=False),
                covered_units=form.cleaned_data["covered_units"],
            )
    except ValidationError as error:
        raise form_invalid(form, UNIT_ERRORS, error)
    return Unit.objects.prefetch_related(COVERED).get(pk=saved.pk)


def _person_fetch(pk: int) -> Person:
    return get_object_or_404(Person.objects.select_related("unit").prefetch_related(GRANTS), pk=pk)


# --- Endpoints ------------------------------------------------------------------
@router.get("/me", response={200: MeOut, 401: ErrorOut, 403: ErrorOut}, tags=["当前用户"], summary="当前用户")
def me(request):
    """当前调用者的单位、职级和角色。任何已登录的人员均可调用（无角色时 roles 为空）。"""
    return _person_fetch(api_user(request).pk)


@router.get("/units", response={200: list[UnitOut], **READ_ERRORS}, summary="单位列表")
def unit_list(request, filters: Query[UnitFilter]):
    """全部单位的平铺列表（按 parent_id 组成单位树），同级按排序号排列。"""
    _access(request, "can_browse_org")
    units = Unit.objects.prefetch_related(COVERED)
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.active is not None:
        units = units.filter(is_active=filters.active)
    return units


@router.get("/units/{int:unit_id}", response={200: UnitOut, **ONE_ERRORS}, summary="单位详情")
def unit_get(request, unit_id: int):
    _access(request, "can_browse_org")
    return get_object_or_404(Unit.objects.prefetch_related(COVERED), pk=unit_id)


@router.post("/units", response={201: UnitOut, **WRITE_ERRORS}, summary="新增单位")
def unit_create(request, payload: UnitIn):
    """仅系统管理员。校验规则与网页上的单位表单相同。"""
    access = _access(request, "can_edit_org")
    return Status(201, _unit_write(request, access, Unit(), payload.model_dump(mode="json")))


@router.patch("/units/{int:unit_id}", response={200: UnitOut, **WRITE_ERRORS}, summary="修改单位")
def unit_update(request, unit_id: int, payload: UnitPatch):
    """仅系统管理员。只修改请求中出现的字段。"""
    access = _access(request, "can_edit_org")
    unit = get_object_or_404(Unit, pk=unit_id)
    values = {**_unit_current(unit), **payload.model_dump(mode="json", exclude_unset=True)}
    return _unit_write(request, access, unit, values)


@router.get("/people", response={200: list[PersonOut], **READ_ERRORS}, summary="人员列表")
@paginate(Pagination)
def person_list(request, filters: Query[PeopleFilter]):
    """分页的人员列表，筛选条件与网页相同；默认只列启用的账号。手机号和邮箱对无权查看者为 null。"""
    access = _access(request, "can_browse_org")
    people = selectors.people_filtered(
        tree=access.tree,
        q=filters.q.strip(),
        unit=filters.unit,
        rank=filters.rank.value if filters.rank else "",
        role=filters.role.value if filters.role else "",
        status="" if filters.status == "active" else filters.status,
    )
    return people.prefetch_related(GRANTS)


@router.get("/people/{int:person_id}", response={200: PersonOut, **ONE_ERRORS}, summary="人员详情")
def person_get(request, person_id: int):
    _access(request, "can_browse_org")
    return _person_fetch(person_id)


@router.post("/people", response={201: PersonCreatedOut, **WRITE_ERRORS}, summary="新增人员")
def person_create(request, payload: PersonIn):
    """仅系统管理员。未指定初始密码时自动生成临时密码，只在本次响应的 `temporary_password`
    中返回一次；此人首次登录时须修改密码。"""
    access = _access(request, "can_edit_org")
    form = PersonForm(_form_data(payload.model_dump(mode="json"), PERSON_FIELDS), instance=Person(), tree=access.tree)
    if not form.is_valid():
        raise form_invalid(form, PERSON_ERRORS)
    given = form.cleaned_data.get("password")
    password = given or temporary_password()
    try:
        with acting(request):
            saved = services.person_save(
                acting_user=api_user(request), person=form.save(commit=False), password=password
            )
    except ValidationError as error:
        raise form_invalid(form, PERSON_ERRORS, error)
    person = _person_fetch(saved.pk)
    person.temporary_password = None if given else password
    return Status(201, person)


@router.patch("/people/{int:person_id}", response={200: PersonOut, **WRITE_ERRORS}, summary="修改人员")
def person_update(request, person_id: int, payload: PersonPatch):
    """仅系统管理员。只修改请求中出现的字段。"""
    access = _access(request, "can_edit_org")
    person = get_object_or_404(Person, pk=person_id)
    values = {**_person_current(person), **payload.model_dump(mode="json", exclude_unset=True)}
    form = PersonForm(_form_data(values, PERSON_FIELDS), instance=person, tree=access.tree)
    if not form.is_valid():
        raise form_invalid(form, PERSON_ERRORS)
    try:
        with acting(request):
            services.person_save(acting_user=api_user(request), person=form.save(commit=False))
    except ValidationError as error:
        raise form_invalid(form, PERSON_ERRORS, error)
    return _person_fetch(person_id)
