"""Pages for correcting a contact and for moving one to the case it belongs to (rules in
``cases.corrections``). Thin: they read through ``pps.access`` and write through
``cases.corrections``."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from cases import access as cases_access
from cases import corrections
from cases.forms import CorrectContactForm, MoveContactForm
from cases.services import CaseworkError
from cases.views import _details
from pps import access
from pps.audit import record_access


def _contact_on_a_case(user, contact_id, how):
    contact = cases_access.get_contact_for_user(user, contact_id, how=how)
    if contact.case_id is None:
        raise Http404  # NNG contacts hold nothing personal and have no history to keep
    return contact


def contact_correct(request, contact_id):
    """Correct a contact on a case: its author within the service's days, senior staff always."""
    contact = _contact_on_a_case(request.user, contact_id, "correct contact")
    case = contact.case
    refusal = corrections.correction_refusal(request.user, contact)
    form = CorrectContactForm(request.POST or None, contact=contact)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            changed = corrections.correct_contact(
                by=request.user,
                contact=contact,
                details=_details(form),
                notes=form.cleaned_data["notes"],
                follow_up_on=form.cleaned_data["follow_up_on"],
                reason=form.cleaned_data["correction_reason"],
            )
        except CaseworkError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Contact corrected. The earlier version is kept in its history."
                if changed
                else "Nothing was changed.",
            )
            return redirect("cases:case_detail", case_id=case.pk)
    context = {"form": form, "contact": contact, "case": case, "refusal": refusal}
    return render(request, "cases/contact_correct.html", context)


def contact_move(request, contact_id):
    """Senior staff move a contact logged on the wrong case to the case it belongs to."""
    access.require_senior(request.user)
    contact = _contact_on_a_case(request.user, contact_id, "move contact")
    case = contact.case
    form = MoveContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        to_case = (
            corrections.move_targets(request.user, contact)
            .select_related("parent")
            .filter(reference=form.cleaned_data["reference"])
            .first()
        )
        if to_case is None:
            form.add_error("reference", "Enter the reference of another open case of your service")
        else:
            record_access(request.user, [to_case], how="move contact")
            try:
                corrections.move_contact(
                    by=request.user, contact=contact, to_case=to_case, reason=form.cleaned_data["reason"]
                )
            except CaseworkError as error:
                form.add_error("reference", error)
            else:
                messages.success(request, f"Contact moved to case {to_case.reference}.")
                return redirect("cases:case_detail", case_id=to_case.pk)
    return render(request, "cases/contact_move.html", {"form": form, "contact": contact, "case": case})
