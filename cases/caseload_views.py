"""Caseloads for senior staff: open cases per caseworker or volunteer, each one's list, and the
open cases with nobody on them, put on someone's caseload from there (``cases.caseloads``).

Each case shown by name writes one ACCESS entry; allocating asks for the code again when it is
old (a change of who may reach the case), as on the case page.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases import access as cases_access
from cases import caseloads, services
from cases.forms import AssignStaffForm
from pps import access, step_up
from pps.audit import record_access


def _overview(request, *, error=None, recorded=None, status=200):
    """The caseloads page; ``error`` (case id, message) after a refused allocation, whose case
    the allocating view recorded already (``recorded``)."""
    service_id = request.user.service_id
    figures = caseloads.figures(service_id)
    unallocated = list(
        caseloads.unallocated_cases(service_id).select_related("parent")[: caseloads.UNALLOCATED_SHOWN]
    )
    record_access(request.user, [case for case in unallocated if case.pk != recorded], how="caseloads")
    choices = caseloads.allocation_choices(unallocated, service_id)
    rows = [(case, choices[case.pk]) for case in unallocated]
    context = {"figures": figures, "rows": rows, "error": error, "shown": caseloads.UNALLOCATED_SHOWN}
    return render(request, "cases/caseloads.html", context, status=status)


def caseload_overview(request):
    """Open cases per caseworker or volunteer, and the open cases nobody is on."""
    access.require_senior(request.user)
    return _overview(request)


def caseload_member(request, member_id):
    """The open cases one caseworker or volunteer is on."""
    member = access.get_staff_for_user(request.user, member_id, how="caseload")
    cases = list(caseloads.open_cases_of(request.user, member).select_related("parent"))
    record_access(request.user, cases, how="caseload")
    return render(request, "cases/caseload_member.html", {"member": member, "cases": cases})


@require_POST
def caseload_allocate(request, case_id):
    """Put a caseworker or volunteer on an open case nobody is on (R5 respected)."""
    access.require_senior(request.user)
    case = cases_access.get_case_for_user(request.user, case_id, how="allocate")
    if challenge := step_up.challenge(request):
        return challenge
    form = AssignStaffForm(request.POST, case=case)
    if form.is_valid():
        member = form.cleaned_data["staff"]
        try:
            services.assign_staff(by=request.user, case=case, staff=member)
        except services.CaseworkError as error:
            return _overview(request, error=(case.pk, str(error)), recorded=case.pk, status=400)
        messages.success(request, f"{member.display_name} is now on case {case.reference}.")
        return redirect("cases:caseloads")
    message = form.errors["staff"][0]
    return _overview(request, error=(case.pk, message), recorded=case.pk, status=400)
