"""Your account: your authenticator app and your backup codes, and signing in with a backup code
when the app is not at hand (SECURITY control 14)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pps import auth_log, otp, step_up
from pps.forms import Form
from pps.sign_in import code_is_right, safe_next

#: Below this many backup codes left, the person is told to make new ones.
FEW_BACKUP_CODES = 3


class BackupCodeForm(Form):
    code = forms.CharField(
        label="Backup code",
        help_text="One of the codes you printed or wrote down, for example ABCDE-FGHJK.",
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter one of your backup codes"},
    )


def account(request):
    """Your account: who you are here, your authenticator app and how many backup codes are left."""
    app = otp.confirmed_device(request.user)
    context = {
        "app": app,
        "backup_codes_left": otp.backup_codes_left(request.user),
        "backup_codes_old": otp.backup_codes_made_the_old_way(request.user),
    }
    return render(request, "pps/account.html", context)


@require_POST
def make_backup_codes(request):
    """New backup codes, shown once; the old ones stop working. A change to how you sign in, so
    the authenticator code is asked again when it is older than ``PPS_STEP_UP_MINUTES``."""
    if challenge := step_up.challenge(request):
        return challenge
    codes = otp.new_backup_codes(request.user)
    auth_log.record("backup_codes_made", request, request.user)
    return render(request, "pps/backup_codes_new.html", {"codes": codes})


def sign_in_with_backup_code(request):
    """The second step of signing in with a backup code instead of the app's code."""
    next_url = safe_next(request)
    if request.user.is_verified():
        return redirect(next_url)
    device = otp.backup_codes_of(request.user)
    form = BackupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device is None:
            form.add_error(
                "code", "You have no backup codes. Use your authenticator app, or ask your system maintainer"
            )
        elif code_is_right(
            request,
            form,
            device,
            events="backup_code",
            wrong="That backup code is not right, or was used already",
        ):
            otp.complete_second_factor(request, device)
            auth_log.record("backup_code_used", request, request.user)
            left = otp.backup_codes_left(request.user)
            if left <= FEW_BACKUP_CODES:
                messages.warning(
                    request,
                    f"You have {left} backup code{'' if left == 1 else 's'} left. "
                    "Make new ones on your account page.",
                )
            return redirect(next_url)
    return render(request, "pps/backup_code.html", {"form": form, "next": next_url, "sign_in_step": True})
