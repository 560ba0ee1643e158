"""Password rules of the 等保 kind: at least three of four character classes,
or (when the system administrator switches it) length only."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASS_TESTS = (str.islower, str.isupper, str.isdigit, lambda ch: not ch.isalnum())


def character_classes(password: str) -> int:
    return sum(1 for test in CLASS_TESTS if any(test(ch) for ch in password))


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def _enforced(self) -> bool:
        from duban.system.models import PasswordPolicy, SiteSettings

        return SiteSettings.current().password_policy == PasswordPolicy.CLASSES

    def validate(self, password, user=None):
        if self._enforced() and character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字和符号中的至少三类。"), code="password_too_simple"
            )

    def get_help_text(self):
        if self._enforced():
            return _("密码须包含大写字母、小写字母、数字和符号中的至少三类。")
        return ""


def chinese_password_errors(error: ValidationError) -> ValidationError:
    """Django's own Chinese catalogue lacks the "too short" message (its English text
    changed in Django 5); give it in Chinese like the other validators' messages."""
    messages = []
    for item in error.error_list:
        if item.code == "password_too_short":
            min_length = (item.params or {}).get("min_length", 8)
            messages.append(
                ValidationError(
                    _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": min_length}, code=item.code
                )
            )
        else:
            messages.append(item)
    return ValidationError(messages)
