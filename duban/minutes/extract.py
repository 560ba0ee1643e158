"""Tie the steps together: text in, plain data out."""

from .dates import deadline, header_date, meeting_date, publication_date
from .enumerate import find_requirements
from .normalise import normalise
from .speakers import find_speakers, speaker_before
from .units import match_units


def extract(original, published=None, units=None, expand_off=False):
    """Return {"meeting_date", "items", "units_mentioned"} plus source spans in "spans"."""
    norm = normalise(original)
    if published is None:
        published = publication_date(original)
    text = norm.text
    mdate = meeting_date(text, published) or header_date(original)
    speakers = find_speakers(text)
    units = units if units is not None else []
    expand = bool(units) and not expand_off
    items = []
    chain_speaker = {}
    for k, p in enumerate(find_requirements(text), start=1):
        if p.lead in speakers:
            speaker = p.lead
        elif p.chain in chain_speaker:
            speaker = chain_speaker[p.chain]
        else:
            speaker = chain_speaker[p.chain] = speaker_before(text, p.start, speakers)
        items.append(
            {
                "ordinal": k,
                "speaker": speaker,
                "headline": p.headline,
                "text": p.text,
                "deadline": _iso(deadline(p.text, mdate)),
                "units": match_units(p.text, units, expand=expand),
                "_span": (
                    norm.offsets[p.start] if norm.offsets else 0,
                    norm.offsets[p.end - 1] + 1 if norm.offsets and p.end else 0,
                ),
            }
        )
    return {
        "meeting_date": _iso(mdate),
        "items": items,
        "units_mentioned": match_units(text, units, expand=expand),
    }


def public(result):
    """The JSON shape of the command line (no private keys)."""
    return {
        "meeting_date": result["meeting_date"],
        "items": [{k: v for k, v in it.items() if not k.startswith("_")} for it in result["items"]],
        "units_mentioned": result["units_mentioned"],
    }


def _iso(d):
    return d.isoformat() if d else None
