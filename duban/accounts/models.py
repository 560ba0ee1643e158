"""Personal API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "dbn_"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored; the token itself is
    shown once, when created."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("用途"), max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("令牌开头"), max_length=12)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]
        indexes = [
            # api.auth.TokenAuth looks tokens up by digest among live ones.
            models.Index(fields=["digest"], condition=Q(revoked_at__isnull=True), name="apitoken_live_digest"),
        ]

    def __str__(self):
        return f"{self.name}（{self.hint}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
