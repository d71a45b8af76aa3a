"""Child-protection pages: raising a concern from a case, its receipt, the leads' queue and file,
break glass for senior managers who are not leads, and alerts.

Every page that shows or decides on a file asks for the authenticator code again when it was
last entered more than ``PPS_STEP_UP_MINUTES`` ago (``pps.step_up``), after the access check, so
that someone without access gets the same 404 as for a file that does not exist.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import access as cases_access
from cases.models import Case
from pps import access, step_up
from pps.audit import record_access
from safeguarding import access as safeguarding_access
from safeguarding import alerts, services
from safeguarding.forms import (
    BreakGlassForm,
    ConcernForm,
    ConcernWithoutCaseForm,
    DiscussionForm,
    ReferralForm,
)
from safeguarding.models import BreakGlassAccess, Concern, LeadDesignation


def _reachable_concern(request, concern_id):
    """404 unless ``request.user`` may reach the concern; nothing recorded yet."""
    if not Concern.objects.visible_to(request.user).filter(pk=concern_id).exists():
        raise Http404


def concern_raise(request, case_id):
    """Raise a child-protection concern about a child of a case; it never goes into the case notes."""
    access.require_casework(request.user)
    case = cases_access.get_case_for_user(request.user, case_id, how="raise concern", child_protection=True)
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


def concern_raise_without_case(request):
    """Raise a child-protection concern from a call where the caller gave no name (NNG)."""
    access.require_casework(request.user)
    form = ConcernWithoutCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.raise_concern_without_case(request.user, **form.cleaned_data)
        except services.SafeguardingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Concern received by the designated safeguarding leads.")
            return redirect("safeguarding:concern_receipt", concern_id=concern.pk)
    return render(request, "safeguarding/concern_raise_without_case.html", {"form": form})


def concern_receipt(request, concern_id):
    """For the person who raised a concern: that it was received, and its status. No content."""
    concern = safeguarding_access.get_concern_receipt_for_user(request.user, concern_id)
    context = {"concern": concern, "no_lead": not alerts.has_a_lead(concern.service_id)}
    return render(request, "safeguarding/concern_receipt.html", context)


def concern_queue(request):
    """Designated leads: alerts, break-glass openings to review, and the new and open concerns
    of the service, oldest first."""
    safeguarding_access.require_safeguarding_lead(request.user)
    if challenge := step_up.challenge(request):
        return challenge
    concerns = list(services.queue(request.user).select_related("case", "raised_by"))
    record_access(request.user, concerns, how="concern queue")
    openings = list(services.openings_to_review(request.user))
    record_access(request.user, openings, how="concern queue")
    designations = list(services.designations_to_review(request.user))
    record_access(request.user, designations, how="concern queue")
    context = {
        "concerns": concerns,
        "openings": openings,
        "designations": designations,
        "alerts": alerts.unseen_for(request.user).select_related(
            "break_glass__opened_by", "designation__member"
        ),
    }
    return render(request, "safeguarding/concern_queue.html", context)


CLOSED_PER_PAGE = 50


def closed_concerns(request):
    """Designated leads: the service's closed concerns, most recently closed first."""
    safeguarding_access.require_safeguarding_lead(request.user)
    if challenge := step_up.challenge(request):
        return challenge
    closed = (
        Concern.objects.visible_to(request.user)
        .filter(status=Concern.Status.CLOSED)
        .select_related("case")
        .order_by("-closed_at", "-raised_at")
    )
    page = Paginator(closed, CLOSED_PER_PAGE).get_page(request.GET.get("page"))
    record_access(request.user, list(page.object_list), how="closed concerns")
    return render(request, "safeguarding/closed_concerns.html", {"page": page})


@require_POST
def alerts_seen(request):
    """A lead marks all their child-protection alerts as seen."""
    safeguarding_access.require_safeguarding_lead(request.user)
    alerts.mark_seen(request.user)
    return redirect("safeguarding:concern_queue")


def _openings_of(case, user):
    """Break-glass openings of the case's file, newest first: shown prominently on it."""
    openings = BreakGlassAccess.objects.visible_to(user).filter(case=case)
    openings = list(openings.select_related("opened_by", "reviewed_by").order_by("-opened_at"))
    record_access(user, openings, how="child-protection file")
    return openings


def _concern_page(request, concern, discussion_form=None, referral_form=None):
    service_id = concern.service_id
    discussed = concern.discussions.exists()
    return render(
        request,
        "safeguarding/concern_detail.html",
        {
            "concern": concern,
            "case": concern.case,
            "discussions": concern.discussions.select_related("senior_manager", "recorded_by"),
            "referrals": concern.referrals.select_related("made_by"),
            "discussion_form": discussion_form or DiscussionForm(service_id=service_id),
            "referral_form": referral_form or ReferralForm(),
            "referral_refused": not services.may_refer_yet(concern),
            "discussion_next": not discussed or concern.discussion_outstanding or discussion_form is not None,
            "referral_next": referral_form is not None
            or (
                concern.status == Concern.Status.DISCUSSED
                or (concern.immediate_danger and concern.status == Concern.Status.NEW)
            ),
            "may_close": concern.is_open and discussed,
            "openings": _openings_of(concern.case, request.user) if concern.case_id else [],
            "broke_glass": not safeguarding_access.is_safeguarding_lead(request.user),
        },
    )


def concern_detail(request, concern_id):
    """The concern, its discussions and referrals (leads, or a senior manager who broke glass).
    Opening it is recorded, and clears the reader's alerts about it."""
    _reachable_concern(request, concern_id)
    if challenge := step_up.challenge(request):
        return challenge
    concern = safeguarding_access.get_concern_for_user(request.user, concern_id)
    alerts.mark_seen(request.user, concern=concern)
    return _concern_page(request, concern)


@require_POST
def concern_close(request, concern_id):
    """Close a concern once it has been dealt with."""
    _reachable_concern(request, concern_id)
    if challenge := step_up.challenge(request):
        return challenge
    concern = safeguarding_access.get_concern_for_user(request.user, concern_id, how="close concern")
    try:
        services.close_concern(request.user, concern)
    except services.SafeguardingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Concern closed.")
    return redirect("safeguarding:concern_detail", concern_id=concern.pk)


@require_POST
def discussion_record(request, concern_id):
    """Record the internal discussion of a concern."""
    _reachable_concern(request, concern_id)
    if challenge := step_up.challenge(request):
        return challenge
    concern = safeguarding_access.get_concern_for_user(request.user, concern_id, how="record discussion")
    form = DiscussionForm(request.POST, service_id=concern.service_id)
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
    _reachable_concern(request, concern_id)
    if challenge := step_up.challenge(request):
        return challenge
    concern = safeguarding_access.get_concern_for_user(request.user, concern_id, how="record referral")
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


def case_file(request, case_id):
    """A case's child-protection file: its concerns. For designated leads; a senior manager who
    is not a lead is sent to break glass first; anyone else gets 404."""
    user = request.user
    if not safeguarding_access.may_ask_for_case_files(user):
        raise Http404
    if not Case.objects.visible_to(user).filter(pk=case_id).exists():
        raise Http404
    if challenge := step_up.challenge(request):
        return challenge
    case = cases_access.get_case_for_user(user, case_id, how="child-protection file", child_protection=True)
    if not safeguarding_access.reaches_file_of(user, case):
        return redirect("safeguarding:break_glass", case_id=case.pk)
    concerns = list(Concern.objects.visible_to(user).filter(case=case).order_by("raised_at"))
    record_access(user, concerns, how="child-protection file")
    current = (
        BreakGlassAccess.objects.visible_to(user)
        .filter(case=case, opened_by=user, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )
    context = {
        "case": case,
        "concerns": concerns,
        "openings": _openings_of(case, user),
        "current_opening": current,
    }
    return render(request, "safeguarding/case_file.html", context)


def break_glass(request, case_id):
    """ "Break glass": a senior manager who is not a designated lead states why they must open a
    case's child-protection file; it is recorded and the leads are alerted. Offered on every
    case, file or not, so that the offer reveals nothing."""
    if safeguarding_access.is_safeguarding_lead(request.user):
        return redirect("safeguarding:case_file", case_id=case_id)
    if not safeguarding_access.may_break_glass(request.user):
        raise Http404
    if not Case.objects.visible_to(request.user).filter(pk=case_id).exists():
        raise Http404
    if challenge := step_up.challenge(request):
        return challenge
    case = cases_access.get_case_for_user(request.user, case_id, how="break glass", child_protection=True)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass(request.user, case, **form.cleaned_data)
        except services.SafeguardingError as error:
            form.add_error(None, str(error))
        else:
            # The file's page says so prominently; no separate message.
            return redirect("safeguarding:case_file", case_id=case.pk)
    context = {"case": case, "form": form, "minutes": settings.PPS_BREAK_GLASS_MINUTES}
    return render(request, "safeguarding/break_glass.html", context)


@require_POST
def lead_designation(request, user_id):
    """The head of service makes someone a designated safeguarding lead (their own designation
    waits for a second person), or stops them being one."""
    if not safeguarding_access.may_designate_leads(request.user):
        raise Http404
    member = access.get_staff_for_user(request.user, user_id, how="designate safeguarding lead")
    if challenge := step_up.challenge(request):
        return challenge
    designated = request.POST.get("designated") == "yes"
    try:
        if designated:
            designation = services.designate_lead(request.user, member)
        else:
            services.stop_as_lead(request.user, member)
    except services.SafeguardingError as error:
        messages.error(request, str(error))
    else:
        if not designated:
            messages.success(request, f"{member.display_name} is no longer a designated safeguarding lead.")
        elif designation.status == LeadDesignation.Status.PENDING:
            messages.success(
                request,
                "No one can make themselves a designated lead alone: your designation takes effect "
                "when a second person confirms it on this page.",
            )
        else:
            messages.success(request, f"{member.display_name} is now a designated safeguarding lead.")
    return redirect("cases:staff_list")


@require_POST
def designation_decide(request, designation_id):
    """A second person confirms or refuses a head of service's designation of themselves as lead;
    the person who asked may withdraw it."""
    access.require_senior(request.user)
    if challenge := step_up.challenge(request):
        return challenge
    confirm = request.POST.get("decision") == "confirm"
    try:
        if confirm:
            designation = services.confirm_designation(request.user, designation_id)
        else:
            designation = services.refuse_designation(request.user, designation_id)
    except services.SafeguardingError as error:
        messages.error(request, str(error))
    else:
        record_access(request.user, [designation], how="designation decided")
        name = designation.member.display_name
        if confirm:
            messages.success(request, f"{name} is now a designated safeguarding lead.")
        else:
            messages.success(
                request, f"{name}'s designation as lead was {designation.get_status_display().lower()}."
            )
    return redirect("cases:staff_list")


@require_POST
def designation_review(request, designation_id):
    """A designated lead marks a new lead's designation as reviewed."""
    safeguarding_access.require_safeguarding_lead(request.user)
    if challenge := step_up.challenge(request):
        return challenge
    designation = services.review_designation(request.user, designation_id)
    record_access(request.user, [designation], how="designation review")
    messages.success(request, "Marked as reviewed.")
    return redirect("safeguarding:concern_queue")


@require_POST
def break_glass_review(request, opening_id):
    """A designated lead marks a break-glass opening as reviewed."""
    safeguarding_access.require_safeguarding_lead(request.user)
    if challenge := step_up.challenge(request):
        return challenge
    opening = safeguarding_access.get_break_glass_opening_for_user(
        request.user, opening_id, how="break-glass review"
    )
    try:
        services.review_break_glass(request.user, opening)
    except services.SafeguardingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Marked as reviewed.")
    return redirect("safeguarding:concern_queue")
