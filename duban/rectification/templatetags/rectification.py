"""Tags of the rectification pages, in Python: the ledger shows one per row of a long page."""

from django import template
from django.utils.html import format_html

register = template.Library()

CLOSURE_COLOURS = {"closed": "green", "reviewed": "blue", "requested": "yellow"}
SEVERITY_COLOURS = {"grave": "red", "serious": "yellow"}


@register.simple_tag
def closure_tag(measure):
    """The measure's closure state as a coloured tag."""
    colour = CLOSURE_COLOURS.get(measure.closure, "grey")
    return format_html('<span class="db-tag db-tag-{}">{}</span>', colour, measure.get_closure_display())


@register.simple_tag
def severity_tag(finding):
    """The finding's severity as a coloured tag."""
    colour = SEVERITY_COLOURS.get(finding.severity, "grey")
    return format_html('<span class="db-tag db-tag-{}">{}</span>', colour, finding.get_severity_display())
