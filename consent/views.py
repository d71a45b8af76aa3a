"""Consent and disclosure pages. Thin: they read through the access functions and write through
``consent.services``."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases import access as cases_access
from consent import access as consent_access
from consent import queries, services
from consent.access import get_consent_for_user
from consent.forms import (
    ConsentForm,
    DisclosureForm,
    OtherParentRequestForm,
    ReferralCloseForm,
    ReferralConsentForm,
    ReferralForm,
    StatementSentForm,
    WithdrawConsentForm,
)
from consent.models import Recipient
from pps import access
from pps.audit import record_access


def consent_record(request, case_id):
    """Record the parent's consent to share, on a case (R3)."""
    case = cases_access.get_case_for_user(request.user, case_id, how="record consent")
    form = ConsentForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_consent(
                by=request.user,
                case=case,
                method=data["method"],
                parent_was_told=data["parent_was_told"],
                recipients=data["recipients"],
                named_organisation=data["named_organisation"],
                given_at=data["given_at"],
                contact=data.get("contact"),
            )
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Consent recorded.")
            return redirect("cases:case_detail", case_id=case.pk)
    # The contacts offered to link it to are shown (when, how, by whom): recorded like any list.
    record_access(request.user, list(form.fields["contact"].queryset), how="record consent")
    return render(request, "consent/consent_record.html", {"form": form, "case": case})


def consent_withdraw(request, consent_id):
    """Record that the parent withdrew a consent; it covers nothing from then on."""
    consent = get_consent_for_user(request.user, consent_id, how="withdraw consent")
    case = consent.case
    form = WithdrawConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_consent(by=request.user, consent=consent, note=form.cleaned_data["note"])
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Consent withdrawn. Nothing more may be shared on it.")
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "consent/consent_withdraw.html", {"form": form, "consent": consent, "case": case})


def disclosure_record(request, case_id):
    """Record information shared outside the service; refused without a valid basis (R3)."""
    case = cases_access.get_case_for_user(request.user, case_id, how="record disclosure")
    form = DisclosureForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_disclosure(
                by=request.user,
                case=case,
                what=data["what"],
                recipient=data["recipient"],
                organisation=data["organisation"],
                when=data["when"],
                how=data["how"],
                basis=data["basis"],
                consent=data["consent"],
                legal_reference=data["legal_reference"],
            )
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Disclosure recorded.")
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "consent/disclosure_record.html", {"form": form, "case": case})


def permission_form(request, case_id):
    """The permission form and the "why we keep information about you" statement, filled in for
    the parent of a case, to print or to copy into an email (R2, R3)."""
    case = cases_access.get_case_for_user(request.user, case_id, how="permission form")
    return render(
        request,
        "consent/permission_form.html",
        {
            "case": case,
            "service": case.service,
            "recipients": [label for code, label in Recipient.choices if code != Recipient.OTHER],
            "statements": queries.statements_on_case(request.user, case, how="permission form"),
        },
    )


def statement_sent_record(request, case_id):
    """Record that the permission form and statement were handed over, posted or emailed (R2)."""
    case = cases_access.get_case_for_user(request.user, case_id, how="record statement sent")
    form = StatementSentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_statement_sent(
                by=request.user, case=case, how=form.cleaned_data["how"], when=form.cleaned_data["sent_at"]
            )
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Recorded that the permission form and statement were given.")
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "consent/statement_sent_record.html", {"form": form, "case": case})


def referral_list(request):
    """Referrals waiting for the parent to be contacted, or agreed and not yet taken on (R4)."""
    if not consent_access.can_take_referrals(request.user):
        raise Http404
    referrals = queries.open_referrals(request.user)
    return render(request, "consent/referral_list.html", {"referrals": referrals})


def referral_new(request):
    """Record a referral from a third party: only what is needed to contact the parent (R4)."""
    if not consent_access.can_take_referrals(request.user):
        raise Http404
    form = ReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.receive_referral(
                by=request.user,
                referrer_organisation=data["referrer_organisation"],
                referrer_name=data["referrer_name"],
                how=data["how"],
                referred_at=data["referred_at"],
                parent_first_name=data["parent_first_name"],
                parent_last_name=data["parent_last_name"],
                contact_by=data["contact_by"],
                contact_detail=data["contact_detail"],
                consent_method=data["consent_method"],
                consent_at=data["consent_at"],
            )
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            if referral.has_consent:
                messages.success(request, "Referral recorded with the parent's agreement.")
            else:
                messages.success(request, "Referral recorded as a request to contact the parent.")
            return redirect("consent:referral_detail", referral_id=referral.pk)
    return render(request, "consent/referral_new.html", {"form": form})


def _referral_page(request, referral, *, consent_form=None, close_form=None, convert_error=None):
    consent_form = consent_form or ReferralConsentForm()
    close_form = close_form or ReferralCloseForm()
    return render(
        request,
        "consent/referral_detail.html",
        {
            "referral": referral,
            "consent_form": consent_form,
            "close_form": close_form,
            "convert_error": convert_error,
            "forms": [consent_form, close_form],
            "forms_have_errors": bool(consent_form.errors or close_form.errors),
        },
    )


def referral_detail(request, referral_id):
    """One referral, with what can be done next."""
    referral = consent_access.get_referral_for_user(request.user, referral_id)
    return _referral_page(request, referral)


def referral_agree(request, referral_id):
    """The parent was contacted and agreed: record their consent to the referral (R4)."""
    referral = consent_access.get_referral_for_user(request.user, referral_id, how="record referral consent")
    form = ReferralConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_referral_consent(
                by=request.user,
                referral=referral,
                method=form.cleaned_data["consent_method"],
                at=form.cleaned_data["consent_at"],
            )
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The parent's agreement is recorded. You can now take on the referral.")
            return redirect("consent:referral_detail", referral_id=referral.pk)
    return _referral_page(request, referral, consent_form=form)


def referral_close(request, referral_id):
    """The parent declined or could not be reached: close the request, destroying its data (R4)."""
    referral = consent_access.get_referral_for_user(request.user, referral_id, how="close referral")
    form = ReferralCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_referral(by=request.user, referral=referral, because=form.cleaned_data["because"])
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Request closed. The parent's name and contact details were destroyed.")
            return redirect("consent:referral_list")
    return _referral_page(request, referral, close_form=form)


@require_POST
def referral_convert(request, referral_id):
    """Take on a referral the parent agreed to: then add the parent, or find them if known."""
    referral = consent_access.get_referral_for_user(request.user, referral_id, how="take on referral")
    try:
        referral = services.convert_referral(by=request.user, referral=referral)
    except services.ConsentError as error:
        return _referral_page(request, referral, convert_error=str(error))
    return render(request, "consent/referral_converted.html", {"referral": referral})


def other_parent_request(request, case_id):
    """Another person with parental responsibility asked about this case: never answered by
    sharing; recorded and routed to the head of service as a subject access request (R5)."""
    case = cases_access.get_case_for_user(request.user, case_id, how="record other parent's request")
    form = OtherParentRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sar = services.record_other_parent_request(
                by=request.user,
                case=case,
                requester=data["requester"],
                how=data["how"],
                received_at=data["received_at"],
                asked_for=data["asked_for"],
            )
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Recorded and passed to the head of service as a subject access request, due "
                f"{sar.due_on.day} {sar.due_on:%B %Y}. Nothing has been shared.",
            )
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "consent/other_parent_request.html", {"form": form, "case": case})


def subject_access_request_list(request):
    """The old address of the list: requests are answered in the data-rights workbench now."""
    access.require_senior(request.user)
    return redirect("rights:request_list")
