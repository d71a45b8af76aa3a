"""The steps between a password and the casework: second factor, unlocking an idle session,
agreeing to the confidentiality policy, and signing out."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pps import auth_log, enrolment, otp, services, session_limits
from pps.forms import PASSWORD_MAX_LENGTH, Form
from pps.requests import url_with_next


class CodeForm(Form):
    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code your authenticator app shows now.",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-5",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app")
        return code


class PasswordForm(Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={
            "required": "Enter your password",
            "max_length": f"A password has at most {PASSWORD_MAX_LENGTH} characters",
        },
    )


def safe_next(request, default: str | None = None) -> str:
    """Where to go afterwards: ``next`` if it is a path on this site, else ``default`` (a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default or settings.LOGIN_REDIRECT_URL)


THROTTLED = "You have entered too many wrong codes. Wait a minute, then try again"


def code_is_right(request, form, device, *, events: str, wrong: str) -> bool:
    """Checks the code of a valid ``form`` against ``device``. When wrong, or too soon after wrong
    ones (throttled), says so on the form and logs ``<events>_failed`` or ``<events>_throttled``;
    the caller logs success and completes the step."""
    if otp.is_throttled(device):
        auth_log.record(f"{events}_throttled", request, request.user)
        form.add_error("code", THROTTLED)
        return False
    if otp.verify_code(device, form.cleaned_data["code"]):
        return True
    auth_log.record(f"{events}_failed", request, request.user)
    form.add_error("code", wrong)
    return False


def second_factor(request):
    """ "Enter the 6-digit code": the second step of signing in."""
    next_url = safe_next(request)
    if request.user.is_verified():
        return redirect(next_url)
    device = otp.confirmed_device(request.user)
    if device is None:
        return redirect(url_with_next("otp_setup", request.GET.get("next", "")))
    form = CodeForm(request.POST or None)
    wrong = "The code is not right, or was used already. Enter the code your app shows now"
    if (
        request.method == "POST"
        and form.is_valid()
        and code_is_right(request, form, device, events="second_factor", wrong=wrong)
    ):
        otp.complete_second_factor(request, device)
        auth_log.record("second_factor_passed", request, request.user)
        return redirect(next_url)
    return render(request, "pps/second_factor.html", {"form": form, "next": next_url, "sign_in_step": True})


def second_factor_setup(request):
    """Set up an authenticator app: only for someone who has none yet, right after their password."""
    next_url = safe_next(request)
    if request.user.is_verified():
        return redirect(next_url)
    if otp.confirmed_device(request.user) is not None:
        return redirect(url_with_next("otp_verify", request.GET.get("next", "")))
    if not enrolment.may_set_up(request):
        return redirect(url_with_next("otp_enrol", request.GET.get("next", "")))
    device = otp.unconfirmed_device(request.user)
    form = CodeForm(request.POST or None)
    wrong = "The code is not right. Enter the code your app shows now"
    if (
        request.method == "POST"
        and form.is_valid()
        and code_is_right(request, form, device, events="second_factor", wrong=wrong)
    ):
        otp.confirm(device)
        otp.complete_second_factor(request, device)
        auth_log.record("second_factor_set_up", request, request.user)
        messages.success(request, "Your authenticator app is set up")
        return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "qr_code": otp.qr_code_data_uri(device),
        "secret": otp.grouped(otp.secret_of(device)),
        "sign_in_step": True,
    }
    return render(request, "pps/second_factor_setup.html", context)


class EnrolmentCodeForm(Form):
    code = forms.CharField(
        label="Enrolment code",
        help_text="The 12-character code you were given, for example ABCD-EFGH-JKLM.",
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the enrolment code you were given"},
    )


def enrolment_code(request):
    """ "Enter your enrolment code": before setting up a new app on an account that had one."""
    next_url = safe_next(request)
    if request.user.is_verified():
        return redirect(next_url)
    if enrolment.may_set_up(request):
        return redirect(url_with_next("otp_setup", request.GET.get("next", "")))
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if enrolment.use_code(request, form.cleaned_data["code"]):
            return redirect(url_with_next("otp_setup", next_url))
        form.add_error(
            "code",
            "That enrolment code is not right, was used already or has expired. "
            "Ask your manager or the system maintainer for a new one",
        )
    return render(request, "pps/enrolment_code.html", {"form": form, "next": next_url, "sign_in_step": True})


#: Form fields of a request that met a locked session, carried through the lock page.
CARRY_PREFIX = "carry:"


def fields_carried(request) -> list[tuple[str, str]]:
    """The fields a sign-in step's page carried back (see ``fields_sent``)."""
    return [
        (name.removeprefix(CARRY_PREFIX), value)
        for name, values in request.POST.lists()
        if name.startswith(CARRY_PREFIX)
        for value in values
    ]


def resend_page(request, *, action: str, fields, done: str):
    """ "Send what you were saving": after a sign-in step met a form being sent."""
    context = {"action": action, "fields": fields, "done": done, "sign_in_step": True}
    return render(request, "pps/session_unlocked_resend.html", context)


def locked_page(request, *, next_url: str, form=None, carry=(), status: int = 200):
    """ "Your session was locked". ``carry`` holds what the person was sending when the lock met
    them (name, value pairs): it travels through the page's form, never into the database, so
    that unlocking does not lose a half-written contact."""
    context = {
        "form": form or PasswordForm(),
        "next": next_url,
        "carry": [(f"{CARRY_PREFIX}{name}", value) for name, value in carry],
        "sign_in_step": True,
    }
    return render(request, "pps/session_locked.html", context, status=status)


def unlock_session(request):
    """ "Your session was locked": the password again, then back to where the person was, and
    if they were sending a form, the chance to send it again.

    The second factor of this session still stands; the session gets a new key. Wrong passwords
    count towards the sign-in lock-out (django-axes), as on the sign-in page.
    """
    next_url = safe_next(request)
    carry = fields_carried(request)
    if not request.session.get(session_limits.LOCKED):
        return redirect(next_url)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=request.user.get_username(), password=form.cleaned_data["password"]
        )
        if user is not None and user.pk == request.user.pk:
            session_limits.unlock(request)
            auth_log.record("unlocked", request, request.user)
            if carry:
                return resend_page(request, action=next_url, fields=carry, done="Your session is unlocked.")
            return redirect(next_url)
        form.add_error("password", "The password is not right")
    return locked_page(request, next_url=next_url, form=form, carry=carry)


def policy_page(request, policy, *, next_url: str, carry=()):
    """The policy to agree to; ``carry`` holds a form that was being sent when a new version
    stopped it (name, value pairs), so that agreeing does not lose it."""
    context = {
        "policy": policy,
        "next": next_url,
        "carry": [(f"{CARRY_PREFIX}{name}", value) for name, value in carry],
        "sign_in_step": True,
    }
    return render(request, "pps/policy_agree.html", context)


def agree_to_policy(request):
    """The service's confidentiality policy, and "I have read and agree" (R17)."""
    next_url = safe_next(request)
    carry = fields_carried(request)
    policy = services.policy_to_agree(request.user)
    if policy is None:
        return redirect(next_url)
    if request.method == "POST":
        if request.POST.get("policy") == str(policy.pk):
            services.agree_to_policy(request.user, policy)
            if carry:
                done = "Thank you: you have agreed to the confidentiality policy."
                return resend_page(request, action=next_url, fields=carry, done=done)
            messages.success(request, "Thank you. You have agreed to the confidentiality policy")
            return redirect(next_url)
        # A newer version was published while this page was open: show that one.
    return policy_page(request, policy, next_url=next_url, carry=carry)


@require_POST
def sign_out(request):
    """Ends the session on the server and asks the browser to forget everything of ours."""
    logout(request)
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
