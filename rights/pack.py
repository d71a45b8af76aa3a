"""The subject access pack: everything the service holds about the requester, gathered by the
system (R11), with the reviewer's redactions applied.

Gathered from one household only: the record of the requester (the parent; a young person's own
child record; for another person with parental responsibility, their own linked case as the
other separated parent, never the case the request was made on, R5). Child-protection files are
included only where a designated lead decided to disclose them; withheld ones never enter.
Child-protection referrals recorded as disclosures belong to the child-protection file and are
left to that review too.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from cases import access as cases_access
from cases.models import Case, CaseEvent, Contact
from consent.models import Consent, Disclosure, StatementSent, SubjectAccessRequest
from documents.models import Document
from documents.services import read_document
from pps.audit import record_access

BAR = "\u2588" * 8


@dataclass
class Segment:
    text: str
    redaction: str = ""  # its reference ("R1") when blacked out


@dataclass
class Line:
    label: str
    text: str
    segments: list = field(default_factory=list)


@dataclass
class Entry:
    key: str
    heading: str
    lines: list

    def texts(self):
        return [line.text for line in self.lines]


@dataclass
class Section:
    title: str
    entries: list


def _day(moment) -> str:
    if moment is None:
        return ""
    if hasattr(moment, "hour"):
        moment = timezone.localtime(moment)
        return f"{moment.day} {moment:%B %Y}, {moment:%H:%M}"
    return f"{moment.day} {moment:%B %Y}"


def pack_case(sar: SubjectAccessRequest) -> Case | None:
    """The case whose household the pack is gathered from, or None when the service holds no
    record of the requester (another parent the service does not support)."""
    if sar.requester_kind != SubjectAccessRequest.RequesterKind.OTHER_PARENT:
        return sar.case
    return (
        cases_access.separated_parent_cases(sar.case)
        .exclude(status=Case.Status.DESTROYED)
        .select_related("parent")
        .first()
    )


def _lines(*pairs) -> list[Line]:
    return [Line(label, str(text)) for label, text in pairs if text not in (None, "")]


def _document_entries(case, key, shown) -> list:
    """The documents and letters kept on ``case``: what each is, its date, its file's name; the
    files themselves are attached to the pack's PDF (``pack_files``)."""

    pairs = []
    documents = list(Document.objects.filter(case=case).select_related("added_by").order_by("added_at"))
    attached = {document.pk for document in _attachable(documents)}
    for document in documents:
        document.use_household_key(key)
        shown.append(document)
        pairs.append(
            (
                document.added_at,
                Entry(
                    f"document:{document.pk}",
                    f"{_day(document.added_at)}: {document.get_kind_display().lower()}, {document.title}",
                    _lines(
                        ("What it is", document.get_kind_display()),
                        ("Date of the document", _day(document.dated)),
                        ("File", document.file_name),
                        ("In this pack", _where_in_pack(document, attached)),
                        ("Added by", document.added_by.display_name),
                    ),
                ),
            )
        )
    return pairs


#: The most of the household's files attached to the pack's PDF (it is stored, encrypted, with
#: the request); files past this are listed and sent separately.
PACK_FILES_MAX_BYTES = 25 * 1024 * 1024


def _attachable(documents) -> list:
    """The documents whose files go into the PDF: in order, while they fit the budget."""
    chosen, total = [], 0
    for document in documents:
        if document.file_deleted or total + document.size > PACK_FILES_MAX_BYTES:
            continue
        chosen.append(document)
        total += document.size
    return chosen


def _where_in_pack(document, attached) -> str:
    if document.file_deleted:
        return "the file was destroyed"
    if document.pk in attached:
        return "attached to this PDF as a file"
    return "too large to attach here: sent separately"


def pack_files(sar: SubjectAccessRequest) -> list:
    """``(file name, bytes)`` of the documents of the household the pack is gathered from, to
    attach to the pack's PDF. Their reads are recorded by ``gather`` (one entry each)."""

    case = pack_case(sar)
    if case is None:
        return []
    key = case.parent.household_key()
    files = []
    documents = Document.objects.filter(case__parent_id=case.parent_id, case__service_id=case.service_id)
    documents = documents.exclude(case__status=Case.Status.DESTROYED).order_by("case__opened_at", "added_at")
    by_case = {}
    for document in documents:
        by_case.setdefault(document.case_id, []).append(document)
    for group in by_case.values():
        for document in _attachable(group):
            document.use_household_key(key)
            files.append((document.file_name, read_document(document)))
    return files


def gather(user, sar: SubjectAccessRequest, *, how: str = "subject access pack") -> list[Section]:
    """The pack's sections, redactions not yet applied. Every record included is recorded in the
    audit log as read by ``user`` (one entry each)."""
    case = pack_case(sar)
    if case is None:
        return []
    parent = case.parent
    key = parent.household_key()
    shown = [parent]
    sections = []
    children = list(parent.children.all())
    for child in children:
        child.use_household_key(key)
    young_person = (
        sar.child if sar.requester_kind == SubjectAccessRequest.RequesterKind.YOUNG_PERSON else None
    )

    def child_entry(child):
        return Entry(
            f"child:{child.pk}",
            child.full_name,
            _lines(
                ("Name", child.full_name),
                ("Date of birth", _day(child.date_of_birth)),
                ("School or setting", child.school),
                ("Primary type of need", child.get_need_display()),
                ("SEN provision", child.get_provision_display()),
            ),
        )

    if young_person is not None:
        young_person = next((child for child in children if child.pk == young_person.pk), None)
        if young_person is not None:
            sections.append(Section("Your record", [child_entry(young_person)]))
            shown.append(young_person)
    else:
        sections.append(
            Section(
                "Your record",
                [
                    Entry(
                        f"parent:{parent.pk}",
                        parent.full_name,
                        _lines(
                            ("Name", parent.full_name),
                            ("Phone", parent.phone),
                            ("Email", parent.email),
                            ("Address", parent.address),
                            ("Postcode", parent.postcode),
                            ("Preferred way of contact", parent.get_preferred_contact_display()),
                            ("A detailed message may be left", "Yes" if parent.detailed_message_ok else "No"),
                            ("Parental responsibility", parent.get_parental_responsibility_display()),
                            ("Record made", _day(parent.created_at)),
                        ),
                    )
                ],
            )
        )
        if children:
            sections.append(Section("Your children", [child_entry(child) for child in children]))
            shown.extend(children)

    cases = list(
        Case.objects.visible_to(user).filter(parent=parent).order_by("opened_at").select_related("opened_by")
    )
    for each in cases:
        each.use_household_key(key)
        entries = [
            Entry(
                f"case:{each.pk}",
                "About the case",
                _lines(
                    ("What the parent needs help with", each.summary),
                    ("Status", each.get_status_display()),
                    ("Opened", _day(each.opened_at)),
                    ("Closed", _day(each.closed_at)),
                ),
            )
        ]
        shown.append(each)
        timeline = []
        for event in CaseEvent.objects.filter(case=each).select_related("by", "staff"):
            event.use_household_key(key)
            shown.append(event)
            timeline.append(
                (
                    event.at,
                    Entry(
                        f"event:{event.pk}",
                        f"{_day(event.at)}: {event.get_kind_display()}",
                        _lines(("By", event.by.display_name), ("Reason", event.reason)),
                    ),
                )
            )
        contacts = Contact.objects.filter(case=each).select_related("outcome", "logged_by")
        for contact in contacts.prefetch_related("topics"):
            contact.use_household_key(key)
            shown.append(contact)
            timeline.append(
                (
                    contact.occurred_at,
                    Entry(
                        f"contact:{contact.pk}",
                        f"{_day(contact.occurred_at)}: {contact.get_channel_display()}, "
                        f"{contact.get_direction_display().lower()}",
                        _lines(
                            ("Time spent", f"{contact.duration_minutes} minutes"),
                            ("Topics", ", ".join(topic.name for topic in contact.topics.all())),
                            ("Outcome", contact.outcome.name),
                            ("Notes", contact.notes),
                            ("Follow-up date", _day(contact.follow_up_on)),
                            ("Logged by", contact.logged_by.display_name),
                        ),
                    ),
                )
            )
        for consent in Consent.objects.filter(case=each):
            consent.use_household_key(key)
            shown.append(consent)
            timeline.append(
                (
                    consent.given_at,
                    Entry(
                        f"consent:{consent.pk}",
                        f"{_day(consent.given_at)}: consent to share",
                        _lines(
                            ("How it was given", consent.get_method_display()),
                            ("What the parent was told", consent.parent_was_told),
                            ("May be shared with", ", ".join(consent.recipient_labels())),
                            ("Valid until", _day(consent.expires_on)),
                            ("Withdrawn", _day(consent.withdrawn_at)),
                            ("How it was withdrawn", consent.withdrawal_note),
                        ),
                    ),
                )
            )
        disclosures = Disclosure.objects.filter(case=each).exclude(basis=Disclosure.Basis.CHILD_PROTECTION)
        for disclosure in disclosures.select_related("disclosed_by"):
            disclosure.use_household_key(key)
            shown.append(disclosure)
            timeline.append(
                (
                    disclosure.disclosed_at,
                    Entry(
                        f"disclosure:{disclosure.pk}",
                        f"{_day(disclosure.disclosed_at)}: information shared",
                        _lines(
                            ("What was shared", disclosure.what),
                            ("Shared with", disclosure.organisation or disclosure.recipient_label),
                            ("How", disclosure.get_how_display()),
                            ("On what basis", disclosure.get_basis_display()),
                            ("Legal reference", disclosure.legal_reference),
                            ("By", disclosure.disclosed_by.display_name),
                        ),
                    ),
                )
            )
        for statement in StatementSent.objects.filter(case=each).select_related("sent_by"):
            shown.append(statement)
            timeline.append(
                (
                    statement.sent_at,
                    Entry(
                        f"statement:{statement.pk}",
                        f"{_day(statement.sent_at)}: permission form and statement given or sent",
                        _lines(("How", statement.get_how_display()), ("By", statement.sent_by.display_name)),
                    ),
                )
            )
        timeline.extend(_document_entries(each, key, shown))
        timeline.sort(key=lambda pair: pair[0])
        entries.extend(entry for _, entry in timeline)
        sections.append(Section(f"Case {each.reference}", entries))

    disclosed = [
        decision.concern
        for decision in sar.child_protection_decisions.filter(decision="disclose").select_related("concern")
        if decision.concern.destroyed_at is None and decision.concern.case_id in {c.pk for c in cases}
    ]
    if disclosed:
        entries = []
        for concern in disclosed:
            shown.append(concern)
            lines = _lines(
                ("When it happened", _day(concern.happened_at)), ("What was said or seen", concern.what)
            )
            lines.append(Line("Status", concern.get_status_display()))
            for discussion in concern.discussions.all():
                discussion.use_household_key(concern.household_key())
                lines.append(
                    Line("Discussed", f"{_day(discussion.held_at)}: {discussion.get_decision_display()}")
                )
            for referral in concern.referrals.all():
                referral.use_household_key(concern.household_key())
                lines.append(Line("Referred", f"{_day(referral.made_at)} to {referral.get_agency_display()}"))
                lines.append(Line("What was shared", referral.what_was_shared))
            entries.append(Entry(f"concern:{concern.pk}", f"Raised {_day(concern.raised_at)}", lines))
        sections.append(Section("Child-protection records", entries))
    record_access(user, shown, how=how)
    return sections


def entry_keys(sections) -> dict:
    return {entry.key: entry for section in sections for entry in section.entries}


def apply_redactions(sections, redactions) -> list[Section]:
    """Split every line into segments, the passages marked for redaction on its entry blacked out
    (``Segment.redaction`` holds the reference). Changes ``sections`` in place and returns them."""
    by_item = {}
    for redaction in redactions:
        by_item.setdefault(redaction.item, []).append(redaction)
    for section in sections:
        for entry in section.entries:
            for line in entry.lines:
                line.segments = _segments(line.text, by_item.get(entry.key, []))
    return sections


def _segments(text: str, redactions) -> list[Segment]:
    segments = [Segment(text)]
    for redaction in redactions:
        passage = redaction.passage
        if not passage:
            continue
        split = []
        for segment in segments:
            if segment.redaction or passage not in segment.text:
                split.append(segment)
                continue
            parts = segment.text.split(passage)
            for index, part in enumerate(parts):
                if part:
                    split.append(Segment(part))
                if index < len(parts) - 1:
                    split.append(Segment(passage, redaction.reference))
        segments = split
    return segments


def redacted_text(line: Line) -> str:
    """A line as it appears in the PDF: black bars with the reference for each redaction."""
    return "".join(f"{BAR} [{s.redaction}]" if s.redaction else s.text for s in line.segments)
