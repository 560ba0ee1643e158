import json
import subprocess
import sys
from pathlib import Path

import pytest

from duban.minutes.extract import extract
from duban.minutes.normalise import fix_dates, normalise
from duban.minutes.units import DEFAULT_UNITS
from tests.markers import DB_FREE
from tests.minutes import evaluate

SEEDS = Path("/work/shared/seeds")
UNITS = [(n, "") for n in DEFAULT_UNITS]

# Written by hand from reading the seeds: (meeting_date, [(headline, speaker, deadline)])
SEED_EXPECTED = {
    "000": (
        "2022-08-29",
        [
            ("思想解放要有新突破", "冯正玉", None),
            ("精神面貌要有新改观", "冯正玉", None),
            ("履职尽责要有新担当", "冯正玉", None),
            ("遵规守纪要有新境界", "冯正玉", None),
        ],
    ),
    "001": (
        "2020-10-08",
        [
            ("提高站位，进一步深化思想认识", "曹胜强", None),
            ("凝心聚力，加快攻坚突破推进力度", "曹胜强", None),
            ("抢抓机遇，破解难题推进高质量发展", "曹胜强", "2020-10-15"),
            ("把目标任务盯得更紧", "李东", "2020-12-31"),
            ("把攻坚项目抓得更牢", "李东", None),
            ("把攻坚责任压得更实", "李东", None),
        ],
    ),
    "002": (
        "2021-03-18",
        [
            ("关注时限，保证质量", "姚力军", None),
            ("注重实效，推进发展", "姚力军", None),
            ("落实责任，统筹推进", "姚力军", None),
        ],
    ),
    "003": (
        "2009-06-19",
        [
            ("深化学习", "苟润祥", None),
            ("落实整改", "苟润祥", None),
            ("健全制度", "苟润祥", None),
            ("反馈结果", "苟润祥", None),
            ("提升工作", "苟润祥", None),
            ("加强机关思想政治和作风建设", "苟润祥", None),
            ("进一步强化机关制度建设", "苟润祥", None),
            ("探索机关督导检查机制", "苟润祥", None),
        ],
    ),
    "004": (
        "2022-01-07",
        [
            ("加强政治建设，进一步提升政治站位", "李森林", None),
            ("强化理论武装，进一步提升理论水平", "李森林", None),
            ("激发基层组织活力", "李森林", None),
            ("强化党史学习教育", "李森林", None),
            ("认真履行“一岗双责”", "李森林", None),
        ],
    ),
}


def _seed(prefix):
    return next(SEEDS.glob(prefix + "_*.txt")).read_text(encoding="utf-8")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds folder not present")
@pytest.mark.parametrize("prefix", sorted(SEED_EXPECTED))
def test_seed(prefix):
    from datetime import date

    pub = date(2022, 1, 10) if prefix == "004" else None
    got = extract(_seed(prefix), published=pub, units=UNITS, expand_off=True)
    md, items = SEED_EXPECTED[prefix]
    assert got["meeting_date"] == md
    assert len(got["items"]) == len(items)
    for it, (head, speaker, dl) in zip(got["items"], items, strict=True):
        assert evaluate.headlines_match(it["headline"], head), (it["headline"], head)
        assert it["speaker"] == speaker
        assert it["deadline"] == dl


def test_corpus_f1_floor():
    figures = evaluate.score(evaluate.corpus_cases())
    assert figures["f1"] >= 0.97, figures
    assert figures["speaker_acc"] >= 0.97, figures
    assert figures["deadline_acc"] >= 0.97, figures
    assert figures["meeting_date_acc"] >= 0.95, figures
    assert figures["documents"] >= 26


def _wrapped(width, sep="\n"):
    """Hard-wrap every paragraph at `width` characters, as text copied from a PDF or a phone."""

    def wrap(text):
        return "\n".join(sep.join(p[i : i + width] for i in range(0, len(p), width)) for p in text.split("\n"))

    return wrap


def _traditional(text):
    from opencc import OpenCC

    return OpenCC("s2t").convert(text)


@pytest.mark.parametrize(
    "variant",
    [_traditional, _wrapped(36), _wrapped(36, "\n\n"), _wrapped(24), lambda t: t.replace("\n", "\r\n\r\n")],
    ids=["traditional", "wrap36", "wrap36-blank", "wrap24", "crlf-blank"],
)
def test_corpus_survives_noise(variant):
    """The same reports, made noisier: the figures hold (no rule depends on the corpus's layout)."""
    cases = []
    for txt in sorted(evaluate.CORPUS.glob("*.txt")):
        exp = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
        got = extract(variant(txt.read_text(encoding="utf-8")), units=UNITS, expand_off=True)
        cases.append((got, exp))
    figures = evaluate.score(cases)
    assert figures["f1"] >= 0.95, figures
    assert figures["speaker_acc"] >= 0.95, figures


def test_meeting_date_skips_deadlines_and_reads_minutes_header():
    text = "时间：2024年6月18日\n地点：会议室\n桂晨阳在总结讲话中要求：①7月15日前每人撰写体会；②每月学习一次。"
    assert extract(text)["meeting_date"] == "2024-06-18"


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("每周通报", "2024-05-16"),
        ("每两周通报", "2024-05-23"),
        ("每月报送", "2024-06-09"),
        ("每季度报送", "2024-08-09"),
        ("10月底前完成", "2024-10-31"),
        ("3月底前完成", "2025-03-31"),
        ("两周内拿出方案", "2024-05-23"),
        ("年底前出台", "2024-12-31"),
    ],
)
def test_deadlines(phrase, due):
    from datetime import date

    from duban.minutes.dates import deadline

    assert deadline(phrase, date(2024, 5, 9)).isoformat() == due


def test_a_new_list_of_the_same_style_ends_the_previous_one():
    text = (
        "5月6日，某学院召开会议。党委书记霍启航提出两点意见：一要统一思想认识。二要强化协同配合。\n"
        "院长魏承志提出三点要求：一要抓进度。二要抓质量。三要抓督查。"
    )
    got = extract(text)["items"]
    assert [(it["speaker"], it["headline"]) for it in got] == [
        ("霍启航", "要统一思想认识"),
        ("霍启航", "要强化协同配合"),
        ("魏承志", "要抓进度"),
        ("魏承志", "要抓质量"),
        ("魏承志", "要抓督查"),
    ]


def test_progress_lists_are_not_requirements():
    text = (
        "9月1日，某大学召开推进会，校长何家骏出席。大家一致认为，今年以来工作扎实推进：一是累计开展学习12次；"
        "二是已完成整改41项。\n何家骏要求：一是持续深化学习；二是狠抓整改落实。"
    )
    assert [it["headline"] for it in extract(text)["items"]] == ["持续深化学习", "狠抓整改落实"]


def test_unnumbered_requirements_when_nothing_is_numbered():
    text = "2月26日，市教育局召开会议，局长龚立言出席。龚立言强调，各单位要压实责任。要排查隐患。要加强治理。"
    got = extract(text)["items"]
    assert [it["headline"] for it in got] == ["各单位要压实责任", "要排查隐患", "要加强治理"]
    assert {it["speaker"] for it in got} == {"龚立言"}


def test_speakers_need_a_surname_and_take_compound_ones():
    from duban.minutes.speakers import find_speakers

    found = find_speakers("3月12日，学校召开校长办公会议。党委副书记、校长欧阳明远出席会议，党委书记高度重视。")
    assert found == {"欧阳明远": "校长"}


def test_minutes_decided_by_the_meeting_have_no_speaker():
    text = (
        "2023年6月8日，院长沈牧之主持召开院长办公会议，副院长贺兰芝出席。\n"
        "会议议定事项如下：\n1.教务处要开展专项行动。\n2.财务处要做好保障。"
    )
    assert [it["speaker"] for it in extract(text)["items"]] == [None, None]


def test_normalise_noise_and_traditional():
    n = normalise(
        "当前位置: 首页 - 新闻\n作者: 时间:2020-01-01 点击数:\n機(jī)關(guān)黨委召開(kāi)會(huì)議。\n网站地图"
    )
    assert n.text == "机关党委召开会议。"
    assert len(n.offsets) == len(n.text)
    assert fix_dates("829日上午") == "8月29日上午"
    assert fix_dates("111日") == "111日"  # ambiguous: 1月11日 or 11月1日


def _cmd(*args):
    return subprocess.run(
        [sys.executable, "manage.py", "extract_minutes", *args],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )


@DB_FREE
def test_command_json_and_errors(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(
        "3月2日，某学院召开会议，院长王一明讲话。王一明强调，一要抓落实，年底前完成。二要抓督查。".encode("gb18030")
    )
    r = _cmd(str(p), "--published", "2023-03-03")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) == {"meeting_date", "items", "units_mentioned"}
    assert data["meeting_date"] == "2023-03-02"
    assert set(data["items"][0]) == {"ordinal", "speaker", "headline", "text", "deadline", "units"}
    assert data["items"][0]["deadline"] == "2023-12-31"
    for bad in (tmp_path / "missing.txt", tmp_path / "empty.txt", tmp_path / "bin.txt"):
        if bad.name == "empty.txt":
            bad.write_text("")
        if bad.name == "bin.txt":
            bad.write_bytes(bytes(range(256)) * 4)
        r = _cmd(str(bad))
        assert r.returncode == 2 and r.stderr.strip()
