"""The WSGI application. It refuses to start without valid encryption keys (R9)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pps.settings")

application = get_wsgi_application()

from pps.crypto import blind_index, get_key_ring  # noqa: E402

get_key_ring()  # ImproperlyConfigured, naming the variable, when missing or malformed
blind_index("name", "start-up check")
