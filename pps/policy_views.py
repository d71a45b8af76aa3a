"""The confidentiality policy page for senior staff: read the current version, publish a new one
and see who has agreed to it (R17).

Publishing changes what everyone must agree to before reaching any record, so the page asks for
the authenticator code again when it was last entered more than ``PPS_STEP_UP_MINUTES`` ago,
after the access check, so that anyone else gets the same 404 as for a page that does not exist.
"""

from django import forms
from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pps import access, services, step_up
from pps.audit import record_access
from pps.forms import Form
from pps.models import PolicyAgreement, User

CONFIRMATION = "Everyone will have to agree to this version before they can reach any record again"


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


class PolicyForm(Form):
    text = forms.CharField(
        label="Text of the new version",
        help_text="Change the current text. Blank lines separate paragraphs.",
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        error_messages={"required": "Enter the text of the confidentiality policy"},
    )
    confirm = forms.BooleanField(
        label=CONFIRMATION,
        error_messages={"required": "Confirm that everyone will have to agree to this version"},
    )
    #: The version the text was based on: a version published meanwhile must not be overwritten unseen.
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current

    def clean_text(self):
        text = _normalised(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError("Enter the text of the confidentiality policy")
        if self.current is not None and text == _normalised(self.current.text):
            raise forms.ValidationError(
                f"The text is the same as version {self.current.version}. Change it to publish a new version"
            )
        return text

    def clean(self):
        cleaned = super().clean()
        current_version = self.current.version if self.current else None
        if "based_on" in cleaned and cleaned["based_on"] != current_version:
            self.data = self.data.copy()
            self.data["based_on"] = current_version or ""  # so that publishing again is possible
            raise forms.ValidationError(
                f"Version {current_version} was published while you were editing. Your text is kept "
                "below: compare it with the current version, then publish again"
            )
        return cleaned


def _agreements(user, policy):
    """The active staff of ``user``'s service, each with when they agreed to ``policy`` (or None)."""
    agreed = PolicyAgreement.objects.filter(policy=policy, user=OuterRef("pk")).values("agreed_at")[:1]
    staff = User.objects.filter(service_id=user.service_id, is_active=True)
    if policy is not None:
        staff = staff.annotate(agreed_at=Subquery(agreed))
    return list(staff.order_by("first_name", "last_name", "username"))


@require_POST
def policy_reviewed(request):
    """ "Reviewed: no changes needed": the yearly review is done without a new version."""
    if not access.may_publish_policy(request.user):
        raise Http404
    if challenge := step_up.challenge(request):
        return challenge
    current = services.current_policy(request.user.service_id)
    if current is None or request.POST.get("policy") != str(current.pk):
        messages.error(request, "The policy changed while this page was open: review the current version")
        return redirect("policy_manage")
    services.record_policy_review(request.user, current)
    messages.success(request, f"Version {current.version} is recorded as reviewed with no changes")
    return redirect("policy_manage")


def policy_manage(request):
    """Senior staff: the current confidentiality policy, who has agreed to it, and publishing a
    new version that everyone must then agree to."""
    if not access.may_publish_policy(request.user):
        raise Http404
    if challenge := step_up.challenge(request):
        return challenge
    current = services.current_policy(request.user.service_id)
    if request.method == "POST":
        form = PolicyForm(request.POST, current=current)
        if form.is_valid():
            try:
                new = services.publish_policy(
                    request.user,
                    request.user.service,
                    form.cleaned_data["text"],
                    based_on=form.cleaned_data.get("based_on"),
                )
            except services.StalePolicyVersion as stale:
                # Published by someone else between the form's check and the lock: say so, as
                # the form does, keeping the text typed.
                current = stale.current
                form = PolicyForm(request.POST, current=current)
                form.is_valid()
            else:
                messages.success(
                    request,
                    f"Version {new.version} of the confidentiality policy is published. Everyone, you "
                    "too, must agree to it before they can reach any record",
                )
                return redirect("policy_manage")
    else:
        initial = {"text": current.text, "based_on": current.version} if current else {}
        form = PolicyForm(initial=initial, current=current)
    record_access(request.user, [current], how="policy page")
    staff = _agreements(request.user, current)
    context = {
        "policy": current,
        "form": form,
        "review_due": services.policy_review_is_due(current),
        "review_due_on": services.policy_review_due_on(current) if current else None,
        "staff": staff,
        "agreed_count": sum(1 for member in staff if getattr(member, "agreed_at", None)),
    }
    return render(request, "pps/policy_manage.html", context)
