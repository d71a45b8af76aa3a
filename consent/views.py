"""Consent and disclosure pages. Thin: they read through the access functions and write through
``consent.services``."""

from django.contrib import messages
from django.shortcuts import redirect, render

from consent import services
from consent.forms import ConsentForm, DisclosureForm, WithdrawConsentForm
from pps import access
from pps.access import get_consent_for_user


def consent_record(request, case_id):
    """Record the parent's consent to share, on a case (R3)."""
    case = access.get_case_for_user(request.user, case_id, how="record consent")
    form = ConsentForm(request.POST or None)
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
            )
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Consent recorded.")
            return redirect("cases:case_detail", case_id=case.pk)
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
    case = access.get_case_for_user(request.user, case_id, how="record disclosure")
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
