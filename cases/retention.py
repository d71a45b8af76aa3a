"""Retention (R13): destroying case files and child-protection files when their time is up.

Run every night by ``manage.py apply_retention``, for every service; running it again destroys
nothing more. Each service sets two periods (``pps.models.Service``):

- ``retention_months_after_closure``: a household (a parent record, with its children, cases,
  contacts and consents) is destroyed when it has cases, none of them open, and the latest was
  closed longer ago than this, and no child-protection concern about it is still open (the
  leads may still need the case file). A parent with no case at all is not touched here.
- ``child_protection_retention_years``: a child-protection file (a concern, its discussions and
  external referrals) is destroyed when the concern is closed, was closed longer ago than this,
  and its case has been destroyed or is destroyed in the same run: a file never goes before its
  case, whatever the two settings say. A concern closed before ``closed_at`` was recorded counts
  as closed when its latest discussion was recorded (a discussion deciding "no further action"
  is what closed it); one with neither is never destroyed.

"Destroyed" is crypto-shredding, as ``cases.services.destroy_household`` does it: the wrapped data
key is wiped, so everything encrypted with it is unreadable for good, in every backup once the
master keys of the time are retired; search entries are deleted. Rows stay, with ids, dates and
statuses, for statistics. A child-protection file has its own key: it outlives the household,
and the case's designated leads still reach it (``pps.access.concerns_visible_to``) until it is
destroyed in turn.

Every destruction is in the audit log as a change (or, for search entries, a deletion) with no
actor and ``additional_data`` ``{"how": "retention"}``.
"""

import calendar
import contextvars
from dataclasses import dataclass, field
from datetime import datetime

from auditlog.context import set_extra_data
from django.db import transaction
from django.db.models import Count, DateTimeField, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases import destruction
from cases.models import Case, Parent, ParentSearchToken
from pps.models import Service
from safeguarding.models import Concern, Discussion

AUDIT_HOW = "retention"


def months_before(moment: datetime, months: int) -> datetime:
    """The same time of day ``months`` calendar months before (the 31st becomes the month's last day)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _open_concerns():
    return Concern.objects.filter(status__in=Concern.OPEN_STATUSES, destroyed_at=None)


def households_due(service: Service, *, now: datetime) -> QuerySet:
    """The households of ``service`` to destroy at ``now``: not destroyed yet, with at least one
    case, no open case, and the latest case closed more than the service's retention period ago."""
    cutoff = months_before(now, service.retention_months_after_closure)
    return (
        Parent.objects.filter(service=service)
        .exclude(data_key="")
        .annotate(
            last_closed=Max("cases__closed_at"),
            not_closed=Count("cases", filter=Q(cases__status=Case.Status.OPEN) | Q(cases__closed_at=None)),
        )
        .filter(last_closed__lt=cutoff, not_closed=0)
        .exclude(Exists(_open_concerns().filter(case__parent=OuterRef("pk"))))
        .order_by("pk")
    )


def concerns_due(service: Service, *, now: datetime) -> QuerySet:
    """The child-protection files of ``service`` to destroy at ``now``: closed more than the
    service's child-protection period ago, not destroyed yet, and their case destroyed already
    or due to be (``households_due``); a concern with no case (raised from a call where no name
    was given) has only its own period."""
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


def _audited_as_retention(function, *args, **kwargs):
    """Call ``function`` with every audit entry it writes marked ``{"how": "retention"}``.

    auditlog keeps that mark in a context variable it never resets: a copied context keeps it
    from reaching anything written afterwards.
    """

    def run():
        with set_extra_data({"additional_data": {"how": AUDIT_HOW}}):
            return function(*args, **kwargs)

    return contextvars.copy_context().run(run)


@transaction.atomic
def _destroy_household(parent_id) -> list[str] | None:
    """The effects of ``cases.services.destroy_household``, by the system rather than a person.
    Checks again, under lock, that the household is still there and no case was reopened."""
    parent = Parent.objects.select_for_update().filter(pk=parent_id).exclude(data_key="").first()
    if parent is None or Case.objects.filter(parent=parent, status=Case.Status.OPEN).exists():
        return None
    if _open_concerns().filter(case__parent=parent).exists():
        return None
    ParentSearchToken.objects.filter(parent=parent).delete()
    references = []
    for case in Case.objects.filter(parent=parent).exclude(status=Case.Status.DESTROYED):
        case.status = Case.Status.DESTROYED
        case.save(update_fields=["status"])
        references.append(case.reference)
    parent.data_key = ""
    parent.save(update_fields=["data_key"])
    destruction.destroyed(parent)
    return references


def destroy_household(parent: Parent) -> list[str] | None:
    """Destroy ``parent``'s household for retention (see the module docstring). Returns the
    references of the cases destroyed with it; None if nothing was destroyed (destroyed already,
    or a case is open)."""
    return _audited_as_retention(_destroy_household, parent.pk)


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


def destroy_concern(concern: Concern, *, now: datetime | None = None) -> bool:
    """Destroy a child-protection file: wipe the concern's data key, which also encrypts its
    discussions and referrals, and record when. Only a closed concern whose case was destroyed;
    False (nothing done) otherwise, or if it was destroyed already."""
    return _audited_as_retention(_destroy_concern, concern.pk, now or timezone.now())


@dataclass
class ServiceRetention:
    """What retention did (or, in a dry run, would do) for one service: ids and references only."""

    service: Service
    households: list = field(default_factory=list)  # parent ids
    cases: list = field(default_factory=list)  # case references
    concerns: list = field(default_factory=list)  # (concern id, case reference)


def apply_retention(*, now: datetime | None = None, dry_run: bool = False) -> list[ServiceRetention]:
    """Destroy, for every service, the households and then the child-protection files that are
    due at ``now`` (default: now). With ``dry_run``, only say what would be destroyed."""
    now = now or timezone.now()
    results = []
    for service in Service.objects.order_by("name"):
        result = ServiceRetention(service)
        # A file may be due because its household is: in a dry run, list files before anything
        # changes; for real, once the households are destroyed.
        concerns = list(concerns_due(service, now=now)) if dry_run else None
        for parent in households_due(service, now=now):
            if dry_run:
                references = list(
                    parent.cases.exclude(status=Case.Status.DESTROYED).values_list("reference", flat=True)
                )
            else:
                references = destroy_household(parent)
            if references is not None:
                result.households.append(parent.pk)
                result.cases.extend(references)
        if concerns is None:
            concerns = list(concerns_due(service, now=now))
        for concern in concerns:
            if dry_run or destroy_concern(concern, now=now):
                result.concerns.append((concern.pk, concern.case_reference or "no name given"))
        results.append(result)
    return results
