"""Recording reads in the audit log (R8).

django-auditlog records creates, changes and deletes by itself. Reads are recorded here: one
ACCESS entry for every record a person is shown, whether on its own page, in a list, in search
results or in an export. Entries carry the actor and address from the request (set by
``AuditlogMiddleware``) and the record's id, never its content.
"""

import copy
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property

from auditlog import get_logentry_model
from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.diff import get_field_value, get_fields_in_model, get_mask_function, is_primitive
from auditlog.models import DEFAULT_OBJECT_REPR
from auditlog.receivers import log_create
from auditlog.registry import auditlog
from auditlog.signals import post_log, pre_log
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections
from django.db.models import DateTimeField, JSONField, Q
from django.db.models.fields.related_descriptors import ReverseManyToOneDescriptor
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.encoding import smart_str
from django.utils.text import capfirst

from pps import request_scope
from pps.auditlog_settings import M2M

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
    additional_data = {"how": how, CHILD_PROTECTION: True} if child_protection else {"how": how}
    # The entries of one kind of record differ only in the record's id: one is built, the rest
    # copied from it (a model's constructor costs several times a copy; lists record 50 at once).
    first_of_kind = {
        model: entry_model(
            content_type=content_type,
            action=entry_model.Action.ACCESS,
            actor=actor,
            actor_email=getattr(actor, "email", None),
            remote_addr=context.get("remote_addr"),
            remote_port=context.get("remote_port"),
            cid=context.get("cid"),
        )
        for model, content_type in content_types.items()
    }
    entries = []
    for obj in objects:
        entry = copy.copy(first_of_kind[type(obj)])
        entry.object_pk = entry.object_repr = str(obj.pk)
        entry.additional_data = dict(additional_data)
        entries.append(entry)
    if not request_scope.collect(entries):  # in a request: written once, when the view returns
        entry_model.objects.bulk_create(entries)


#: The entries being gathered by ``entries_written_together`` (None: each is written at once).
_together: ContextVar[list | None] = ContextVar("pps_audit_together", default=None)


@contextmanager
def entries_written_together():
    """Every audit entry made inside (by django-auditlog, ``created_together`` or
    ``related_added_together``) is kept back and written at the end in one statement, in the
    order the entries were made: a batch of records costs one audit write, not one per record.

    Each entry is the one a single save would have written, field for field: django-auditlog
    builds it, and the ``pre_save`` receivers a single write sends (the actor, address and extra
    data of ``auditlog.context``) fill it in when it is made. On PostgreSQL the entries go through
    ``pps_audit_append`` as every entry does (``AuditEntryManager.bulk_create``), so each gets its
    time and waits to be sealed into the hash chain like any other. Nothing is written if the
    block raises.

    Inside another such block, the outer block writes them, and only those of inner blocks that
    ended without raising: an inner block inside a savepoint (``transaction.atomic``) loses its
    entries when the savepoint's records are rolled back, and keeps them when they are kept."""
    outer = _together.get()
    entries: list = []
    token = _together.set(entries)
    try:
        yield
    finally:
        _together.reset(token)
    if outer is not None:
        outer.extend(entries)
    elif entries:
        entry_model = get_logentry_model()
        # With the request's ACCESS entries so far (the page's reads): one statement for both.
        request_scope.write_with_change(lambda waiting: entry_model.objects.bulk_create(waiting + entries))
        for entry in entries:
            post_save.send(
                sender=entry_model, instance=entry, created=True, raw=False, using=entry._state.db,
                update_fields=None,
            )  # fmt: skip


def keep_for_later(entry_model, fields: dict):
    """The entry for ``fields``, kept back by ``entries_written_together`` (None outside one:
    the caller writes it itself)."""
    entries = _together.get()
    if entries is None:
        return None
    entry = entry_model(**fields)
    pre_save.send(sender=entry_model, instance=entry, raw=False, using="default", update_fields=None)
    entries.append(entry)
    return entry


def _audited(model) -> bool:
    return auditlog.contains(model) and not auditlog_disabled.get()


def created_together(model, instances) -> None:
    """The CREATE entries of ``instances``, saved together (``bulk_create``, which tells no one):
    what django-auditlog writes when each is saved on its own.

    The entries are django-auditlog's, built the way its ``log_create`` receiver builds them,
    less the work that is the same for every record of a model: which fields it tracks (after
    the registry's include and exclude lists), their masking, and their "old" value, which on a
    create is always the value of no instance. Each entry still goes through the entry
    manager's ``create``, so the ``pre_save`` receivers (actor, address, extra data) fill it in
    as they would. If anyone listens to django-auditlog's ``pre_log`` or ``post_log`` (nothing
    here does), each record goes through ``log_create`` itself, so they hear of every one."""
    if not _audited(model):
        return
    if pre_log.has_listeners(model) or post_log.has_listeners(model):
        for instance in instances:
            log_create(sender=model, instance=instance, created=True, raw=False)
        return
    entry_model = get_logentry_model()
    manager = entry_model.objects
    plans, content_types = {}, {}
    for instance in instances:
        kind = type(instance)
        if kind not in plans:
            plans[kind] = _creation_plan(instance)
            content_types[kind] = ContentType.objects.get_for_model(instance)
        plan = plans[kind]
        changes = {}
        for field, read, old, old_text, old_stored, mask in plan.fields:
            new = _new_value(instance, field, read, plan.use_json)
            if old != new:
                if mask is not None:
                    changes[field.name] = (mask(old_text), mask(smart_str(new)))
                elif not plan.use_json:
                    changes[field.name] = (old_text, smart_str(new))
                else:
                    changes[field.name] = (old_stored, new if is_primitive(new) else smart_str(new))
        if not changes:
            continue  # django-auditlog writes no entry for a record with nothing to record
        # As ``LogEntryManager.log_create`` fills an entry in.
        fields = {"action": entry_model.Action.CREATE, "changes": changes}
        fields["content_type"] = content_types[kind]
        pk = manager._get_pk_value(instance)
        fields["object_pk"] = pk
        try:
            fields["object_repr"] = smart_str(instance)
        except ObjectDoesNotExist:
            fields["object_repr"] = DEFAULT_OBJECT_REPR
        fields["serialized_data"] = manager._get_serialized_data_or_none(instance)
        if isinstance(pk, int):
            fields["object_id"] = pk
        get_additional_data = getattr(instance, "get_additional_data", None)
        if callable(get_additional_data):
            fields["additional_data"] = get_additional_data()
        fields["cid"] = get_cid()
        manager.create(**fields)


class _CreationPlan:
    """What ``model_instance_diff(None, instance)`` works out afresh for every record of a model:
    the fields it compares, in its order, each with how its new value is read, its old value (that
    of no instance; as text; as stored in the changes) and its mask (None: not masked)."""

    def __init__(self, key, fields, use_json):
        self.key = key
        self.fields = fields
        self.use_json = use_json


#: One plan per model, for the registry's settings it was made from (``_creation_plan``).
_plans: dict = {}

#: How ``get_field_value`` reads a field's value, for the kinds read here without it.
_PLAIN, _FOREIGN_KEY, _OTHER = "plain", "foreign key", "other"


def _creation_plan(instance) -> _CreationPlan:
    model = instance._meta.model
    use_json = settings.AUDITLOG_STORE_JSON_CHANGES
    fk_as_string = settings.AUDITLOG_USE_FK_STRING_REPRESENTATION
    model_fields = auditlog.get_model_fields(model)
    key = (use_json, fk_as_string, settings.AUDITLOG_MASK_CALLABLE, repr(model_fields))
    plan = _plans.get(model)
    if plan is not None and plan.key == key:
        return plan
    # As ``model_instance_diff`` chooses the fields for a create (old None, no update_fields),
    # including the order it visits them in.
    fields = set(get_fields_in_model(instance))
    if model_fields and (model_fields["include_fields"] or model_fields["exclude_fields"]) and fields:
        if model_fields["include_fields"]:
            filtered_fields = [field for field in fields if field.name in model_fields["include_fields"]]
        else:
            filtered_fields = fields
        if model_fields["exclude_fields"]:
            filtered_fields = [
                field for field in filtered_fields if field.name not in model_fields["exclude_fields"]
            ]
        fields = filtered_fields
    mask = get_mask_function(model_fields.get("mask_callable")) if model_fields["mask_fields"] else None
    steps = []
    for field in fields:
        if isinstance(field, (DateTimeField, JSONField)) or not use_json:
            read = _OTHER
        elif not fk_as_string and (field.one_to_one or field.many_to_one) and hasattr(field, "rel_class"):
            read = _FOREIGN_KEY
        elif field.concrete and not field.is_relation:
            read = _PLAIN
        elif type(getattr(model, field.name, None)) is ReverseManyToOneDescriptor:
            # The records pointing at this one (by a plain foreign key, not a generic relation,
            # whose manager's text differs each time): a new related manager each time, whose
            # text names the related model and is the same for every record.
            read = _Same(get_field_value(instance, field, use_json))
        else:
            read = _OTHER
        masked = mask if field.name in model_fields["mask_fields"] else None
        old = get_field_value(None, field, use_json)
        old_stored = old if is_primitive(old) else smart_str(old)
        steps.append((field, read, old, smart_str(old), old_stored, masked))
    plan = _plans[model] = _CreationPlan(key, steps, use_json)
    return plan


class _Same:
    """A field whose value is the same for every record of the model."""

    def __init__(self, value):
        self.value = value


def _new_value(instance, field, read, use_json):
    """``get_field_value(instance, field, use_json)``, read directly for the common kinds."""
    if type(read) is _Same:
        return read.value
    try:
        if read is _PLAIN:
            return getattr(instance, field.name)
        if read is _FOREIGN_KEY:
            return smart_str(getattr(instance, field.get_attname()), strings_only=True)
    except (ObjectDoesNotExist, AttributeError):
        pass
    return get_field_value(instance, field, use_json)


def related_added_together(instance, field_name: str, related) -> None:
    """The entry django-auditlog writes when ``related`` (in the related model's own order) are
    added to ``instance``'s many-to-many ``field_name``, for rows added together (``bulk_create``
    of the through rows, which sends no ``m2m_changed``)."""
    if not (related and _audited(type(instance)) and field_name in M2M.get(instance._meta.label, [])):
        return
    get_logentry_model().objects.log_m2m_changes(related, instance, "add", field_name)


#: What each app shows with a case, registered by the app at start-up (``shows_with_case``):
#: functions ``(case) -> {model: [pk, ...]}``.
_CASE_RECORDS = []
#: What no history may show a viewer, registered by the app whose rule it is
#: (``hides_from_histories``): functions ``(viewer) -> [Q, ...]`` of audit entries to leave out.
_HIDDEN = []


def shows_with_case(records_of):
    """Register ``records_of(case)``: the app's records shown with a case, as ``{model: pks}``,
    so that "Who has accessed this case" lists their entries too."""
    _CASE_RECORDS.append(records_of)
    return records_of


def hides_from_histories(hidden_for):
    """Register ``hidden_for(viewer)``: conditions (``Q``) on audit entries that no history shown
    to ``viewer`` may list, because the viewer may not learn that those records exist."""
    _HIDDEN.append(hidden_for)
    return hidden_for


def _without_hidden(entries, viewer):
    # One exclude per condition: an entry with no additional data must not drop out with a JSON
    # condition that is neither true nor false for it.
    for hidden_for in _HIDDEN:
        for condition in hidden_for(viewer):
            entries = entries.exclude(condition)
    return entries


#: What a history page does not show, so does not fetch: the record's data and changes.
HISTORY_LEAVES_OUT = ("serialized_data", "changes", "changes_text", "object_repr")


def entries_about_case(case, viewer):
    """Every audit entry about a case and the records each app shows with it (``shows_with_case``:
    parent, children, contacts, events, consents, disclosures, child-protection records), less
    what ``viewer`` may not learn of (``hides_from_histories``). Newest first."""
    request_scope.flush_access()  # the history lists this request's own reads too
    records = {}
    for records_of in _CASE_RECORDS:
        records.update(records_of(case))
    content_types = ContentType.objects.get_for_models(*records)
    condition = Q(pk__in=[])
    for model, pks in records.items():
        pks = [str(pk) for pk in pks]
        if pks:
            condition |= Q(content_type=content_types[model], object_pk__in=pks)
    entries = get_logentry_model().objects.filter(condition)
    entries = _without_hidden(entries, viewer)
    return (
        entries.select_related("actor", "content_type")
        .defer(*HISTORY_LEAVES_OUT, "actor__password")
        .order_by("-timestamp", "-pk")
    )


def entries_by_staff_member(member, viewer):
    """Everything one member of staff did or looked at, newest first, less what ``viewer`` may
    not learn of (``hides_from_histories``)."""
    request_scope.flush_access()
    entries = get_logentry_model().objects.filter(actor=member)
    entries = _without_hidden(entries, viewer)
    return entries.select_related("content_type").defer(*HISTORY_LEAVES_OUT).order_by("-timestamp", "-pk")


def child_protection_activity() -> Q:
    """Entries marked as written by child-protection pages (``CHILD_PROTECTION``); entries with no
    additional data (creates and changes) are not among them."""
    return Q(**{f"additional_data__{CHILD_PROTECTION}": True})


#: How a history names what was done (django-auditlog's actions; ACCESS is a read).
ACTION_WORDS = {0: "Created", 1: "Changed", 2: "Deleted", 3: "Viewed"}


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One line of a history, its words worked out once in Python rather than by the template
    (a page shows 100): when, what was done and how, which kind of record, from where. ``entry``
    is there for the person who did it (where the history shows people)."""

    entry: object
    when: str
    what: str
    how: str
    record: str
    record_id: str
    source: str


def _when(at) -> str:
    """``j M Y, H:i:s`` in the service's time zone ("3 Dec 2026, 09:05:01"), without the
    translation machinery of the template filter (these pages are in English)."""
    local = timezone.localtime(at)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {local:%H:%M:%S}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _short(text: str, length: int = 13) -> str:
    """The first characters of a record's id, as the ``truncatechars`` filter shortens it."""
    return text if len(text) <= length else text[: length - 1] + "…"


class HistoryPage:
    """One page of a history, newest first, reached by keyset (the last entry shown) rather than
    by page number: the database reads only the page, however long the history, and no exact
    COUNT runs over it (``estimated_total`` is the planner's estimate)."""

    SALT = "pps.audit.history-page"

    def __init__(self, entries, cursor: str | None, size: int):
        self.is_first = True
        if cursor:
            try:
                older_than = signing.loads(cursor, salt=self.SALT)
                at, pk = parse_datetime(older_than["at"]), int(older_than["id"])
            except (signing.BadSignature, KeyError, TypeError, ValueError):
                at = None
            if at is not None:
                entries = entries.filter(Q(timestamp__lt=at) | Q(timestamp=at, pk__lt=pk))
                self.is_first = False
        rows = list(entries.order_by("-timestamp", "-pk")[: size + 1])
        self.object_list = rows[:size]
        self.has_next = len(rows) > size
        self.next_cursor = ""
        if self.has_next:
            last = self.object_list[-1]
            older_than = {"at": last.timestamp.isoformat(), "id": last.pk}
            self.next_cursor = signing.dumps(older_than, salt=self.SALT)
        self._entries = entries if self.is_first else None

    @cached_property
    def rows(self) -> list[HistoryRow]:
        names = {}
        rows = []
        for entry in self.object_list:
            if entry.content_type_id not in names:
                names[entry.content_type_id] = capfirst(entry.content_type.name)
            data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
            rows.append(
                HistoryRow(
                    entry=entry,
                    when=_when(entry.timestamp),
                    what=ACTION_WORDS.get(entry.action, "Deleted"),
                    how=str(data.get("how") or ""),
                    record=names[entry.content_type_id],
                    record_id=_short(entry.object_pk),
                    source=entry.remote_addr or "–",
                )
            )
        return rows

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or not self.is_first

    @cached_property
    def estimated_total(self) -> int | None:
        """About how many entries the whole history holds (first page only; asked once)."""
        if self._entries is None:
            return None
        if not self.has_next:
            return len(self.object_list)
        return estimated_count(self._entries)


def estimated_count(queryset) -> int:
    """The planner's estimate of how many rows ``queryset`` holds (PostgreSQL; counted
    elsewhere, where tables are small)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.count()
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])
