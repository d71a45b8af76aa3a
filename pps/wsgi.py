"""The WSGI application. It refuses to start without valid encryption keys (R9)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pps.settings")

application = get_wsgi_application()

from pps.crypto import blind_index, get_key_ring  # noqa: E402

get_key_ring()  # ImproperlyConfigured, naming the variable, when missing or malformed
blind_index("name", "start-up check")

# Every URL pattern and view imported now, once: under gunicorn (``preload_app``) before the
# workers fork, so that no worker's first request waits for them.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
