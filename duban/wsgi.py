import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
application = get_wsgi_application()
# Import every view now, while the worker boots, rather than on its first request: otherwise
# the first requests a fresh worker receives (a burst of ballots, say) wait seconds for them.
get_resolver().url_patterns  # noqa: B018
