"""Forgotten your password? A link by email to choose a new one (controls 17, 18, 21).

- The request page answers the same whatever was typed: "if an account matches, we have sent an
  email". The same work is done either way (the email is written, then not sent), so the answer
  does not come noticeably faster for a name that matches nothing.
- Only an active account with an email address gets a link, sent to the address on the account,
  never to what was typed. The email holds the link and nothing about the person.
- The link holds a one-time token (Django's ``default_token_generator``): it stops working once
  the password has changed, and ``PASSWORD_RESET_TIMEOUT`` (30 minutes) after it was sent.
- The new password passes ``AUTH_PASSWORD_VALIDATORS``. Changing it ends every session of the
  account (Django's session auth hash) and signs no one in: the person then signs in with the new
  password and the code from their authenticator app, as always.
- At most ``LIMIT`` requests from one address in ``LIMIT_WINDOW`` send anything; beyond that the
  page is the same and nothing is sent. They are counted in the shared cache (``CACHES``: a
  database table, so every worker process and server counts together), each request taking one
  of ``LIMIT`` slots with an atomic ``add``, so that requests arriving at once cannot overshoot.
- The token never appears in a URL the server sees (nor, so, in any access log or Referer): the
  emailed link carries it after ``#``, which browsers never send; the page's script posts it.
- Logged through ``pps.auth_log``: each request, naming the account only when one matched and
  never what was typed; each password changed.
"""

import datetime as dt
import smtplib
import unicodedata
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.cache import never_cache

from pps import auth_log
from pps.forms import PASSWORD_MAX_LENGTH, Form, GovukFormMixin
from pps.requests import client_ip

#: Requests from one address that may send an email, per window.
LIMIT = 5
LIMIT_WINDOW = dt.timedelta(minutes=15)
SUBJECT = "Choose a new password for Parent Partnership casework"
#: The account a reset link named, kept in the session beside Django's copy of its token.
LINK_USER_SESSION_KEY = "_password_reset_user"


class ResetRequestForm(Form):
    account = forms.CharField(
        label="Username or email address",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your username or email address",
            "max_length": "A username or email address has at most 254 characters",
        },
    )


def _same_text(typed: str, stored: str) -> bool:
    """Case-insensitive and Unicode-safe, as Django's own reset form compares email addresses."""
    return unicodedata.normalize("NFKC", typed).casefold() == unicodedata.normalize("NFKC", stored).casefold()


def accounts_for(typed: str) -> list:
    """The accounts a reset link may go to for what was typed: active, with a usable password and
    an email address, whose username is exactly ``typed`` or whose email address is ``typed``."""
    typed = typed.strip()
    if not typed:
        return []
    candidates = get_user_model()._default_manager.filter(
        Q(username=typed) | Q(email__iexact=typed), is_active=True
    )
    return [
        user
        for user in candidates
        if user.email
        and user.has_usable_password()
        and (user.username == typed or _same_text(typed, user.email))
    ]


def within_limit(request) -> bool:
    """Counts this request against its address; False once the address has used up the window.

    Each of the ``LIMIT`` slots of an address is a cache entry that lives ``LIMIT_WINDOW``;
    ``cache.add`` takes a free one or fails, atomically in every cache backend (the database
    cache inserts under the entry's primary key)."""
    address = client_ip(request) or "unknown"
    window = int(LIMIT_WINDOW.total_seconds())
    return any(cache.add(f"pps:password-reset:{address}:{slot}", 1, timeout=window) for slot in range(LIMIT))


def link_email(request, user) -> EmailMessage:
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    # After "#": browsers never send it, so the token is in no access log or Referer header.
    link = (
        request.build_absolute_uri(reverse("password_reset_confirm"))
        + "#"
        + urlencode({"user": uid, "token": token})
    )
    context = {"link": link, "minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
    body = render_to_string("pps/password_reset_email.txt", context)
    return EmailMessage(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send_reset_link(request, typed: str) -> None:
    """Emails a link to each account ``typed`` names, unless the address is over its limit."""
    accounts = accounts_for(typed)
    allowed = within_limit(request)
    if not accounts:
        # Written for a stand-in account and thrown away: the same work as for a match.
        link_email(request, get_user_model()(email="nobody@localhost"))
        auth_log.record("password_reset_requested", request, None, matched=False, limited=not allowed)
        return
    for user in accounts:
        message = link_email(request, user)
        auth_log.record("password_reset_requested", request, user, matched=True, limited=not allowed)
        if not allowed:
            continue
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            auth_log.record("password_reset_email_failed", request, user, error=type(error).__name__)


#: Each page is open without signing in, and never kept by the browser.
reset_step = method_decorator([login_not_required, never_cache], name="dispatch")


class ResetStep:
    """A page of resetting a password: without the menu of the signed-in pages."""

    def get_context_data(self, **kwargs):
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        return super().get_context_data(sign_in_step=True, minutes=minutes, **kwargs)


@reset_step
class ForgottenPasswordView(ResetStep, auth_views.PasswordResetView):
    """ "Forgotten your password?": asks for a username or email address."""

    template_name = "pps/password_reset_request.html"
    form_class = ResetRequestForm

    def form_valid(self, form):
        send_reset_link(self.request, form.cleaned_data["account"])
        return HttpResponseRedirect(self.get_success_url())


@reset_step
class LinkSentView(ResetStep, auth_views.PasswordResetDoneView):
    """The same page whatever was typed."""

    template_name = "pps/password_reset_sent.html"


class NewPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    error_messages = {"password_mismatch": "The passwords are not the same: enter the same password twice"}

    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        help_text="At least 12 characters, and not a common password. Three random words make a "
        "strong password that is easy to remember.",
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={
            "required": "Enter a new password",
            "max_length": f"A password has at most {PASSWORD_MAX_LENGTH} characters",
        },
    )
    new_password2 = forms.CharField(
        label="Confirm new password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={
            "required": "Enter the new password again",
            "max_length": f"A password has at most {PASSWORD_MAX_LENGTH} characters",
        },
    )

    def clean(self):
        # What is wrong with the password is shown at the box it was typed in, not the second one.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


@reset_step
class NewPasswordView(ResetStep, auth_views.PasswordResetConfirmView):
    """ "Choose a new password", opened from the emailed link.

    The link carries the account and token after ``#``: the page first served (``opening``)
    has a small form that the site's script fills from there and posts at once. They move into
    the session, and the page reloads without them, so the token is never in a URL the server
    or a proxy logs, in the address bar, or in a Referer header.
    """

    template_name = "pps/password_reset_confirm.html"
    form_class = NewPasswordForm
    post_reset_login = False

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and "link_token" in request.POST:
            request.session[LINK_USER_SESSION_KEY] = request.POST.get("link_user", "")[:100]
            token = request.POST.get("link_token", "")[:100]
            request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN] = token
            return HttpResponseRedirect(request.path)
        if auth_views.INTERNAL_RESET_SESSION_TOKEN not in request.session:
            context = {"sign_in_step": True, "minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
            return render(request, "pps/password_reset_opening.html", context)
        uidb64 = request.session.get(LINK_USER_SESSION_KEY, "")
        return super().dispatch(request, uidb64=uidb64, token=self.reset_url_token)

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session.pop(LINK_USER_SESSION_KEY, None)
        auth_log.record("password_reset_done", self.request, form.user)
        return response


@reset_step
class PasswordChangedView(ResetStep, auth_views.PasswordResetCompleteView):
    """ "Password changed": on to sign in, which still asks for the code."""

    template_name = "pps/password_reset_complete.html"
