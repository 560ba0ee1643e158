"""The connection mail goes out on: the server the system administrator set on the
settings page (its password decrypted only here, at sending time), or, when none is
enabled, Django's EMAIL_* settings from the environment."""

from django.conf import settings
from django.core.mail import get_connection

from duban.lib.crypto import is_unreadable
from duban.system.models import MailSecurity, MailSettings

ERR_PASSWORD_UNREADABLE = "邮件服务器口令无法解密（加密密钥已更换或丢失），请系统管理员在系统设置中重新填写。"
TIMEOUT_SECONDS = 20


class MailNotConfigured(Exception):
    pass


def mail_setup(config: MailSettings | None = None):
    """(connection, from address) for sending now."""
    config = config if config is not None else MailSettings.current()
    if not config.enabled:
        return get_connection(), settings.DEFAULT_FROM_EMAIL
    if is_unreadable(config.password):
        raise MailNotConfigured(ERR_PASSWORD_UNREADABLE)
    connection = get_connection(
        settings.MAIL_SMTP_BACKEND,
        host=config.host,
        port=config.port,
        username=config.username or None,
        password=config.password or None,
        use_tls=config.security == MailSecurity.STARTTLS,
        use_ssl=config.security == MailSecurity.SSL,
        timeout=TIMEOUT_SECONDS,
    )
    return connection, config.from_email
