"""The steps of a subject access request (R11), each recorded with who and when.

Every function takes the request the view already fetched (through ``rights.access``), checks
that its caller may take the step, locks the row, and writes the change and its history step in
one transaction; django-auditlog records every change.
"""

import base64
from datetime import date, datetime
from types import SimpleNamespace

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from consent import services as consent_services
from consent.dates import due_date
from consent.models import Consent, Disclosure, Recipient, SubjectAccessRequest
from pps.models import SENIOR_ROLES, Service
from rights import access, pack, pdf
from rights.models import AccessPack, ChildProtectionDecision, LegalRequest, Redaction, RequestStep

Status = SubjectAccessRequest.Status


class WorkbenchError(Exception):
    """A step refused, with the reason in the users' words."""


def _day(day) -> str:
    day = timezone.localdate(day) if isinstance(day, datetime) else day
    return f"{day.day} {day:%B %Y}"


def _lock(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    locked = SubjectAccessRequest.objects.select_for_update().select_related("case", "service").get(pk=sar.pk)
    locked.use_household_key(sar.household_key())
    return locked


def _step(sar, kind, by, note: str = "") -> RequestStep:
    step = RequestStep(request=sar, kind=kind, by=by, note=note, due_on=sar.due_on)
    step.use_household_key(sar.household_key())
    step.save()
    return step


def _not_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise WorkbenchError(f"{what} cannot be in the future.")


def _open(sar) -> None:
    if sar.is_finished:
        raise WorkbenchError(
            f"This request is {sar.get_status_display().lower()}: nothing more can be done on it."
        )


def clock_start(sar) -> date:
    return sar.clock_started_on or timezone.localdate(sar.received_at)


def _recompute_due(sar) -> None:
    sar.due_on = due_date(
        clock_start(sar), extension_months=sar.extension_months, paused_days=sar.paused_days
    )


@transaction.atomic
def record_request(
    *, by, case, requester_kind: str, child=None, how: str, received_at: datetime, asked_for: str
) -> SubjectAccessRequest:
    """A parent, or a young person of the household, asks for a copy of what the service holds
    about them. ``case`` was fetched by the view (anyone who may reach it may record this)."""
    kinds = SubjectAccessRequest.RequesterKind
    if requester_kind not in (kinds.PARENT, kinds.YOUNG_PERSON):
        raise WorkbenchError("Select who asked.")
    if requester_kind == kinds.YOUNG_PERSON:
        if child is None or child.parent_id != case.parent_id:
            raise WorkbenchError("Select the young person who asked.")
        requester = child.full_name
    else:
        child = None
        requester = case.parent.full_name
    if how not in SubjectAccessRequest.How.values:
        raise WorkbenchError("Select how they asked.")
    _not_future(timezone.localdate(received_at), "The date of the request")
    if not asked_for.strip():
        raise WorkbenchError("Say what they asked for.")
    sar = SubjectAccessRequest(
        service=case.service,
        case=case,
        requester_kind=requester_kind,
        child=child,
        requester=requester,
        how=how,
        received_at=received_at,
        asked_for=asked_for.strip(),
        recorded_by=by,
        due_on=SubjectAccessRequest.due_date_for(timezone.localdate(received_at)),
    )
    sar.use_household_key(case.household_key())
    sar.save()
    return sar


@transaction.atomic
def check_identity(*, by, sar, seen: str, confirmed_on: date) -> SubjectAccessRequest:
    """Record the identity check (what was seen). When the clock was stopped to wait for proof of
    identity, it restarts on the day identity was confirmed."""
    access.require(access.may_work_on_requests(by))
    sar = _lock(sar)
    _open(sar)
    if not seen.strip():
        raise WorkbenchError("Say what was seen to check their identity (for example a passport).")
    _not_future(confirmed_on, "The date identity was confirmed")
    if confirmed_on < timezone.localdate(sar.received_at):
        raise WorkbenchError("Identity cannot be confirmed before the request was received.")
    sar.identity_seen = seen.strip()
    sar.identity_checked_at = timezone.now()
    note = seen.strip()
    if sar.status == Status.PAUSED and sar.pause_reason == SubjectAccessRequest.PauseReason.IDENTITY:
        _restart(sar, confirmed_on)
        note += f" (clock restarted on {_day(confirmed_on)})"
    sar.save()
    _step(sar, RequestStep.Kind.IDENTITY_CHECKED, by, note)
    return sar


@transaction.atomic
def pause_clock(*, by, sar, reason: str, on: date, note: str = "") -> SubjectAccessRequest:
    """Stop the clock while waiting for proof of identity or for clarification."""
    access.require(access.may_work_on_requests(by))
    sar = _lock(sar)
    _open(sar)
    if sar.status == Status.PAUSED:
        raise WorkbenchError(f"The clock is already stopped, since {_day(sar.paused_on)}.")
    if sar.status != Status.RECEIVED:
        raise WorkbenchError("The clock can only be stopped before the pack is assembled.")
    if reason not in SubjectAccessRequest.PauseReason.values:
        raise WorkbenchError("Select why the clock is stopped.")
    _not_future(on, "The date the clock stopped")
    if on < clock_start(sar):
        raise WorkbenchError("The clock cannot be stopped before it started.")
    sar.status, sar.paused_on, sar.pause_reason = Status.PAUSED, on, reason
    sar.save()
    _step(
        sar, RequestStep.Kind.PAUSED, by, f"{SubjectAccessRequest.PauseReason(reason).label}. {note}".strip()
    )
    return sar


def _restart(sar, on: date) -> int:
    """Restart the clock: stopped from its first day, it starts afresh (one month from ``on``);
    stopped later, the days it stood still are added to the due date."""
    if on < sar.paused_on:
        raise WorkbenchError(f"The clock cannot restart before it stopped on {_day(sar.paused_on)}.")
    days = (on - sar.paused_on).days
    if sar.paused_on == clock_start(sar):
        sar.clock_started_on = on
    else:
        sar.paused_days += days
    sar.status, sar.paused_on, sar.pause_reason = Status.RECEIVED, None, ""
    _recompute_due(sar)
    return days


@transaction.atomic
def restart_clock(*, by, sar, on: date, note: str = "") -> SubjectAccessRequest:
    """The identity proof or clarification arrived on ``on``: the clock runs again."""
    access.require(access.may_work_on_requests(by))
    sar = _lock(sar)
    _open(sar)
    if sar.status != Status.PAUSED:
        raise WorkbenchError("The clock is not stopped.")
    _not_future(on, "The date the clock restarted")
    days = _restart(sar, on)
    sar.save()
    text = f"Stopped for {days} day{'s' if days != 1 else ''}; now due {_day(sar.due_on)}. {note}".strip()
    _step(sar, RequestStep.Kind.RESTARTED, by, text)
    return sar


@transaction.atomic
def extend(*, by, sar, months: int, reason: str) -> SubjectAccessRequest:
    """One extension of one or two further months, with the reason, made before the due date
    (the requester must be told within the first month)."""
    access.require(access.may_work_on_requests(by))
    sar = _lock(sar)
    _open(sar)
    if sar.extension_months:
        raise WorkbenchError(
            f"The time limit was already extended by {sar.extension_months} month"
            f"{'s' if sar.extension_months > 1 else ''}: only one extension is allowed."
        )
    if months not in (1, 2):
        raise WorkbenchError("An extension is of one or two further months.")
    if not reason.strip():
        raise WorkbenchError("Give the reason for the extension (for example, the request is complex).")
    if timezone.localdate() > sar.due_on:
        raise WorkbenchError(f"The request was due on {_day(sar.due_on)}: it is too late to extend it.")
    sar.extension_months, sar.extension_reason = months, reason.strip()
    _recompute_due(sar)
    sar.save()
    _step(
        sar, RequestStep.Kind.EXTENDED, by, f"By {months} month{'s' if months > 1 else ''}: {reason.strip()}"
    )
    return sar


@transaction.atomic
def decide_child_protection_file(
    *, by, sar, concern, decision: str, exemption: str = "", note: str = ""
) -> ChildProtectionDecision:
    """A designated lead decides one child-protection file: disclose it in the pack, or withhold
    it naming the exemption relied on. ``concern`` comes from ``access.concerns_for_request``."""
    access.require(access.may_review_child_protection(by))
    sar = _lock(sar)
    _open(sar)
    if sar.status not in (Status.RECEIVED, Status.PAUSED):
        raise WorkbenchError("The pack is assembled: child-protection decisions can no longer change.")
    if decision not in ChildProtectionDecision.Decision.values:
        raise WorkbenchError("Select whether to disclose or withhold this file.")
    if decision == ChildProtectionDecision.Decision.WITHHOLD:
        if exemption not in ChildProtectionDecision.Exemption.values:
            raise WorkbenchError("Select the exemption relied on to withhold this file.")
    else:
        exemption = ""
    existing = ChildProtectionDecision.objects.filter(request=sar, concern=concern).first()
    record = existing or ChildProtectionDecision(request=sar, concern=concern)
    record.use_household_key(concern.household_key())
    record.decision, record.exemption, record.note = decision, exemption, note.strip()
    record.decided_by, record.decided_at = by, timezone.now()
    record.save()
    return record


@transaction.atomic
def complete_child_protection_review(*, by, sar, concerns) -> SubjectAccessRequest:
    """The lead confirms the separate review is done: every file of the household decided.
    ``concerns`` is ``access.concerns_for_request`` for the lead. The history step says only
    that the review was done, so nothing tells others whether any file exists."""
    access.require(access.may_review_child_protection(by))
    sar = _lock(sar)
    _open(sar)
    decided = set(sar.child_protection_decisions.values_list("concern_id", flat=True))
    missing = [concern for concern in concerns if concern.pk not in decided]
    if missing:
        raise WorkbenchError(f"Decide every child-protection file first: {len(missing)} still to decide.")
    if sar.child_protection_reviewed_at:
        raise WorkbenchError("The child-protection review is already recorded.")
    sar.child_protection_reviewed_at = timezone.now()
    sar.save()
    _step(sar, RequestStep.Kind.CHILD_PROTECTION, by, "Reviewed by a designated safeguarding lead.")
    return sar


@transaction.atomic
def assemble(*, by, sar) -> SubjectAccessRequest:
    """The system gathers the pack; refused until identity is checked, the clock runs and a
    designated lead has reviewed the child-protection file."""
    access.require(access.may_work_on_requests(by))
    sar = _lock(sar)
    _open(sar)
    if sar.status == Status.PAUSED:
        raise WorkbenchError("The clock is stopped: restart it before assembling the pack.")
    if sar.status != Status.RECEIVED:
        raise WorkbenchError("The pack is already assembled.")
    if not sar.identity_checked_at:
        raise WorkbenchError("Check the requester's identity before assembling the pack.")
    if not sar.child_protection_reviewed_at:
        raise WorkbenchError(
            "A designated safeguarding lead must review the child-protection file for this request first."
        )
    sar.status = Status.ASSEMBLED
    sar.save()
    _step(sar, RequestStep.Kind.ASSEMBLED, by)
    return sar


@transaction.atomic
def mark_redaction(
    *, by, sar, sections, item: str, passage: str, reason: str, explanation: str = ""
) -> Redaction:
    """Mark a passage of one item of the pack to black out, with the reason. ``sections`` is the
    pack as gathered for the page; the passage must appear in that item."""
    access.require(access.may_work_on_requests(by))
    sar = _lock(sar)
    _open(sar)
    if sar.status != Status.ASSEMBLED:
        raise WorkbenchError("Passages are marked on an assembled pack, before it is approved.")
    entry = pack.entry_keys(sections).get(item)
    if entry is None:
        raise WorkbenchError("Choose a passage from the pack.")
    passage = passage.strip()
    if not passage:
        raise WorkbenchError("Copy the words to redact from the pack.")
    if not any(passage in text for text in entry.texts()):
        raise WorkbenchError("Those words are not in that part of the pack: copy them exactly as shown.")
    if reason not in Redaction.Reason.values:
        raise WorkbenchError("Select why the passage is redacted.")
    number = (sar.redactions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    case = pack.pack_case(sar)
    redaction = Redaction(
        request=sar,
        case=case,
        number=number,
        item=item,
        passage=passage,
        reason=reason,
        explanation=explanation.strip(),
        marked_by=by,
    )
    redaction.use_household_key(case.household_key())
    redaction.save()
    _step(sar, RequestStep.Kind.REDACTION, by, f"{redaction.reference}: {redaction.get_reason_display()}")
    return redaction


@transaction.atomic
def remove_redaction(*, by, sar, redaction: Redaction) -> None:
    access.require(access.may_work_on_requests(by))
    sar = _lock(sar)
    if redaction.request_id != sar.pk:
        raise Http404
    if sar.status != Status.ASSEMBLED:
        raise WorkbenchError("Redactions can only change before the pack is approved.")
    reference = redaction.reference
    redaction.delete()
    _step(sar, RequestStep.Kind.REDACTION_REMOVED, by, reference)


def _withheld_summary(sar, redactions) -> str:
    lines = [f"{r.reference}: {r.get_reason_display()}. {r.explanation}".strip() for r in redactions]
    for decision in sar.child_protection_decisions.filter(decision=ChildProtectionDecision.Decision.WITHHOLD):
        lines.append(
            f"Child-protection file raised {_day(decision.concern.raised_at)}: withheld "
            f"({decision.get_exemption_display()})"
        )
    return "\n".join(lines)


@transaction.atomic
def approve(*, by, sar, partly_refused: bool = False, reason: str = "") -> AccessPack:
    """The head of service approves the reviewed pack: the PDF is made with the redactions as
    black bars and withheld files left out, stored encrypted under the household's key; its page
    count and what was withheld are recorded on the request. A partial refusal needs its reason."""
    access.require(access.may_approve_requests(by))
    sar = _lock(sar)
    _open(sar)
    if sar.status != Status.ASSEMBLED:
        raise WorkbenchError("Only an assembled pack can be approved.")
    if partly_refused and not reason.strip():
        raise WorkbenchError("Give the reason the request is partly refused.")
    case = pack.pack_case(sar)
    sections = pack.gather(by, sar, how="subject access pack: PDF made")
    redactions = list(sar.redactions.all())
    key = case.household_key() if case is not None else sar.household_key()
    for redaction in redactions:
        redaction.use_household_key(key)
    pack.apply_redactions(sections, redactions)
    extra = []
    if partly_refused:
        extra.append(f"We have not given you all of the information you asked for: {reason.strip()}")
    document, pages = pdf.subject_access_pack(
        sar,
        sections,
        letter={"to": sar.requester, "signed_by": by.display_name, "extra": extra},
        files=pack.pack_files(sar),
    )
    stored = AccessPack.objects.filter(request=sar).first() or AccessPack(request=sar)
    stored.case = case or sar.case
    stored.use_household_key(key)
    stored.pdf = base64.b64encode(document).decode("ascii")
    stored.page_count, stored.made_by, stored.made_at = pages, by, timezone.now()
    stored.save()
    sar.status = Status.REVIEWED
    sar.page_count = pages
    sar.withheld = _withheld_summary(sar, redactions)
    sar.partly_refused = partly_refused
    sar.refusal_reason = reason.strip() if partly_refused else ""
    sar.save()
    note = f"{pages} pages; {len(redactions)} passage{'s' if len(redactions) != 1 else ''} redacted."
    if partly_refused:
        note += f" Partly refused: {reason.strip()}"
    _step(sar, RequestStep.Kind.REVIEWED, by, note)
    return stored


def pack_pdf(sar) -> bytes:
    """The stored PDF of ``sar`` (decrypted); raises ``AccessPack.DoesNotExist`` before approval."""
    stored = AccessPack.objects.select_related("case").get(request=sar)
    return base64.b64decode(stored.pdf)


@transaction.atomic
def record_download(*, by, sar) -> None:
    access.require(access.may_download_pack(by))
    _step(sar, RequestStep.Kind.DOWNLOADED, by)


@transaction.atomic
def record_sent(*, by, sar, how: str, sent_on: date) -> SubjectAccessRequest:
    """The approved pack was sent: how and when."""
    access.require(access.may_work_on_requests(by))
    sar = _lock(sar)
    _open(sar)
    if sar.status != Status.REVIEWED:
        raise WorkbenchError("The pack must be approved by the head of service before it is sent.")
    if how not in SubjectAccessRequest.SentHow.values:
        raise WorkbenchError("Select how the pack was sent.")
    _not_future(sent_on, "The date it was sent")
    if sent_on < timezone.localdate(sar.received_at):
        raise WorkbenchError("The pack cannot be sent before the request was received.")
    sar.status, sar.sent_how = Status.SENT, how
    sar.sent_at = timezone.make_aware(datetime.combine(sent_on, datetime.min.time().replace(hour=12)))
    sar.save()
    late = " (after the due date)" if sent_on > sar.due_on else ""
    _step(sar, RequestStep.Kind.SENT, by, f"{sar.get_sent_how_display()}, {_day(sent_on)}{late}")
    return sar


@transaction.atomic
def close(*, by, sar, note: str = "") -> SubjectAccessRequest:
    access.require(access.may_work_on_requests(by))
    sar = _lock(sar)
    _open(sar)
    if sar.status != Status.SENT:
        raise WorkbenchError("A request is closed once its pack was sent (or it was refused).")
    sar.status = Status.CLOSED
    sar.save()
    _step(sar, RequestStep.Kind.CLOSED, by, note.strip())
    return sar


@transaction.atomic
def refuse(*, by, sar, reason: str) -> SubjectAccessRequest:
    """The head of service refuses the request outright, with the reason (for example manifestly
    unfounded or excessive); it ends the request."""
    access.require(access.may_approve_requests(by))
    sar = _lock(sar)
    _open(sar)
    if sar.status == Status.SENT:
        raise WorkbenchError("The pack was already sent.")
    if not reason.strip():
        raise WorkbenchError("Give the reason the request is refused.")
    sar.status, sar.refusal_reason, sar.paused_on, sar.pause_reason = Status.REFUSED, reason.strip(), None, ""
    sar.save()
    _step(sar, RequestStep.Kind.REFUSED, by, reason.strip())
    return sar


# Legal and local-authority requests (R12)


def _require_decider(by) -> None:
    access.require(access.may_decide_legal_requests(by))


def _lock_legal(legal: LegalRequest) -> LegalRequest:
    locked = LegalRequest.objects.select_for_update().select_related("case", "service").get(pk=legal.pk)
    locked.use_household_key(legal.household_key())
    return locked


def _legal_open(legal) -> None:
    if legal.status in (LegalRequest.Status.DECLINED, LegalRequest.Status.SENT):
        raise WorkbenchError(
            f"This request is {legal.get_status_display().lower()}: nothing more can be done on it."
        )


@transaction.atomic
def record_legal_request(
    *,
    by,
    case,
    officer: str,
    organisation: str,
    role: str,
    legal_reason: str,
    their_reference: str,
    asked_for: str,
    received_on: date,
) -> LegalRequest:
    """Council officers ask for information about ``case`` for legal reasons. ``case`` was fetched
    by the view; the request goes to the head of service (or their deputy)."""
    values = {
        "officer": " ".join(officer.split()),
        "organisation": " ".join(organisation.split()),
        "role": " ".join(role.split()),
        "legal_reason": legal_reason.strip(),
        "their_reference": their_reference.strip(),
        "asked_for": asked_for.strip(),
    }
    for name, message in (
        ("officer", "Say who asked."),
        ("organisation", "Give their organisation."),
        ("role", "Give their role."),
        ("legal_reason", "Give the legal reason for the request (for example a judicial review)."),
        ("asked_for", "Say what they ask for."),
    ):
        if not values[name]:
            raise WorkbenchError(message)
    _not_future(received_on, "The date of the request")
    legal = LegalRequest(service=case.service, case=case, received_on=received_on, recorded_by=by, **values)
    legal.use_household_key(case.household_key())
    legal.save()
    return legal


def permissions_on_file(legal) -> list:
    """Consents of the case that may serve as the parent's permission for this request: in force
    today, not withdrawn, naming the requesting organisation itself."""

    today = timezone.localdate()
    consents = []
    for consent in Consent.objects.filter(case=legal.case).select_related("recorded_by"):
        consent.use_household_key(legal.household_key())
        if consent.is_valid_on(today) and consent.covers(Recipient.OTHER, legal.organisation):
            consents.append(consent)
    return consents


@transaction.atomic
def record_legal_permission(*, by, legal, method: str, given_at: datetime, note: str) -> LegalRequest:
    """The parent gave permission for this request: recorded as a consent to share with the
    requesting organisation, for this purpose (how, when, by whom)."""

    _require_decider(by)
    legal = _lock_legal(legal)
    _legal_open(legal)
    if not note.strip():
        raise WorkbenchError("Say what the parent was told and agreed to.")
    told = (
        f"Permission for {legal.organisation}'s legal request"
        f"{' (their reference ' + legal.their_reference + ')' if legal.their_reference else ''}: "
        f"{legal.legal_reason}. {note.strip()}"
    )
    try:
        consent = consent_services.record_consent(
            by=by,
            case=legal.case,
            method=method,
            parent_was_told=told,
            recipients=[Recipient.OTHER],
            named_organisation=legal.organisation,
            given_at=given_at,
        )
    except consent_services.ConsentError as error:
        raise WorkbenchError(str(error)) from None
    legal.permission = consent
    legal.save()
    return legal


@transaction.atomic
def use_permission_on_file(*, by, legal, consent) -> LegalRequest:
    """An existing consent names this organisation and the decider confirms it covers this
    purpose: it is this request's permission."""
    _require_decider(by)
    legal = _lock_legal(legal)
    _legal_open(legal)
    if consent.pk not in {c.pk for c in permissions_on_file(legal)}:
        raise WorkbenchError(
            f"That consent does not name {legal.organisation}, or is no longer in force: record the parent's "
            "permission for this request."
        )
    legal.permission = consent
    legal.save()
    return legal


@transaction.atomic
def decline_legal_request(*, by, legal, reason: str) -> LegalRequest:
    _require_decider(by)
    legal = _lock_legal(legal)
    _legal_open(legal)
    if not reason.strip():
        raise WorkbenchError("Give the reason the request is declined.")
    legal.status, legal.declined_reason = LegalRequest.Status.DECLINED, reason.strip()
    legal.decided_by, legal.decided_at = by, timezone.now()
    legal.save()
    return legal


def legal_sections(by, legal, *, how: str):
    """The parts of the file a legal extract may hold: the case's household as a pack gathers it
    (never a child-protection file), titled for a third-party reader."""

    source = SimpleNamespace(
        requester_kind=SubjectAccessRequest.RequesterKind.PARENT,
        case=legal.case,
        child=None,
        child_protection_decisions=ChildProtectionDecision.objects.none(),
    )
    sections = pack.gather(by, source, how=how)
    titles = {"Your record": "The parent's record", "Your children": "The children"}
    for section in sections:
        section.title = titles.get(section.title, section.title)
    return pack.apply_redactions(sections, [])


@transaction.atomic
def make_legal_extract(*, by, legal, sections, parts: list[str]) -> LegalRequest:
    """The decider chooses which parts of the file to extract; the extract is made as a PDF.
    ``sections`` is ``legal_sections`` as the view read them (their reads recorded once)."""
    _require_decider(by)
    legal = _lock_legal(legal)
    _legal_open(legal)
    chosen = [section for section in sections if section.title in parts]
    if not chosen:
        raise WorkbenchError("Choose at least one part of the file to extract.")
    document, pages = pdf.legal_extract(legal, chosen, signed_by=by.display_name)
    legal.parts = [section.title for section in chosen]
    legal.extract = base64.b64encode(document).decode("ascii")
    legal.page_count = pages
    legal.status = LegalRequest.Status.EXTRACTED
    legal.save()
    return legal


DISCLOSURE_HOW = {"email": "email", "post": "letter", "in_person": "meeting", "portal": "secure_portal"}


@transaction.atomic
def send_legal_extract(
    *,
    by,
    legal,
    sent_how: str,
    sent_on: date,
    copy_how: str,
    copy_on: date,
    basis: str,
    legal_reference: str = "",
) -> LegalRequest:
    """Record that the extract went to the officer and its copy to the parent, and the disclosure
    on the case (R3): on the parent's consent, or a legal obligation with its reference. Refused,
    saying why, without the parent's permission for this request."""

    _require_decider(by)
    legal = _lock_legal(legal)
    _legal_open(legal)
    permission = legal.permission
    if permission is None:
        raise WorkbenchError(
            "The parent has not given permission for this request: record their permission first. "
            "Nothing has been sent."
        )
    permission.use_household_key(legal.household_key())
    if not permission.is_valid_on(timezone.localdate()):
        raise WorkbenchError(
            "The parent's permission for this request is no longer in force (withdrawn or expired): "
            "nothing may be sent."
        )
    if legal.status != LegalRequest.Status.EXTRACTED:
        raise WorkbenchError("Make the extract first.")
    if sent_how not in LegalRequest.How.values or copy_how not in LegalRequest.How.values:
        raise WorkbenchError(
            "Select how the extract was sent to the officer and how the copy went to the parent."
        )
    _not_future(sent_on, "The date it was sent")
    _not_future(copy_on, "The date the copy was sent to the parent")
    sent_at = timezone.make_aware(datetime.combine(sent_on, datetime.min.time().replace(hour=12)))
    if sent_on == timezone.localdate():
        sent_at = timezone.now()
    try:
        disclosure = consent_services.record_disclosure(
            by=by,
            case=legal.case,
            what=f"Extract for a legal request ({', '.join(legal.parts)}): {legal.legal_reason}",
            recipient=Recipient.OTHER,
            organisation=legal.organisation,
            when=sent_at,
            how=DISCLOSURE_HOW[sent_how],
            basis=basis,
            consent=permission if basis == Disclosure.Basis.CONSENT else None,
            legal_reference=legal_reference,
        )
    except consent_services.ConsentError as error:
        raise WorkbenchError(str(error)) from None
    legal.sent_how, legal.sent_at = sent_how, sent_at
    legal.copy_how = copy_how
    legal.copy_sent_at = timezone.make_aware(datetime.combine(copy_on, datetime.min.time().replace(hour=12)))
    legal.disclosure = disclosure
    legal.status = LegalRequest.Status.SENT
    legal.decided_by, legal.decided_at = by, timezone.now()
    legal.save()
    return legal


@transaction.atomic
def set_legal_request_deputy(*, by, deputy, absent: bool):
    """The head of service names their deputy for legal requests and says whether they are away."""

    access.require(access.may_set_legal_request_deputy(by))
    service = Service.objects.select_for_update().get(pk=by.service_id)
    if deputy is not None and (
        deputy.service_id != service.pk
        or not deputy.is_active
        or deputy.role not in SENIOR_ROLES
        or deputy == by
    ):
        raise WorkbenchError("Choose a senior manager of the service as deputy.")
    if absent and deputy is None:
        raise WorkbenchError(
            "Name a deputy before marking yourself absent: legal requests would reach nobody."
        )
    service.legal_request_deputy, service.head_of_service_absent = deputy, absent
    service.save(update_fields=["legal_request_deputy", "head_of_service_absent"])
    return service
