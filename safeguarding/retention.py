"""Retention of child-protection files (R6, R13), as a step of ``cases.retention``.

- ``child_protection_retention_years`` (``pps.models.Service``): a child-protection file (a
  concern, its discussions and external referrals) is destroyed when the concern is closed, was
  closed longer ago than this, and its case has been destroyed or is destroyed in the same run: a
  file never goes before its case, whatever the two settings say. A concern closed before
  ``closed_at`` was recorded counts as closed when its latest discussion was recorded (a
  discussion deciding "no further action" is what closed it); one with neither is never
  destroyed. A concern with no case (raised from a call where no name was given) has only its
  own period.
- While a concern about a household is open, the household is kept (``holds_household``).

A child-protection file has its own key: it outlives the household, and the service's designated
leads still reach it (``Concern.objects.visible_to``) until it is destroyed in turn.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import DateTimeField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from cases.models import Case
from cases.retention import RetentionStep, audited_as_retention, households_due, months_before
from pps.models import Service
from safeguarding.models import Concern, Discussion


def _open_concerns():
    return Concern.objects.filter(status__in=Concern.OPEN_STATUSES, destroyed_at=None)


def open_concern_holds_household():
    """The condition under which a household is kept: an open concern about one of its cases."""
    return Exists(_open_concerns().filter(case__parent=OuterRef("pk")))


def concerns_due(service: Service, now: datetime) -> QuerySet:
    """The child-protection files of ``service`` to destroy at ``now`` (see the module docstring)."""
    cutoff = months_before(now, 12 * service.child_protection_retention_years)
    last_discussion = (
        Discussion.objects.filter(concern=OuterRef("pk")).order_by("-recorded_at").values("recorded_at")[:1]
    )
    due_households = households_due(service, now=now).filter(pk=OuterRef("case__parent_id"))
    return (
        Concern.objects.filter(service=service, status=Concern.Status.CLOSED, destroyed_at=None)
        .annotate(closed=Coalesce("closed_at", last_discussion, output_field=DateTimeField()))
        .filter(closed__lt=cutoff)
        .filter(Q(case=None) | Q(case__status=Case.Status.DESTROYED) | Exists(due_households))
        .select_related("case")
        .order_by("pk")
    )


@transaction.atomic
def _destroy_concern(concern_id, now: datetime) -> bool:
    concern = (
        Concern.objects.select_for_update(of=("self",))
        .filter(pk=concern_id, destroyed_at=None, status=Concern.Status.CLOSED)
        .filter(Q(case=None) | Q(case__status=Case.Status.DESTROYED))  # never before its case
        .first()
    )
    if concern is None:
        return False
    concern.data_key = ""
    concern.destroyed_at = now
    concern.save(update_fields=["data_key", "destroyed_at"])
    return True


def destroy_concern(concern: Concern, now: datetime) -> bool:
    """Destroy a child-protection file: wipe the concern's data key, which also encrypts its
    discussions and referrals, and record when. Only a closed concern whose case was destroyed;
    False (nothing done) otherwise, or if it was destroyed already."""
    return audited_as_retention(_destroy_concern, concern.pk, now)


def describe(concern: Concern) -> tuple:
    return (concern.pk, concern.case_reference or "no name given")


STEP = RetentionStep(
    name="concerns",
    label="child-protection files",
    singular="child-protection file",
    due=concerns_due,
    destroy=destroy_concern,
    describe=describe,
)
