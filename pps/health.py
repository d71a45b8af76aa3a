"""The health check for load balancers: ``/healthz``.

Answers "ok" when this instance can reach its database (``SELECT 1``), and "unavailable" (503)
when it cannot, so that the load balancer stops sending it requests. It says nothing else: no
version, no database name, no error text. Open without signing in, exempt from the redirect to
HTTPS (``SECURE_REDIRECT_EXEMPT``: load balancers often check over plain HTTP), never cached.
The load balancer must send a ``Host`` header listed in ``ALLOWED_HOSTS``.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("pps.health")


@login_not_required
@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("health check: the database is unreachable", exc_info=error)
        return HttpResponse("unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
