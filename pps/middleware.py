import time

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from pps import auth_log, services, session_limits
from pps.password_checks import PasswordChecksBusy
from pps.request_scope import request_scope
from pps.requests import client_ip, fields_sent, send_to
from pps.sign_in import locked_page, policy_page

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


class PasswordChecksBusyMiddleware:
    """Every slot for password checks stayed taken (``pps.password_checks``): "too many people
    are signing in at the moment" (503), and nothing counted, neither failure nor success."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PasswordChecksBusy):
            return None
        auth_log.record("password_checks_busy", request)
        again = request.get_full_path() if request.method == "POST" else "/"
        response = render(request, "pps/busy.html", {"again": again, "sign_in_step": True}, status=503)
        response["Retry-After"] = "5"
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


class ViewMiddleware:
    """A middleware that acts only in ``process_view``, once the view is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class SecondFactorMiddleware(ViewMiddleware):
    """No page but the sign-in steps without the second factor (control 13).

    Enforced here for every URL rather than per view, so that a new view cannot forget it.
    Needs ``pps.signed_in.SignedInMiddleware`` (django-otp's ``OTPMiddleware``) before it.
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
    reach anything (R17). A new version asks everyone again. Needs the second factor first.

    Reading the person (``pps.signed_in``) told whether they agreed to the newest version: the
    policy itself is read only when they have not."""

    STEPS = SIGN_IN_STEPS | {"session_unlock", "policy_agree"}

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.resolver_match.view_name in self.STEPS:
            return None
        if getattr(user, "agreed_to_current_policy", False):
            return None
        if (policy := services.policy_to_agree(user)) is None:
            return None
        if request.method == "POST" and not request.headers.get("HX-Request"):
            # A form sent just after a new version was published: keep what was typed.
            return policy_page(request, policy, next_url=request.get_full_path(), carry=fields_sent(request))
        return send_to(request, "policy_agree")
