import ipaddress
import time
from urllib.parse import urlsplit, urlunsplit

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from pps import services, session_limits
from pps.request_scope import request_scope
from pps.sign_in import fields_sent, locked_page, policy_page, url_with_next

#: The steps of signing in and out, reachable before the second factor.
SIGN_IN_STEPS = {"login", "logout", "otp_verify", "otp_setup", "otp_enrol", "otp_backup"}


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


class RequestScopeMiddleware:
    """Around each request: its ACCESS entries written together, in one statement, when the view
    has returned and before the response leaves (``pps.request_scope``); its reach read once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_scope():
            return self.get_response(request)


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


def _next_for(request) -> str:
    """Where to return after a sign-in step: the page asked for, if it was a plain page load, or
    for a background (htmx) request the page it came from."""
    if request.headers.get("HX-Request"):
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        return urlunsplit(("", "", current.path, current.query, "")) if current.path else ""
    return request.get_full_path() if request.method == "GET" else ""


def send_to(request, name: str):
    """Redirects to the sign-in step ``name``; a background (htmx) request gets the whole page
    sent there (``HX-Redirect``) rather than the step's page swapped into a fragment."""
    url = url_with_next(name, _next_for(request))
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class ViewMiddleware:
    """A middleware that acts only in ``process_view``, once the view is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class SecondFactorMiddleware(ViewMiddleware):
    """No page but the sign-in steps without the second factor (control 13).

    Enforced here for every URL rather than per view, so that a new view cannot forget it.
    Needs django-otp's ``OTPMiddleware`` before it.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in SIGN_IN_STEPS:
            return None
        return send_to(request, "otp_verify")


class SessionLimitsMiddleware(ViewMiddleware):
    """A session left idle locks; any session ends 12 hours after sign-in (R10; control 20).

    Idle means no page request for the service's ``idle_timeout_minutes``: the next request goes
    to "Your session was locked", which asks for the password again and then returns. Background
    requests (htmx GETs) do not count as activity, so a polling page cannot keep a session open.
    Twelve hours (``SESSION_COOKIE_AGE``) after signing in, the session ends whatever happens.
    """

    UNLOCK_STEPS = {"session_unlock", "logout"}

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        session, now = request.session, time.time()
        if session_limits.SIGNED_IN_AT not in session:
            session_limits.start(request)
            return None
        if now - session[session_limits.SIGNED_IN_AT] > settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(request, "You have been signed out because you signed in more than 12 hours ago")
            return send_to(request, "login")
        idle = now - session.get(session_limits.LAST_SEEN, 0)
        if session.get(session_limits.LOCKED) or idle > session.get(session_limits.IDLE_SECONDS, 15 * 60):
            if not user.is_verified():
                # Half signed in and left: nothing to return to, start again.
                logout(request)
                return send_to(request, "login")
            session[session_limits.LOCKED] = True
            if request.resolver_match.view_name in self.UNLOCK_STEPS:
                return None
            if request.method == "POST" and not request.headers.get("HX-Request"):
                # A form sent after the lock: ask for the password here, keeping what was sent.
                return locked_page(request, next_url=request.get_full_path(), carry=fields_sent(request))
            return send_to(request, "session_unlock")
        if session_limits.is_activity(request) and idle >= session_limits.RESOLUTION_SECONDS:
            session[session_limits.LAST_SEEN] = now
        return None


class PolicyAgreementMiddleware(ViewMiddleware):
    """Staff agree to the current version of their service's confidentiality policy before they
    reach anything (R17). A new version asks everyone again. Needs the second factor first."""

    STEPS = SIGN_IN_STEPS | {"session_unlock", "policy_agree"}

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.resolver_match.view_name in self.STEPS:
            return None
        if (policy := services.policy_to_agree(user)) is None:
            return None
        if request.method == "POST" and not request.headers.get("HX-Request"):
            # A form sent just after a new version was published: keep what was typed.
            return policy_page(request, policy, next_url=request.get_full_path(), carry=fields_sent(request))
        return send_to(request, "policy_agree")
