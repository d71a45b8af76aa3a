import ipaddress

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Pages seen by a signed-in person may hold personal data: never cache them anywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class AuditContextMiddleware(AuditlogMiddleware):
    """Puts the signed-in person and their address on every audit entry of the request.

    The address is the connecting peer's, unless ``TRUSTED_PROXY_COUNT`` proxies stand in front,
    in which case it is read from ``X-Forwarded-For`` at that depth. A forged header can neither
    choose the recorded address nor break the entry with a value that is not an address.
    """

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)


def client_ip(request) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    candidate = request.META.get("REMOTE_ADDR")
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
