"""The data-rights workbench: subject access requests from receipt to closing (R11).

Thin views: they read through ``rights.access`` (404 for anyone else) and write through
``rights.services``. Child-protection decisions and the download ask for the authenticator code
again when it is not recent (``pps.step_up``), after the access check.
"""

import base64

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import access as cases_access
from consent.models import Consent, SubjectAccessRequest
from pps import access as pps_access
from pps import step_up
from pps.audit import record_access
from rights import access, forms, pack, services
from rights.models import AccessPack, LegalRequest, Redaction

Status = SubjectAccessRequest.Status


def request_list(request):
    """Access requests, soonest due first: due date, days left, overdue in red."""
    access.require(access.may_work_on_requests(request.user))
    requests = list(
        SubjectAccessRequest.objects.visible_to(request.user)
        .select_related("case", "case__parent", "recorded_by")
        .order_by("due_on", "received_at")[:300]
    )
    today = timezone.localdate()
    for sar in requests:
        sar.use_household_key(sar.case.household_key())
        sar.days_left = (sar.due_on - today).days
        sar.days_overdue = -sar.days_left
    record_access(request.user, requests, how="access request list")
    open_requests = [
        sar for sar in requests if sar.status not in (Status.SENT, *SubjectAccessRequest.FINISHED)
    ]
    done = [sar for sar in requests if sar not in open_requests]
    return render(request, "rights/request_list.html", {"open_requests": open_requests, "done": done})


def request_new(request, case_id):
    """Record a subject access request from the parent of a case or a young person of it."""
    case = cases_access.get_case_for_user(request.user, case_id, how="record subject access request")
    pps_access.require_casework(request.user)
    form = forms.RecordRequestForm(request.POST if request.method == "POST" else None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sar = services.record_request(
                by=request.user,
                case=case,
                requester_kind=data["requester_kind"],
                child=data["child"],
                how=data["how"],
                received_at=data["received_at"],
                asked_for=data["asked_for"],
            )
        except services.WorkbenchError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Subject access request {sar.reference} recorded for the head of service, due "
                f"{sar.due_on.day} {sar.due_on:%B %Y}.",
            )
            if access.may_work_on_requests(request.user):
                return redirect("rights:request_detail", request_id=sar.pk)
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "rights/request_new.html", {"form": form, "case": case})


def _workbench(request, sar, *, status: int = 200, sections=None, **forms_given):
    """The request's page. ``sections``: the pack, when the view already gathered it (so that its
    reads are recorded once)."""
    user = request.user
    pack_case = pack.pack_case(sar)
    redactions = []
    if sar.status not in (Status.ASSEMBLED, Status.REVIEWED, Status.SENT, Status.CLOSED):
        sections = []
    else:
        sections = pack.gather(user, sar) if sections is None else sections
        redactions = list(sar.redactions.select_related("marked_by"))
        for redaction in redactions:
            redaction.use_household_key(pack_case.household_key())
        pack.apply_redactions(sections, redactions)
    concerns = []
    if access.may_review_child_protection(user):
        decisions = {d.concern_id: d for d in sar.child_protection_decisions.select_related("decided_by")}
        concerns = list(access.concerns_for_request(user, sar, pack_case).select_related("raised_by"))
        for concern in concerns:
            concern.decision = decisions.get(concern.pk)
            if concern.decision:
                concern.decision.use_household_key(concern.household_key())
            concern.form = forms_given.pop(f"cp_{concern.pk}", None) or forms.ChildProtectionDecisionForm(
                prefix=f"cp-{concern.pk}"
            )
        record_access(
            user, concerns, how="subject access request: child-protection review", child_protection=True
        )
    steps = list(sar.steps.select_related("by"))
    due = SubjectAccessRequest.due_date_for(timezone.localdate(sar.received_at))
    for step in steps:
        step.use_household_key(sar.household_key())
        step.due_changed = step.due_on != due  # the history shows the due date only when it moved
        due = step.due_on
    defaults = {
        "identity_form": forms.IdentityForm,
        "pause_form": forms.PauseForm,
        "restart_form": forms.RestartForm,
        "extension_form": forms.ExtensionForm,
        "approve_form": forms.ApproveForm,
        "sent_form": forms.SentForm,
        "close_form": forms.CloseForm,
        "refuse_form": forms.RefuseForm,
        "redaction_form": forms.RedactionForm,
    }
    context = {name: forms_given.get(name) or form_class() for name, form_class in defaults.items()}
    bound = [form for form in forms_given.values() if form is not None]
    context.update(
        {
            "sar": sar,
            "pack_case": pack_case,
            "other_parent": sar.requester_kind == SubjectAccessRequest.RequesterKind.OTHER_PARENT,
            "days_left": (sar.due_on - timezone.localdate()).days,
            "sections": sections,
            "redactions": redactions,
            "redaction_item": getattr(forms_given.get("redaction_form"), "data", {}).get("item", ""),
            "concerns": concerns,
            "is_lead": access.may_review_child_protection(user),
            "may_approve": access.may_approve_requests(user),
            "has_pack": AccessPack.objects.filter(request=sar).exists(),
            "steps": steps,
            "forms": bound,
            "forms_have_errors": any(form.errors for form in bound),
            "reasons": Redaction.Reason.choices,
        }
    )
    return render(request, "rights/request_detail.html", context, status=status)


def request_detail(request, request_id):
    """One request: its due date, history, next steps and (once assembled) the pack."""
    sar = access.get_subject_access_request_for_user(request.user, request_id)
    if access.concerns_for_request(request.user, sar, pack.pack_case(sar)).exists():
        if challenge := step_up.challenge(request):  # a lead, about to see child-protection files
            return challenge
    return _workbench(request, sar)


def _step_view(request, request_id, *, how: str, name: str, form_class, do, done: str):
    sar = access.get_subject_access_request_for_user(request.user, request_id, how=how)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            do(sar, form.cleaned_data)
        except services.WorkbenchError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("rights:request_detail", request_id=sar.pk)
    return _workbench(request, sar, **{name: form})


@require_POST
def identity_check(request, request_id):
    return _step_view(
        request,
        request_id,
        how="check identity",
        name="identity_form",
        form_class=forms.IdentityForm,
        do=lambda sar, data: services.check_identity(
            by=request.user, sar=sar, seen=data["seen"], confirmed_on=data["confirmed_on"]
        ),
        done="Identity check recorded.",
    )


@require_POST
def clock_pause(request, request_id):
    return _step_view(
        request,
        request_id,
        how="stop the clock",
        name="pause_form",
        form_class=forms.PauseForm,
        do=lambda sar, data: services.pause_clock(
            by=request.user, sar=sar, reason=data["reason"], on=data["on"], note=data["note"]
        ),
        done="The clock is stopped.",
    )


@require_POST
def clock_restart(request, request_id):
    return _step_view(
        request,
        request_id,
        how="restart the clock",
        name="restart_form",
        form_class=forms.RestartForm,
        do=lambda sar, data: services.restart_clock(
            by=request.user, sar=sar, on=data["on"], note=data["note"]
        ),
        done="The clock runs again; the due date has moved.",
    )


@require_POST
def extension(request, request_id):
    return _step_view(
        request,
        request_id,
        how="extend the time limit",
        name="extension_form",
        form_class=forms.ExtensionForm,
        do=lambda sar, data: services.extend(
            by=request.user, sar=sar, months=data["months"], reason=data["reason"]
        ),
        done="The time limit is extended.",
    )


@require_POST
def child_protection_decide(request, request_id, concern_id):
    """A designated lead decides one child-protection file: disclose or withhold."""
    sar = access.get_subject_access_request_for_user(
        request.user, request_id, how="child-protection decision", child_protection=True
    )
    access.require(access.may_review_child_protection(request.user))
    concern = pps_access.get_or_404(
        access.concerns_for_request(request.user, sar, pack.pack_case(sar)), concern_id
    )
    if challenge := step_up.challenge(request):
        return challenge
    form = forms.ChildProtectionDecisionForm(request.POST, prefix=f"cp-{concern.pk}")
    if form.is_valid():
        try:
            services.decide_child_protection_file(
                by=request.user, sar=sar, concern=concern, **form.cleaned_data
            )
        except services.WorkbenchError as error:
            form.add_error(None, str(error))
        else:
            # The file read for the decision (shown again after an error, the page records it).
            record_access(
                request.user,
                [concern],
                how="subject access request: child-protection decision",
                child_protection=True,
            )
            messages.success(request, "Decision recorded.")
            return redirect("rights:request_detail", request_id=sar.pk)
    return _workbench(request, sar, **{f"cp_{concern.pk}": form})


@require_POST
def child_protection_done(request, request_id):
    sar = access.get_subject_access_request_for_user(
        request.user, request_id, how="child-protection review", child_protection=True
    )
    access.require(access.may_review_child_protection(request.user))
    if challenge := step_up.challenge(request):
        return challenge
    concerns = list(access.concerns_for_request(request.user, sar, pack.pack_case(sar)))
    try:
        services.complete_child_protection_review(by=request.user, sar=sar, concerns=concerns)
    except services.WorkbenchError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Child-protection review recorded.")
    return redirect("rights:request_detail", request_id=sar.pk)


@require_POST
def assemble(request, request_id):
    sar = access.get_subject_access_request_for_user(request.user, request_id, how="assemble pack")
    try:
        services.assemble(by=request.user, sar=sar)
    except services.WorkbenchError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Pack assembled. Review it below and mark any passages to redact.")
    return redirect("rights:request_detail", request_id=sar.pk)


@require_POST
def redact(request, request_id):
    sar = access.get_subject_access_request_for_user(request.user, request_id, how="mark redaction")
    form = forms.RedactionForm(request.POST)
    sections = None
    if form.is_valid():
        try:
            if sar.status == Status.ASSEMBLED:
                sections = pack.gather(request.user, sar, how="mark redaction")
            services.mark_redaction(by=request.user, sar=sar, sections=sections or [], **form.cleaned_data)
        except services.WorkbenchError as error:
            form.add_error("passage", str(error))
        else:
            messages.success(request, "Passage marked to redact.")
            return redirect("rights:request_detail", request_id=sar.pk)
    return _workbench(request, sar, sections=sections, redaction_form=form)


@require_POST
def unredact(request, request_id, redaction_id):
    sar = access.get_subject_access_request_for_user(request.user, request_id, how="remove redaction")
    redaction = pps_access.get_or_404(Redaction.objects.filter(request=sar), redaction_id)
    try:
        services.remove_redaction(by=request.user, sar=sar, redaction=redaction)
    except services.WorkbenchError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Redaction removed.")
    return redirect("rights:request_detail", request_id=sar.pk)


@require_POST
def approve(request, request_id):
    access.require(access.may_approve_requests(request.user))
    return _step_view(
        request,
        request_id,
        how="approve pack",
        name="approve_form",
        form_class=forms.ApproveForm,
        do=lambda sar, data: services.approve(
            by=request.user, sar=sar, partly_refused=data["partly_refused"], reason=data["reason"]
        ),
        done="Pack approved and its PDF made. Download it, send it, then record how it was sent.",
    )


@require_POST
def sent(request, request_id):
    return _step_view(
        request,
        request_id,
        how="record pack sent",
        name="sent_form",
        form_class=forms.SentForm,
        do=lambda sar, data: services.record_sent(
            by=request.user, sar=sar, how=data["how"], sent_on=data["sent_on"]
        ),
        done="Recorded as sent.",
    )


@require_POST
def close(request, request_id):
    return _step_view(
        request,
        request_id,
        how="close request",
        name="close_form",
        form_class=forms.CloseForm,
        do=lambda sar, data: services.close(by=request.user, sar=sar, note=data["note"]),
        done="Request closed.",
    )


@require_POST
def refuse(request, request_id):
    access.require(access.may_approve_requests(request.user))
    return _step_view(
        request,
        request_id,
        how="refuse request",
        name="refuse_form",
        form_class=forms.RefuseForm,
        do=lambda sar, data: services.refuse(by=request.user, sar=sar, reason=data["reason"]),
        done="Request refused; the reason is recorded.",
    )


def download(request, request_id):
    """The approved pack as a PDF attachment (head of service and senior managers). Audited."""
    sar = access.get_subject_access_request_for_user(request.user, request_id, how="download pack")
    access.require(access.may_download_pack(request.user))
    if challenge := step_up.challenge(request):
        return challenge
    try:
        document = services.pack_pdf(sar)
    except AccessPack.DoesNotExist:
        raise Http404 from None
    services.record_download(by=request.user, sar=sar)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{sar.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Legal and local-authority requests (R12)


def legal_request_list(request):
    """Legal requests, newest first, for the person deciding them now; and, for the head of
    service, who their deputy is and whether they are marked absent."""
    may_decide = access.may_decide_legal_requests(request.user)
    may_set = access.may_set_legal_request_deputy(request.user)
    access.require(may_decide or may_set)
    requests = []
    if may_decide:
        requests = list(
            LegalRequest.objects.visible_to(request.user).select_related(
                "case", "case__parent", "recorded_by"
            )[:300]
        )
        for legal in requests:
            legal.use_household_key(legal.case.household_key())
        record_access(request.user, requests, how="legal request list")
    service = request.user.service
    deputy_form = forms.DeputyForm(
        user=request.user,
        initial={"deputy": service.legal_request_deputy, "absent": service.head_of_service_absent},
    )
    return render(
        request,
        "rights/legal_request_list.html",
        {"requests": requests, "may_decide": may_decide, "deputy_form": deputy_form if may_set else None},
    )


@require_POST
def legal_request_deputy(request):
    access.require(access.may_set_legal_request_deputy(request.user))
    form = forms.DeputyForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.set_legal_request_deputy(
                by=request.user, deputy=form.cleaned_data["deputy"], absent=form.cleaned_data["absent"]
            )
        except services.WorkbenchError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Saved.")
    else:
        messages.error(request, "Choose a senior manager of the service as deputy.")
    return redirect("rights:legal_request_list")


def legal_request_new(request, case_id):
    """Record a request from council officers for information about this case, for legal reasons."""
    case = cases_access.get_case_for_user(request.user, case_id, how="record legal request")
    pps_access.require_casework(request.user)
    form = forms.LegalRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            legal = services.record_legal_request(by=request.user, case=case, **form.cleaned_data)
        except services.WorkbenchError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Legal request {legal.reference} recorded for the head of service. Nothing has been shared.",
            )
            if access.may_decide_legal_requests(request.user):
                return redirect("rights:legal_request_detail", legal_id=legal.pk)
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "rights/legal_request_new.html", {"form": form, "case": case})


def _legal_page(request, legal, *, status=200, sections=None, **forms_given):
    if sections is None:
        sections = services.legal_sections(request.user, legal, how="legal request: parts of the file")
    permission = legal.permission
    if permission is not None:
        permission.use_household_key(legal.household_key())
    defaults = {
        "permission_form": forms.LegalPermissionForm(),
        "decline_form": forms.LegalDeclineForm(),
        "extract_form": forms.LegalExtractForm(
            titles=[s.title for s in sections], initial={"parts": legal.parts}
        ),
        "send_form": forms.LegalSendForm(),
    }
    defaults.update({name: form for name, form in forms_given.items() if form is not None})
    bound = [form for form in forms_given.values() if form is not None]
    disclosure = legal.disclosure
    if disclosure is not None:
        disclosure.use_household_key(legal.household_key())
    return render(
        request,
        "rights/legal_request_detail.html",
        {
            "legal": legal,
            "permission": permission,
            "on_file": services.permissions_on_file(legal) if permission is None else [],
            "sections": sections,
            "disclosure": disclosure,
            "forms": bound,
            "forms_have_errors": any(form.errors for form in bound),
            **defaults,
        },
        status=status,
    )


def legal_request_detail(request, legal_id):
    legal = access.get_legal_request_for_user(request.user, legal_id)
    return _legal_page(request, legal)


def _legal_step(request, legal_id, *, how, name, form, do, done):
    legal = access.get_legal_request_for_user(request.user, legal_id, how=how)
    form = form(legal)
    if form.is_valid():
        try:
            do(legal, form.cleaned_data)
        except services.WorkbenchError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("rights:legal_request_detail", legal_id=legal.pk)
    return _legal_page(request, legal, **{name: form})


@require_POST
def legal_permission(request, legal_id):
    return _legal_step(
        request,
        legal_id,
        how="record permission for legal request",
        name="permission_form",
        form=lambda legal: forms.LegalPermissionForm(request.POST),
        do=lambda legal, data: services.record_legal_permission(
            by=request.user, legal=legal, method=data["method"], given_at=data["given_at"], note=data["note"]
        ),
        done="The parent's permission is recorded.",
    )


@require_POST
def legal_permission_on_file(request, legal_id, consent_id):
    legal = access.get_legal_request_for_user(request.user, legal_id, how="use consent for legal request")
    consent = pps_access.get_or_404(
        Consent.objects.visible_to(request.user).filter(case=legal.case), consent_id
    )
    try:
        services.use_permission_on_file(by=request.user, legal=legal, consent=consent)
    except services.WorkbenchError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The parent's existing consent is this request's permission.")
    return redirect("rights:legal_request_detail", legal_id=legal.pk)


@require_POST
def legal_decline(request, legal_id):
    return _legal_step(
        request,
        legal_id,
        how="decline legal request",
        name="decline_form",
        form=lambda legal: forms.LegalDeclineForm(request.POST),
        do=lambda legal, data: services.decline_legal_request(
            by=request.user, legal=legal, reason=data["reason"]
        ),
        done="Declined; the reason is recorded. Nothing has been shared.",
    )


@require_POST
def legal_extract(request, legal_id):
    legal = access.get_legal_request_for_user(request.user, legal_id, how="make legal extract")
    sections = services.legal_sections(request.user, legal, how="make legal extract")
    form = forms.LegalExtractForm(request.POST, titles=[section.title for section in sections])
    if form.is_valid():
        try:
            services.make_legal_extract(
                by=request.user, legal=legal, sections=sections, parts=form.cleaned_data["parts"]
            )
        except services.WorkbenchError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Extract made. Download it, then record how it went to the officer and the copy to the "
                "parent.",
            )
            return redirect("rights:legal_request_detail", legal_id=legal.pk)
    return _legal_page(request, legal, sections=sections, extract_form=form)


@require_POST
def legal_send(request, legal_id):
    return _legal_step(
        request,
        legal_id,
        how="send legal extract",
        name="send_form",
        form=lambda legal: forms.LegalSendForm(request.POST),
        do=lambda legal, data: services.send_legal_extract(by=request.user, legal=legal, **data),
        done="Recorded: sent to the officer, copy to the parent, and the disclosure on the case.",
    )


def legal_download(request, legal_id):
    """The legal extract as a PDF attachment, for the decider only. Audited."""
    legal = access.get_legal_request_for_user(request.user, legal_id, how="download legal extract")
    if challenge := step_up.challenge(request):
        return challenge
    if not legal.extract:
        raise Http404
    response = HttpResponse(base64.b64decode(legal.extract), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{legal.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
