"""Settings for the bench process: the product's own settings plus Django's admin site, whose
changelist is the yardstick of issue 8 ("what a clerk would otherwise use")."""

from duban.settings import *  # noqa: F403
from duban.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]
ROOT_URLCONF = "bench.urls"

# The bench logs in a few personas per tier: their security events' JSON lines (which a
# deployment sends to its log system) would bury the figures.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "duban.security": {"level": "WARNING"}}}  # noqa: F405
