"""Status words and the colours charts draw them in: the one mapping from a status
colour to a hex value, matching the `db-tag-<colour>` classes of duban.css."""

from duban.supervision.status import SEVERITY, Colour, Policy, Status

COLOUR_HEX = {
    Colour.GREEN: "#1e7b3a",
    Colour.BLUE: "#1d4f91",
    Colour.YELLOW: "#d69e00",
    Colour.RED: "#b4232a",
    Colour.GREY: "#8a949f",
}
# Charts stack colours worst first.
COLOUR_ORDER = [Colour.RED, Colour.YELLOW, Colour.GREEN, Colour.BLUE, Colour.GREY]
STATUS_LABELS = {value: str(label) for value, label in Status.choices}


def colour_hex(colour: str) -> str:
    return COLOUR_HEX.get(colour, COLOUR_HEX[Colour.GREY])


def status_legend(policy: Policy) -> list[dict]:
    """The statuses worst first, each with its word, tag colour and hex."""
    return [
        {"status": str(s), "label": STATUS_LABELS[s], "colour": policy.colour(s), "hex": colour_hex(policy.colour(s))}
        for s in SEVERITY
    ]


def colour_words(policy: Policy) -> dict[str, str]:
    """What each colour means under a plan's policy, in words ("滞后/临期/已延期"), so a
    chart coloured by colour still names its series."""
    words: dict[str, list[str]] = {}
    for status in SEVERITY:
        words.setdefault(policy.colour(status), []).append(STATUS_LABELS[status])
    labels = dict(Colour.choices)
    return {str(c): "/".join(words.get(c, [])) or str(labels[c]) for c in COLOUR_ORDER}
