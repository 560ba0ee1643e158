from django import forms
from django.utils.translation import gettext_lazy as _

from duban.lib.forms import StyledFormMixin
from duban.org.models import ADMIN_ROLES, Person, Role, Unit, UnitKind
from duban.org.tree import UnitTree


def unit_choices(tree: UnitTree, *, exclude: set[int] = frozenset(), blank: str | None = None, kinds=None):
    """Units in tree order, indented by depth, for a <select>."""
    choices = [("", blank)] if blank is not None else []
    for node, depth in tree.walk():
        if node.id in exclude or (kinds and node.kind not in kinds):
            continue
        choices.append((node.id, "　" * depth + node.name))
    return choices


class TreeUnitField(forms.ModelChoiceField):
    """A unit <select> whose options are indented as the tree."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Unit.objects.all())
        super().__init__(*args, **kwargs)

    def set_tree(self, tree: UnitTree, *, exclude=frozenset(), blank="——", kinds=None):
        self.choices = unit_choices(tree, exclude=exclude, blank=blank, kinds=kinds)


class UnitForm(StyledFormMixin, forms.ModelForm):
    parent = TreeUnitField(label=_("上级单位"), required=False, help_text=_("留空表示顶级单位（学校本身）。"))

    class Meta:
        model = Unit
        fields = ["name", "short_name", "code", "kind", "parent", "order", "covered_units", "is_active", "note"]
        widgets = {"covered_units": forms.CheckboxSelectMultiple}
        help_texts = {
            "covered_units": _("仅联络组需要：勾选该联络组联系的单位。"),
            "order": _("同级单位按此数字从小到大排列。"),
        }

    def __init__(self, *args, tree: UnitTree, **kwargs):
        super().__init__(*args, **kwargs)
        exclude = tree.subtree_ids(self.instance.pk) if self.instance.pk else set()
        self.fields["parent"].set_tree(tree, exclude=exclude, blank=_("（无，顶级单位）"))
        self.fields["covered_units"].choices = unit_choices(
            tree, exclude={self.instance.pk} if self.instance.pk else set()
        )
        self.fields["covered_units"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != UnitKind.GRID_GROUP:
            cleaned["covered_units"] = []
        return cleaned


class PersonForm(StyledFormMixin, forms.ModelForm):
    unit = TreeUnitField(label=_("所在单位"), required=True)
    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("留空则自动生成，保存后显示一次。此人首次登录时须修改密码。"),
    )

    class Meta:
        model = Person
        fields = ["name", "username", "unit", "rank", "position", "phone", "email", "is_active"]
        help_texts = {"username": _("用于登录，只能包含字母、数字和 @ . + - _，例如工号或姓名拼音。")}

    def __init__(self, *args, tree: UnitTree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_tree(tree, blank=_("请选择单位"))
        if self.instance.pk:
            del self.fields["password"]

    def clean_password(self):
        from django.contrib.auth import password_validation

        from duban.accounts.passwords import chinese_password_errors

        value = self.cleaned_data.get("password")
        if value:
            try:
                password_validation.validate_password(value, self.instance)
            except forms.ValidationError as error:
                raise chinese_password_errors(error)
        return value


class GrantForm(StyledFormMixin, forms.Form):
    person = forms.ModelChoiceField(
        label=_("人员"), queryset=Person.objects.filter(is_active=True).select_related("unit")
    )
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    unit = TreeUnitField(
        label=_("范围"),
        required=False,
        help_text=_("留空表示全校。单位负责人、联络员、职工须指定单位；工作专班/联络组成员须指定联络组。"),
    )

    def __init__(self, *args, tree: UnitTree, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_tree(tree, blank=_("全校"))
        self.fields["person"].label_from_instance = lambda p: f"{p.name}（{p.username}，{p.unit or '无单位'}）"
        if person is not None:
            self.fields["person"].initial = person.pk
            self.fields["person"].widget = forms.HiddenInput()

    @staticmethod
    def admin_roles():
        return [r.value for r in ADMIN_ROLES]


class PeopleFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(
        label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": "姓名、登录名、职务"})
    )
    unit = forms.CharField(label=_("单位"), required=False)
    rank = forms.ChoiceField(label=_("职级"), required=False)
    role = forms.ChoiceField(label=_("角色"), required=False)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("启用")), ("inactive", _("已停用")), ("all", _("全部"))],
    )

    def __init__(self, *args, tree: UnitTree, **kwargs):
        super().__init__(*args, **kwargs)
        from duban.org.models import Rank

        self.fields["unit"].widget = forms.Select(
            choices=unit_choices(tree, blank=_("全部单位")) + [("none", _("（未分配单位）"))],
            attrs={"class": "form-select", "data-autosubmit": ""},
        )
        self.fields["rank"].choices = [("", _("全部职级"))] + list(Rank.choices)
        self.fields["role"].choices = [("", _("全部角色"))] + list(Role.choices)
        for name in ("rank", "role", "status"):
            self.fields[name].widget.attrs["data-autosubmit"] = ""
