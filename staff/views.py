"""Staff accounts: the head of service (and the system maintainer) add members of staff, change
their role and details, reset a lost authenticator and close a leaver's account.

Every page asks ``staff.access`` first (404 for anyone else, as for a page that does not exist),
then, for the changes, the authenticator code again when it is older than
``PPS_STEP_UP_MINUTES`` (``pps.step_up``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pps import auth_log, step_up
from pps.audit import record_access
from pps.password_reset import LINK_USER_SESSION_KEY, NewPasswordView
from staff import access, services
from staff.forms import AddMemberForm, ConfirmForm, DetailsForm, RoleForm
from staff.tokens import link_hours, set_up_tokens


def _sent(request):
    """The form's data when sent (even empty: a box left unticked is an answer), else None."""
    return request.POST if request.method == "POST" else None


def _page_url(request) -> str:
    return request.build_absolute_uri(reverse("staff:account_set_up"))


def account_list(request):
    """The service's staff, active first, with their role and whether their account is set up."""
    access.require_account_manager(request.user)
    members = list(access.accounts_visible_to(request.user).order_by("-is_active", "first_name", "last_name"))
    record_access(request.user, members, how="staff accounts")
    context = {"members": members, "may_add": bool(access.roles_to_give(request.user))}
    return render(request, "staff/account_list.html", context)


def account_new(request):
    """Add a member of staff: they are emailed a one-time link to choose their password."""
    access.require_account_manager(request.user)
    if challenge := step_up.challenge(request):
        return challenge
    form = AddMemberForm(_sent(request), roles=access.roles_to_give(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.add_member(
                request.user,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                work_phone=data["work_phone"],
                page_url=_page_url(request),
            )
        except services.StaffError as error:
            field = "username" if "username" in str(error) else "email" if "email" in str(error) else None
            form.add_error(field, str(error))
        else:
            messages.success(
                request,
                f"{member.display_name} is added. We have emailed them a link to choose their password; "
                f"it works once, within {link_hours()} hours.",
            )
            return redirect("staff:staff_account", member_id=member.pk)
    return render(request, "staff/account_new.html", {"form": form})


def account_detail(request, member_id):
    """One member of staff: their details, role, account and its history."""
    member = access.get_account_for_user(request.user, member_id)
    context = {
        "member": member,
        "events": services.history(member),
        "may_change_role": access.may_change_role_of(request.user, member),
        "may_act": member.pk != request.user.pk,
        "awaiting_set_up": services.awaiting_set_up(member),
        "link_hours": link_hours(),
    }
    return render(request, "staff/account_detail.html", context)


def account_details(request, member_id):
    """Change a member's name, email address and work phone."""
    member = access.get_account_for_user(request.user, member_id, how="change staff details")
    if challenge := step_up.challenge(request):
        return challenge
    initial = {name: getattr(member, name) for name in DetailsForm.base_fields}
    form = DetailsForm(_sent(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _, changed = services.change_details(request.user, member, **form.cleaned_data)
        except services.StaffError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, "Details saved." if changed else "Nothing was changed.")
            return redirect("staff:staff_account", member_id=member.pk)
    return render(request, "staff/account_details.html", {"form": form, "member": member})


def account_role(request, member_id):
    """Change a member's role (never one's own)."""
    member = access.get_account_for_user(request.user, member_id, how="change staff role")
    if challenge := step_up.challenge(request):
        return challenge
    roles = [role for role in access.roles_to_give(request.user) if role != member.role]
    form = RoleForm(_sent(request), roles=roles)
    refused = None
    if not access.may_change_role_of(request.user, member):
        refused = (
            "You cannot change your own role."
            if member.pk == request.user.pk
            else "Only the head of service can change a senior manager's or head of service's role."
        )
    elif request.method == "POST" and form.is_valid():
        try:
            member = services.change_role(request.user, member, form.cleaned_data["role"])
        except services.StaffError as error:
            form.add_error("role", str(error))
        else:
            messages.success(request, f"{member.display_name} is now a {member.get_role_display().lower()}.")
            return redirect("staff:staff_account", member_id=member.pk)
    status = 403 if refused and request.method == "POST" else 200
    context = {"form": form, "member": member, "refused": refused}
    return render(request, "staff/account_role.html", context, status=status)


def account_reset(request, member_id):
    """Reset a lost authenticator: the app and backup codes go, the person is signed out and
    emailed, and a one-time enrolment code is shown here, once, to give them by phone or in person."""
    member = access.get_account_for_user(request.user, member_id, how="reset authenticator")
    if challenge := step_up.challenge(request):
        return challenge
    form = ConfirmForm(
        _sent(request),
        label=f"I have checked that it is {member.display_name} who is asking (by phone or in person)",
        missing="Tick the box to confirm you have checked who is asking",
    )
    if request.method == "POST" and form.is_valid():
        try:
            code = services.reset_authenticator(request.user, member, request)
        except services.StaffError as error:
            form.add_error(None, str(error))
        else:
            context = {"member": member, "code": code, "hours": services.enrolment.CODE_VALID_HOURS}
            return render(request, "staff/account_reset_done.html", context)
    return render(request, "staff/account_reset.html", {"form": form, "member": member})


def account_close(request, member_id):
    """Close a leaver's account: signed out at once, taken off every case, history kept."""
    member = access.get_account_for_user(request.user, member_id, how="close staff account")
    if challenge := step_up.challenge(request):
        return challenge
    form = ConfirmForm(
        _sent(request),
        label=f"{member.display_name} has left, or must no longer reach anything",
        missing="Tick the box to confirm the account is to be closed",
    )
    if request.method == "POST" and form.is_valid():
        try:
            taken_off = services.deactivate(request.user, member)
        except services.StaffError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{member.display_name}'s account is closed: they are signed out and taken off "
                f"{taken_off} case{'s' if taken_off != 1 else ''}.",
            )
            return redirect("staff:staff_account", member_id=member.pk)
    return render(request, "staff/account_close.html", {"form": form, "member": member})


@require_POST
def account_link(request, member_id):
    """Send a new set-up link to someone who has not chosen their password yet."""
    member = access.get_account_for_user(request.user, member_id, how="send set-up link")
    if challenge := step_up.challenge(request):
        return challenge
    try:
        sent = services.resend_set_up_link(request.user, member, page_url=_page_url(request))
    except services.StaffError as error:
        messages.error(request, str(error))
    else:
        if sent:
            messages.success(request, f"A new set-up link is on its way to {member.display_name}.")
        else:
            messages.error(request, "The email could not be sent. Try again later.")
    return redirect("staff:staff_account", member_id=member.pk)


#: Open without signing in, and never kept by the browser.
public_step = method_decorator([login_not_required, never_cache], name="dispatch")


@public_step
class SetUpView(NewPasswordView):
    """ "Choose your password", opened from the set-up link (see ``pps.password_reset``: the
    token travels after ``#``, then in the session, never in a URL the server sees)."""

    template_name = "staff/set_up_password.html"
    token_generator = set_up_tokens
    success_url = reverse_lazy("staff:account_set_up_done")

    def dispatch(self, request, *args, **kwargs):
        opening = not (request.method == "POST" and "link_token" in request.POST)
        if opening and INTERNAL_RESET_SESSION_TOKEN not in request.session:
            return render(request, "pps/password_reset_opening.html", {"sign_in_step": True})
        return super().dispatch(request, *args, **kwargs)

    def get_user(self, uidb64):
        """The account the link names, while it is active (a closed account's link is dead)."""
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def get_context_data(self, **kwargs):
        return super().get_context_data(hours=link_hours(), **kwargs)

    def form_valid(self, form):
        response = PasswordResetConfirmView.form_valid(self, form)
        self.request.session.pop(LINK_USER_SESSION_KEY, None)
        services.record_set_up(form.user)
        auth_log.record("account_set_up", self.request, form.user)
        return response


@login_not_required
@never_cache
def set_up_done(request):
    """ "Your password is set": on to sign in, which then sets up the authenticator app."""
    return render(request, "staff/set_up_done.html", {"sign_in_step": True})
