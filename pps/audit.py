"""Recording reads in the audit log (R8).

django-auditlog records creates, changes and deletes by itself. Reads are recorded here: one
ACCESS entry for every record a person is shown, whether on its own page, in a list, in search
results or in an export. Entries carry the actor and address from the request (set by
``AuditlogMiddleware``) and the record's id, never its content.
"""

from auditlog import get_logentry_model
from auditlog.context import auditlog_value
from django.contrib.contenttypes.models import ContentType

HIDDEN = "[hidden]"


def mask_value(value) -> str:
    """Mask for personal fields in audit diffs: that a field changed, not what it holds."""
    return HIDDEN


def _request_context() -> dict:
    try:
        return auditlog_value.get()
    except LookupError:
        return {}


#: The mark on an entry written by a child-protection page or decision about a record that is not
#: itself child-protection (the case a concern is raised on, the case whose file a lead opens):
#: histories shown to anyone who may not see child-protection records leave such entries out.
CHILD_PROTECTION = "child_protection"


def record_access(user, objects, *, how: str, child_protection: bool = False) -> None:
    """Write one ACCESS entry per record shown to ``user``; ``how`` says where (e.g. "search").

    ``child_protection`` marks reads made by child-protection pages and decisions (see
    ``CHILD_PROTECTION``): the entry is written like any other, and shown only to those who may
    see child-protection records.
    """
    objects = [obj for obj in objects if obj is not None]
    if not objects:
        return
    entry_model = get_logentry_model()
    context = _request_context()
    actor = user if getattr(user, "is_authenticated", False) else None
    content_types = ContentType.objects.get_for_models(*{type(obj) for obj in objects})
    entries = [
        entry_model(
            content_type=content_types[type(obj)],
            object_pk=str(obj.pk),
            object_repr=str(obj.pk),
            action=entry_model.Action.ACCESS,
            actor=actor,
            actor_email=getattr(actor, "email", None),
            remote_addr=context.get("remote_addr"),
            remote_port=context.get("remote_port"),
            cid=context.get("cid"),
            additional_data={"how": how, CHILD_PROTECTION: True} if child_protection else {"how": how},
        )
        for obj in objects
    ]
    entry_model.objects.bulk_create(entries)


def entries_about_case(case, viewer):
    """Every audit entry about a case and the records it shows: parent, children, consents,
    contacts, case events and disclosures. Newest first.

    Child-protection records (concerns, their discussions, referrals and break-glass openings,
    and disclosures made on the basis of child protection) are listed only to a ``viewer`` who
    may see them (``access.may_see_child_protection_records``): to anyone else nothing here
    reveals that a child-protection file exists (R6).
    """
    from django.db.models import Q

    from cases.models import Case, CaseEvent, Child, Contact, Parent
    from consent.models import Consent, Disclosure
    from pps.access import may_see_child_protection_records
    from safeguarding.models import BreakGlassAccess, Concern, Discussion, ExternalReferral

    disclosures = Disclosure.objects.filter(case=case)
    child_protection = may_see_child_protection_records(viewer)
    if not child_protection:
        disclosures = disclosures.exclude(basis=Disclosure.Basis.CHILD_PROTECTION)

    entry_model = get_logentry_model()
    records = {
        Case: [case.pk],
        Parent: [case.parent_id],
        Child: list(Child.objects.filter(parent_id=case.parent_id).values_list("pk", flat=True)),
        Consent: list(Consent.objects.filter(parent_id=case.parent_id).values_list("pk", flat=True)),
        Contact: list(case.contacts.values_list("pk", flat=True)),
        CaseEvent: list(case.events.values_list("pk", flat=True)),
        Disclosure: list(disclosures.values_list("pk", flat=True)),
    }
    if child_protection:
        concerns = list(Concern.objects.filter(case=case).values_list("pk", flat=True))
        records[Concern] = concerns
        records[Discussion] = list(
            Discussion.objects.filter(concern__in=concerns).values_list("pk", flat=True)
        )
        records[ExternalReferral] = list(
            ExternalReferral.objects.filter(concern__in=concerns).values_list("pk", flat=True)
        )
        records[BreakGlassAccess] = list(
            BreakGlassAccess.objects.filter(case=case).values_list("pk", flat=True)
        )
    content_types = ContentType.objects.get_for_models(*records)
    condition = Q()
    for model, pks in records.items():
        if pks:
            condition |= Q(content_type=content_types[model], object_pk__in=[str(pk) for pk in pks])
    entries = entry_model.objects.filter(condition)
    if not child_protection:
        entries = without_child_protection_activity(entries)
    return entries.select_related("actor", "content_type").order_by("-timestamp", "-pk")


def without_child_protection_activity(entries):
    """``entries`` less those marked as made by child-protection pages (``CHILD_PROTECTION``).

    Entries with no additional data (creates and changes) are kept: only a present, true mark
    leaves an entry out.
    """
    return entries.exclude(**{f"additional_data__{CHILD_PROTECTION}": True})


def entries_by_staff_member(member, viewer):
    """Everything one member of staff did or looked at, newest first.

    To a ``viewer`` who may not see child-protection records, entries about them (and about
    disclosures made on the basis of child protection) are left out: see ``entries_about_case``.
    """
    from consent.models import Disclosure
    from pps.access import may_see_child_protection_records

    entries = (
        get_logentry_model()
        .objects.filter(actor=member)
        .select_related("content_type")
        .order_by("-timestamp", "-pk")
    )
    if may_see_child_protection_records(viewer):
        return entries
    protected = [
        str(pk)
        for pk in Disclosure.objects.filter(
            basis=Disclosure.Basis.CHILD_PROTECTION, case__service_id=member.service_id
        ).values_list("pk", flat=True)
    ]
    disclosure_type = ContentType.objects.get_for_model(Disclosure)
    entries = entries.exclude(content_type__app_label="safeguarding").exclude(
        content_type=disclosure_type, object_pk__in=protected
    )
    return without_child_protection_activity(entries)
