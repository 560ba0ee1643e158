"""Ballot codes, ballots and paper entries.

The anonymity rules (docs/BALLOT_ANONYMITY.md) shape these tables:
- a code row knows its group and whether it was used, never when and never by which ballot;
- a cast ballot first lands, encrypted, in PendingBallot (same transaction as the code use, so a
  crash never loses an acknowledged ballot), and moves to Ballot only when the vote closes, all
  pending ballots together, in shuffled order, with random keys and no timestamps;
- nothing here is registered with the audit log.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def cell(subject_id, dimension_id=None) -> str:
    """The key of one rating in a ballot's marks: a subject, or a subject on one dimension."""
    return f"{subject_id}" if dimension_id is None else f"{subject_id}:{dimension_id}"


class CodeBatch(models.Model):
    """One generation of codes for a group: printed slips, or codes shown on the screen."""

    class Kind(models.TextChoices):
        SLIPS = "slips", _("打印票签")
        SCREEN = "screen", _("屏幕逐个显示")

    session = models.ForeignKey("assessment.ReviewSession", on_delete=models.CASCADE, related_name="batches")
    group = models.ForeignKey("assessment.VoterGroup", on_delete=models.CASCADE, related_name="batches")
    kind = models.CharField(_("方式"), max_length=8, choices=Kind.choices)
    count = models.PositiveIntegerField(_("数量"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("投票码批次")
        verbose_name_plural = _("投票码批次")
        ordering = ["session_id", "id"]

    def __str__(self):
        return f"{self.group} × {self.count}"


class BallotCode(models.Model):
    """A single-use credential. Only a keyed hash of the code is stored: whoever reads the
    database cannot vote with it, and the printed slip is the only copy of the code."""

    session = models.ForeignKey("assessment.ReviewSession", on_delete=models.CASCADE, related_name="codes")
    group = models.ForeignKey("assessment.VoterGroup", on_delete=models.CASCADE, related_name="codes")
    batch = models.ForeignKey(CodeBatch, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    voided = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("投票码")
        verbose_name_plural = _("投票码")
        indexes = [models.Index(fields=["session", "group", "used"], name="code_turnout")]

    def __str__(self):
        return f"{self.group_id}:{self.pk}"


class PendingBallot(models.Model):
    """A cast ballot waiting for the close: its content encrypted with a key derived from the
    server's secret, so the database alone cannot tell which content came with which code use."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey("assessment.ReviewSession", on_delete=models.CASCADE, related_name="pending")
    payload = models.BinaryField()

    def __str__(self):
        return str(self.pk)


class BallotSource(models.TextChoices):
    ONLINE = "online", _("扫码投票")
    PAPER = "paper", _("纸质选票")


class Ballot(models.Model):
    """A counted ballot. Written only at close, in shuffled batches, with a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey("assessment.ReviewSession", on_delete=models.CASCADE, related_name="ballots")
    group = models.ForeignKey("assessment.VoterGroup", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=8, choices=BallotSource.choices)
    marks = models.JSONField(default=dict)
    valid = models.BooleanField(default=True)
    invalid_reason = models.CharField(max_length=200, blank=True)
    receipt = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        indexes = [models.Index(fields=["session", "group"], name="ballot_session_group")]

    def __str__(self):
        return str(self.pk)


class PaperEntry(models.Model):
    """One clerk's typing of one paper slip. Two clerks type every slip independently; a slip
    counts when both agree, or after the office resolves the difference against the slip."""

    session = models.ForeignKey("assessment.ReviewSession", on_delete=models.CASCADE, related_name="paper_entries")
    group = models.ForeignKey("assessment.VoterGroup", on_delete=models.CASCADE, related_name="paper_entries")
    slip_no = models.PositiveIntegerField(_("票号"))
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marks = models.JSONField(default=dict)
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("纸质选票录入")
        verbose_name_plural = _("纸质选票录入")
        ordering = ["session_id", "group_id", "slip_no", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "group", "slip_no", "clerk"], name="paper_entry_once"),
        ]

    def __str__(self):
        return f"{self.group_id}#{self.slip_no}"


class PaperResolution(models.Model):
    """The office's reading of a slip whose two entries differ."""

    session = models.ForeignKey("assessment.ReviewSession", on_delete=models.CASCADE, related_name="paper_resolutions")
    group = models.ForeignKey("assessment.VoterGroup", on_delete=models.CASCADE, related_name="+")
    slip_no = models.PositiveIntegerField(_("票号"))
    marks = models.JSONField(default=dict)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("纸质选票核对")
        verbose_name_plural = _("纸质选票核对")
        constraints = [
            models.UniqueConstraint(fields=["session", "group", "slip_no"], name="paper_resolution_once"),
        ]

    def __str__(self):
        return f"{self.group_id}#{self.slip_no}"
