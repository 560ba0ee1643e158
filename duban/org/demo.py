"""The demo institution: an invented aviation college with the structures of the seeds.

Every personal name is generated from common characters and checked against the
names that appear in the seed reports, so no real person is reproduced.
"""

import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from duban.org.models import Person, Rank, Role, RoleGrant, Unit, UnitKind

DEMO_PASSWORD = "Duban@2026"
INSTITUTION = "江城航空学院"

# The seven branches of seed 002; each is followed by a liaison group.
SEED_BRANCHES = [
    "航空运输系党支部",
    "航空乘务系党支部",
    "空港管理系党支部",
    "航空维修系党支部",
    "航空制造系党支部",
    "基础教学部党支部",
    "行政管理党支部",
]
OTHER_BRANCHES = [
    "党委办公室党支部",
    "组织宣传统战党支部",
    "人事处党支部",
    "教务处党支部",
    "科技处党支部",
    "国有资产管理处党支部",
    "财务处党支部",
    "学生工作处党支部",
    "图文信息中心党支部",
    "纪检监察党支部",
    "后勤管理处党支部",
    "保卫处党支部",
    "国际交流处党支部",
    "继续教育学院党支部",
    "离退休党支部",
]
DEPARTMENTS = [
    ("党委办公室", "党办"),
    ("校长办公室", "校办"),
    ("组织部", ""),
    ("宣传部", ""),
    ("人事处", ""),
    ("教务处", ""),
    ("科技处", ""),
    ("国有资产管理处", "国资处"),
    ("财务处", ""),
    ("学生工作处（团委）", "学工处"),
    ("图文信息中心", "图文中心"),
    ("纪委办公室（纪监处）", "纪委办"),
    ("后勤管理处", "后勤处"),
    ("保卫处", ""),
    ("国际交流处", ""),
]
ACADEMIC = ["航空运输系", "航空乘务系", "空港管理系", "航空维修系", "航空制造系", "基础教学部", "继续教育学院"]
CHINESE_NUMBERS = "一二三四五六七"

# Names printed in the seed reports; the generator never produces them.
SEED_NAMES = {
    "曹胜强",
    "李东",
    "曾宪明",
    "明清河",
    "李目海",
    "李丽清",
    "路绪剑",
    "孙正",
    "张昌林",
    "林勇",
    "姚力军",
    "李森林",
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "子文一明华建国伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞平刚桂英玉兰萍鹏辉晨宇浩然欣怡"
    "思源嘉诚俊峰雪梅海燕志远晓东春雨佳琪雅婷博文天翔梦瑶心怡"
)


class NameGen:
    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.8 else "")
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used and name not in SEED_NAMES:
                self.used.add(name)
                return name


class Builder:
    def __init__(self):
        self.names = NameGen()
        self.password_hash = make_password(DEMO_PASSWORD)
        self.accounts: list[tuple[str, str, str]] = []
        self.serial = 0

    def unit(self, name, kind, parent=None, order=100, short_name="") -> Unit:
        unit, _ = Unit.objects.get_or_create(
            name=name, defaults={"kind": kind, "parent": parent, "order": order, "short_name": short_name}
        )
        return unit

    def person(self, username, unit, position, rank, roles=(), name=None, label=None) -> Person:
        person = Person.objects.filter(username=username).first()
        if person is None:
            person = Person.objects.create(
                username=username,
                name=name or self.names(),
                unit=unit,
                position=position,
                rank=rank,
                password=self.password_hash,
                must_change_password=False,
            )
        else:
            self.names.used.add(person.name)
        for role, scope in roles:
            RoleGrant.objects.get_or_create(person=person, role=role, unit=scope)
        if label:
            self.accounts.append((label, username, person.name))
        return person

    def next_username(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial:03d}"


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create (or complete) the demo institution; returns the printed demo logins."""
    from duban.system.models import SiteSettings

    SiteSettings.objects.update_or_create(
        id=1, defaults={"institution_name": INSTITUTION, "system_name": "督查督办平台"}
    )
    b = Builder()
    school = b.unit(INSTITUTION, UnitKind.INSTITUTION, order=1)
    depts = {}
    for i, (name, short) in enumerate(DEPARTMENTS):
        depts[name] = b.unit(name, UnitKind.DEPARTMENT, school, order=10 + i, short_name=short)
    academic = {name: b.unit(name, UnitKind.ACADEMIC, school, order=40 + i) for i, name in enumerate(ACADEMIC)}
    party = b.unit("机关党委", UnitKind.PARTY_COMMITTEE, school, order=60)
    branches = {}
    for i, name in enumerate(SEED_BRANCHES + OTHER_BRANCHES):
        branches[name] = b.unit(name, UnitKind.PARTY_BRANCH, party, order=i + 1)
    office = depts["党委办公室"]
    groups = []
    for i, branch_name in enumerate(SEED_BRANCHES):
        group = b.unit(f"第{CHINESE_NUMBERS[i]}联络组", UnitKind.GRID_GROUP, office, order=100 + i)
        covered = [branches[branch_name]]
        dept_name = branch_name.removesuffix("党支部")
        if dept_name in academic:
            covered.append(academic[dept_name])
        group.covered_units.add(*covered)
        groups.append(group)

    # 1. Leaders: the secretary and the president see everything; vice presidents supervise units.
    b.person("leader", school, "党委书记", Rank.SCHOOL, [(Role.LEADER, None)], label="校领导（党委书记）")
    b.person("president", school, "校长", Rank.SCHOOL, [(Role.LEADER, None)])
    b.person("deputysec", school, "党委常务副书记", Rank.SCHOOL, [(Role.LEADER, None)])
    b.person("jiwei", school, "纪委书记", Rank.SCHOOL, [(Role.LEADER, None), (Role.DISCIPLINE, None)])
    supervised = [
        ("vp1", ["教务处", "科技处", "图文信息中心"]),
        ("vp2", ["人事处", "财务处", "国有资产管理处"]),
        ("vp3", ["学生工作处（团委）", "后勤管理处", "保卫处"]),
    ]
    for username, names in supervised:
        b.person(username, school, "副校长", Rank.SCHOOL, [(Role.LEADER, depts[n]) for n in names])

    # 2. The supervision office.
    b.person("office", office, "督查专员", Rank.SECTION, [(Role.OFFICE, None)], label="督查办（党委办公室）")
    b.person("office2", depts["校长办公室"], "综合科科长", Rank.SECTION, [(Role.OFFICE, None)])

    # 3. Every department and academic unit: a head, a deputy, a liaison and staff.
    heads = {}
    for unit in list(depts.values()) + list(academic.values()):
        is_academic = unit.kind == UnitKind.ACADEMIC
        head_user = "unithead" if unit.name == "教务处" else b.next_username("head")
        heads[unit.name] = b.person(
            head_user,
            unit,
            "主任" if is_academic else "处长",
            Rank.DIVISION,
            [(Role.UNIT_HEAD, unit)],
            label="单位负责人（教务处处长）" if head_user == "unithead" else None,
        )
        b.person(
            b.next_username("deputy"),
            unit,
            "副主任" if is_academic else "副处长",
            Rank.DEPUTY_DIVISION,
            [(Role.STAFF, unit)],
        )
        liaison_user = "liaison" if unit.name == "教务处" else b.next_username("liaison")
        b.person(
            liaison_user,
            unit,
            "综合科科长（联络员）",
            Rank.SECTION,
            [(Role.LIAISON, unit), (Role.STAFF, unit)],
            label="联络员（教务处）" if liaison_user == "liaison" else None,
        )
        for j in range(2):
            staff_user = "staff" if unit.name == "教务处" and j == 0 else b.next_username("staff")
            b.person(
                staff_user,
                unit,
                "科员",
                Rank.STAFF,
                [(Role.STAFF, unit)],
                label="职工（教务处）" if staff_user == "staff" else None,
            )

    # 4. Discipline inspection.
    jw = depts["纪委办公室（纪监处）"]
    b.person(
        "discipline",
        jw,
        "纪检监察员",
        Rank.SECTION,
        [(Role.DISCIPLINE, None), (Role.STAFF, jw)],
        label="纪检（纪委办公室）",
    )

    # 5. 机关党委 and its 22 branch secretaries (the subjects of the annual review).
    b.person("jgdw", party, "机关党委副书记", Rank.DIVISION, [(Role.UNIT_HEAD, party)])
    for i, branch in enumerate(branches.values()):
        b.person(f"branch{i + 1:02d}", branch, "党支部书记", Rank.DEPUTY_DIVISION, [(Role.UNIT_HEAD, branch)])

    # 6. Seven liaison groups, two members each (the rectification task force).
    for i, group in enumerate(groups):
        for j in range(2):
            username = "taskforce" if i == 0 and j == 0 else f"grid{i + 1}{j + 1}"
            b.person(
                username,
                office if j == 0 else depts["组织部"],
                f"{group.name}{'组长' if j == 0 else '成员'}",
                Rank.SECTION,
                [(Role.TASKFORCE, group)],
                label="联络组成员（第一联络组）" if username == "taskforce" else None,
            )

    # 7. The 32 participants of the democratic assessment (seed 004).
    voter_positions = (
        ["机关党委委员"] * 7
        + ["机关纪委委员"] * 5
        + ["校党代会代表"] * 8
        + ["教代会工代会代表"] * 8
        + ["民主党派代表"] * 4
    )
    voter_units = list(depts.values()) + list(academic.values())
    for i, position in enumerate(voter_positions):
        unit = voter_units[i % len(voter_units)]
        b.person(f"voter{i + 1:02d}", unit, position, Rank.STAFF, [(Role.STAFF, unit)])

    # 8. The three administrators, kept apart (三员分立).
    it = depts["图文信息中心"]
    b.person("sysadmin", it, "系统管理员", Rank.STAFF, [(Role.SYS_ADMIN, None)], label="系统管理员")
    b.person("secadmin", it, "安全管理员", Rank.STAFF, [(Role.SEC_ADMIN, None)], label="安全管理员")
    b.person(
        "auditadmin",
        depts["纪委办公室（纪监处）"],
        "审计管理员",
        Rank.STAFF,
        [(Role.AUDIT_ADMIN, None)],
        label="审计管理员",
    )
    return b.accounts
