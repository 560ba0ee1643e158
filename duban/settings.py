"""duban settings: one module, read from the environment.

A fresh clone runs with no configuration: SQLite under var/, a SECRET_KEY generated
into var/ on first use, DEBUG off. See README.md for the variables.
"""

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from duban.lib.env import env_bool, env_int, env_list, env_str, secret_from_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DUBAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
TESTING = "pytest" in sys.modules

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or secret_from_file(VAR_DIR / "secret_key")
# Keys the security-event hash chain; kept apart from SECRET_KEY so rotating one
# does not invalidate the other.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY") or secret_from_file(VAR_DIR / "audit_chain_key")
# Encrypts sensitive settings kept in the database (the SMTP password); comma-separated
# for rotation, the first encrypting (see duban/lib/crypto.py). Back it up apart from the data.
SETTINGS_ENCRYPTION_KEYS = env_list("SETTINGS_ENCRYPTION_KEY", []) or [secret_from_file(VAR_DIR / "settings_key")]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "auditlog",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "duban.org",
    "duban.accounts",
    "duban.audit",
    "duban.system",
    "duban.workbench",
    "duban.notify",
    "duban.supervision",
    "duban.rectification",
    "duban.minutes",
    "duban.assessment",
    "duban.meetings",
    "duban.leave",
    "duban.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "duban.lib.ids.OutOfRangeIdMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "duban.accounts.middleware.SessionLifetimeMiddleware",
    "duban.accounts.middleware.SecondFactorMiddleware",
    "duban.accounts.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "duban.urls"
WSGI_APPLICATION = "duban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "duban" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "duban.workbench.context.navigation",
                "duban.notify.context.inbox",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------
# SQLite needs WAL, synchronous=NORMAL, a busy timeout and IMMEDIATE transactions,
# otherwise concurrent writers fail with "database is locked".
# Connections persist (CONN_MAX_AGE) on SQLite too: opening one reads the schema and runs
# the pragmas, about 3 ms, a third of a ballot cast.
DEFAULT_SQLITE_URL = "sqlite:///" + str(VAR_DIR / "duban.sqlite3")
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", DEFAULT_SQLITE_URL), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3") if env_bool("TEST_SQLITE_FILE") else None}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security baseline --------------------------------------------
AUTH_USER_MODEL = "org.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Reads the policy (character classes or length only) from the site settings.
    {"NAME": "duban.accounts.passwords.CharacterClassValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.ScryptPasswordHasher"]
)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout per username: 5 failures lock the account for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "duban.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
# The lockout is per username by design (等保: lock the account, not the office's shared NAT address).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# The second factor (django-otp TOTP): required of the three administrators, optional for others.
OTP_TOTP_ISSUER = "duban 督查督办"

# Failed logins are also limited per client address: counted in axes' failure log (in the
# database, so every server process sees the same count). The default is high enough for a
# campus behind one NAT address on a busy morning.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 100)
LOGIN_ADDRESS_WINDOW = timedelta(minutes=env_int("LOGIN_ADDRESS_WINDOW_MINUTES", 15))

# Idle sessions end after 30 minutes: the cookie age is renewed on every request. Whatever the
# activity, a login lasts at most SESSION_ABSOLUTE_HOURS (accounts.middleware.SessionLifetimeMiddleware).
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# HTTPS deployments (behind a TLS proxy) turn on the transport settings that
# `manage.py check --deploy` asks for.
HTTPS = env_bool("DUBAN_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline scripts or styles anywhere; every asset is served from this origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Uploads: spreadsheets and documents up to 20 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 20) * 1024 * 1024

# --- Language and time ---------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "duban" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (whitenoise) -----------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "duban" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Tests and DEBUG serve straight from the app folders; production serves the
# collected, compressed, hashed copies (`collectstatic`, run by `make run`).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Background jobs (huey): SQLite file by default, Redis when REDIS_URL is set --
REDIS_URL = env_str("REDIS_URL")
HUEY = {
    "name": "duban",
    "immediate": TESTING or env_bool("HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "connection": {"url": REDIS_URL}})
    # One cache for every server process: the ballot-code look-up limit is then shared.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# --- Mail: console in development; set EMAIL_HOST (and friends) to send for real ---
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
# The backend for the mail server set on the system settings page (duban.notify.mail).
MAIL_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "duban@localhost")

# --- Demo data: `load_demo` runs these after the demo institution, in order ---
DEMO_LOADERS = [
    "duban.supervision.demo.load_demo",
    "duban.rectification.demo.load_demo",
    "duban.assessment.demo.load_demo",
    "duban.leave.demo.load_demo",
    "duban.meetings.demo.load_demo",
]

# --- Audit ---------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Security events and login records are kept this many days (等保 2.0: at least 180;
# a smaller value fails `manage.py check`), then pruned nightly, each pruning recorded.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
# The record history (who changed which field of an item, finding, ...) is business
# history and is kept for good; set a number of days (at least 180) to prune it too.
RECORD_HISTORY_RETENTION_DAYS = env_int("RECORD_HISTORY_RETENTION_DAYS", 0)
# Each security event is also written, as one JSON line, to the "duban.security" logger
# for an external log system (SIEM): to syslog when SECURITY_LOG_SYSLOG is "host:port"
# (UDP) or a socket path such as /dev/log, to a file when SECURITY_LOG_FILE is set,
# and otherwise to the console with the rest of the log.
SECURITY_LOG_SYSLOG = env_str("SECURITY_LOG_SYSLOG")
SECURITY_LOG_FILE = env_str("SECURITY_LOG_FILE")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "duban.security": {"level": "INFO"}},
}
if SECURITY_LOG_SYSLOG or SECURITY_LOG_FILE:
    LOGGING["formatters"] = {"message": {"format": "%(message)s"}}
    security_handlers = []
    if SECURITY_LOG_SYSLOG:
        host, _, port = SECURITY_LOG_SYSLOG.rpartition(":")
        address = (host, int(port)) if host and port.isdecimal() else SECURITY_LOG_SYSLOG
        LOGGING["handlers"]["security_syslog"] = {
            "class": "logging.handlers.SysLogHandler",
            "address": address,
            "facility": "authpriv",
            "formatter": "message",
        }
        security_handlers.append("security_syslog")
    if SECURITY_LOG_FILE:
        LOGGING["handlers"]["security_file"] = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": SECURITY_LOG_FILE,
            "formatter": "message",
            "encoding": "utf-8",
        }
        security_handlers.append("security_file")
    LOGGING["loggers"]["duban.security"] = {"level": "INFO", "handlers": security_handlers, "propagate": False}
