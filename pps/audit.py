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


def record_access(user, objects, *, how: str) -> None:
    """Write one ACCESS entry per record shown to ``user``; ``how`` says where (e.g. "search")."""
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
            additional_data={"how": how},
        )
        for obj in objects
    ]
    entry_model.objects.bulk_create(entries)


def entries_about_case(case):
    """Every audit entry about a case and the records it shows: parent, children, consents,
    contacts and case events. Newest first."""
    from django.db.models import Q

    from cases.models import Case, CaseEvent, Child, Contact, Parent
    from consent.models import Consent, Disclosure

    entry_model = get_logentry_model()
    records = {
        Case: [case.pk],
        Parent: [case.parent_id],
        Child: list(Child.objects.filter(parent_id=case.parent_id).values_list("pk", flat=True)),
        Consent: list(Consent.objects.filter(parent_id=case.parent_id).values_list("pk", flat=True)),
        Contact: list(case.contacts.values_list("pk", flat=True)),
        CaseEvent: list(case.events.values_list("pk", flat=True)),
        Disclosure: list(Disclosure.objects.filter(case=case).values_list("pk", flat=True)),
    }
    content_types = ContentType.objects.get_for_models(*records)
    condition = Q()
    for model, pks in records.items():
        if pks:
            condition |= Q(content_type=content_types[model], object_pk__in=[str(pk) for pk in pks])
    return (
        entry_model.objects.filter(condition)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def entries_by_staff_member(member):
    """Everything one member of staff did or looked at, newest first."""
    return (
        get_logentry_model()
        .objects.filter(actor=member)
        .select_related("content_type")
        .order_by("-timestamp", "-pk")
    )
