"""Child-protection pages: raising a concern from a case, its receipt, the leads' queue and file."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pps import access
from pps.audit import record_access
from safeguarding import services
from safeguarding.forms import ConcernForm, DiscussionForm, ReferralForm
from safeguarding.models import Concern


def concern_raise(request, case_id):
    """Raise a child-protection concern about a child of a case; it never goes into the case notes."""
    case = access.get_case_for_user(request.user, case_id, how="raise concern")
    access.require_casework(request.user)
    form = ConcernForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concern = services.raise_concern(
                by=request.user,
                case=case,
                child=data.get("child"),
                what=data["what"],
                happened_at=data["happened_at"],
                immediate_danger=data["immediate_danger"],
            )
        except services.SafeguardingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Concern received by the designated safeguarding leads.")
            return redirect("safeguarding:concern_receipt", concern_id=concern.pk)
    return render(request, "safeguarding/concern_raise.html", {"form": form, "case": case})


def concern_receipt(request, concern_id):
    """For the person who raised a concern: that it was received, and its status. No content."""
    concern = access.get_concern_receipt_for_user(request.user, concern_id)
    return render(request, "safeguarding/concern_receipt.html", {"concern": concern})


def concern_queue(request):
    """Designated leads: new and open concerns of the service, oldest first."""
    access.require_safeguarding_lead(request.user)
    concerns = list(
        access.concerns_visible_to(request.user)
        .filter(status__in=Concern.OPEN_STATUSES)
        .select_related("case", "raised_by")
        .order_by("raised_at")
    )
    record_access(request.user, concerns, how="concern queue")
    return render(request, "safeguarding/concern_queue.html", {"concerns": concerns})


def _concern_page(request, concern, discussion_form=None, referral_form=None):
    return render(
        request,
        "safeguarding/concern_detail.html",
        {
            "concern": concern,
            "case": concern.case,
            "discussions": concern.discussions.select_related("senior_manager", "recorded_by"),
            "referrals": concern.referrals.select_related("made_by"),
            "discussion_form": discussion_form or DiscussionForm(service_id=concern.case.service_id),
            "referral_form": referral_form or ReferralForm(),
            "referral_refused": not concern.immediate_danger and not concern.discussions.exists(),
        },
    )


def concern_detail(request, concern_id):
    """Designated leads: the concern, its discussions and referrals. Opening it is recorded."""
    concern = access.get_concern_for_user(request.user, concern_id)
    return _concern_page(request, concern)


@require_POST
def discussion_record(request, concern_id):
    """Record the internal discussion of a concern."""
    concern = access.get_concern_for_user(request.user, concern_id, how="record discussion")
    form = DiscussionForm(request.POST, service_id=concern.case.service_id)
    if form.is_valid():
        try:
            services.record_discussion(request.user, concern, **form.cleaned_data)
        except services.SafeguardingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Discussion recorded.")
            return redirect("safeguarding:concern_detail", concern_id=concern.pk)
    return _concern_page(request, concern, discussion_form=form)


@require_POST
def referral_record(request, concern_id):
    """Record an external referral; refused before a discussion unless in immediate danger."""
    concern = access.get_concern_for_user(request.user, concern_id, how="record referral")
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            services.record_external_referral(request.user, concern, **form.cleaned_data)
        except services.SafeguardingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Referral recorded, and recorded as a child-protection disclosure.")
            return redirect("safeguarding:concern_detail", concern_id=concern.pk)
    return _concern_page(request, concern, referral_form=form)
