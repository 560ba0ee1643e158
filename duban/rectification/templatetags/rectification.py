"""Tags of the rectification pages, in Python: the ledger shows one per row of a long page."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from duban.lib.choices import display

register = template.Library()

CLOSURE_COLOURS = {"closed": "green", "reviewed": "blue", "requested": "yellow"}
SEVERITY_COLOURS = {"grave": "red", "serious": "yellow"}


@register.simple_tag
def closure_tag(measure):
    """The measure's closure state as a coloured tag."""
    colour = CLOSURE_COLOURS.get(measure.closure, "grey")
    return format_html('<span class="db-tag db-tag-{}">{}</span>', colour, display(measure, "closure"))


@register.simple_tag
def severity_tag(finding):
    """The finding's severity as a coloured tag."""
    colour = SEVERITY_COLOURS.get(finding.severity, "grey")
    return format_html('<span class="db-tag db-tag-{}">{}</span>', colour, display(finding, "severity"))


@register.simple_tag
def origin_tag(finding):
    """Where a finding came from, when not from the inspection itself: a 回头看 round (linked)
    or a piece of staff feedback; nothing otherwise."""
    if finding.origin_round_id:
        url = reverse("rectification:round_detail", args=[finding.origin_round_id])
        return format_html(
            '<a href="{}" class="text-decoration-none"><span class="db-tag db-tag-blue">{}</span></a>',
            url,
            gettext("回头看新发现"),
        )
    if finding.origin_feedback_id:
        return format_html('<span class="db-tag db-tag-blue">{}</span>', gettext("职工反映"))
    return mark_safe("")
