"""Evaluate extraction against annotated texts: P/R/F1 of requirements, accuracy of the rest.

Run: .venv/bin/python tests/minutes/evaluate.py [--verbose]
--verbose prints, per document, the annotated items that were missed, the proposed items that match
nothing, wrong speakers/deadlines of matched items, and a wrong meeting date.
"""

import json
import os
import sys
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


def _setup():
    if "django" not in sys.modules or not os.environ.get("DJANGO_SETTINGS_MODULE"):
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
        import django

        django.setup()


def longest_common_run(a, b):
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def headlines_match(proposed, annotated):
    need = min(8, len(annotated))
    return need > 0 and longest_common_run(proposed, annotated) >= need


def align(proposed, annotated):
    """One-to-one, in order: greedy walk keeping order (pairs of indexes)."""
    pairs, j0 = [], 0
    for i, p in enumerate(proposed):
        for j in range(j0, len(annotated)):
            if headlines_match(p["headline"], annotated[j]["headline"]):
                pairs.append((i, j))
                j0 = j + 1
                break
    return pairs


def score(cases):
    """cases: list of (result, expected). Returns a dict of figures."""
    tp = fp = fn = 0
    sp_ok = sp_n = dl_ok = dl_n = md_ok = 0
    for got, exp in cases:
        pairs = align(got["items"], exp["items"])
        tp += len(pairs)
        fp += len(got["items"]) - len(pairs)
        fn += len(exp["items"]) - len(pairs)
        for i, j in pairs:
            sp_n += 1
            dl_n += 1
            sp_ok += got["items"][i]["speaker"] == exp["items"][j].get("speaker")
            dl_ok += got["items"][i]["deadline"] == exp["items"][j].get("deadline")
        md_ok += got["meeting_date"] == exp["meeting_date"]
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(f1, 3),
        "speaker_acc": round(sp_ok / sp_n, 3) if sp_n else 1.0,
        "deadline_acc": round(dl_ok / dl_n, 3) if dl_n else 1.0,
        "meeting_date_acc": round(md_ok / len(cases), 3) if cases else 1.0,
        "documents": len(cases),
    }


def report(cases, names, out=sys.stdout):
    """Per-document misses (annotated, not found) and spurious proposals (found, not annotated)."""
    for name, (got, exp) in zip(names, cases, strict=True):
        pairs = align(got["items"], exp["items"])
        hit_got = {i for i, _ in pairs}
        hit_exp = {j for _, j in pairs}
        lines = []
        if got["meeting_date"] != exp["meeting_date"]:
            lines.append(f"  date: got {got['meeting_date']} want {exp['meeting_date']}")
        for j, it in enumerate(exp["items"]):
            if j not in hit_exp:
                lines.append(f"  MISS  {it['headline']}")
        for i, it in enumerate(got["items"]):
            if i not in hit_got:
                lines.append(f"  SPUR  {it['headline']}")
        for i, j in pairs:
            g, e = got["items"][i], exp["items"][j]
            if g["speaker"] != e.get("speaker"):
                lines.append(f"  speaker [{e['headline'][:12]}]: got {g['speaker']} want {e.get('speaker')}")
            if g["deadline"] != e.get("deadline"):
                lines.append(f"  deadline [{e['headline'][:12]}]: got {g['deadline']} want {e.get('deadline')}")
        status = "ok" if not lines else f"{len(pairs)}/{len(exp['items'])} matched, {len(got['items'])} proposed"
        print(f"{name}: {status}", file=out)
        for line in lines:
            print(line, file=out)


def corpus_names():
    return [txt.stem for txt in sorted(CORPUS.glob("*.txt"))]


def corpus_cases():
    from datetime import date

    from duban.minutes.extract import extract
    from duban.minutes.units import DEFAULT_UNITS

    units = [(n, "") for n in DEFAULT_UNITS]
    cases = []
    for txt in sorted(CORPUS.glob("*.txt")):
        exp = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
        pub = date.fromisoformat(exp["published"]) if exp.get("published") else None
        got = extract(txt.read_text(encoding="utf-8"), published=pub, units=units, expand_off=True)
        cases.append((got, exp))
    return cases


if __name__ == "__main__":
    _setup()
    cases = corpus_cases()
    if "--verbose" in sys.argv[1:] or "-v" in sys.argv[1:]:
        report(cases, corpus_names())
    print(json.dumps(score(cases), ensure_ascii=False, indent=2))
