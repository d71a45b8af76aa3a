"""Retention (R13): destroying case files when their time is up, and asking each app for its part.

Run every night by ``manage.py apply_retention``, for every service; running it again destroys
nothing more. Each service sets its periods (``pps.models.Service``):

- ``retention_months_after_closure``: a household (a parent record, with its children, cases,
  contacts and consents) is destroyed when it has cases, none of them open, and the latest was
  closed longer ago than this, and nothing another app registered with ``holds_household``
  still holds it (``safeguarding``: an open child-protection concern about it; the leads may
  still need the case file). A parent with no case at all is not touched here.
- Other apps destroy their own records in steps registered with ``retention_step``, run after
  the households (``safeguarding.retention``: child-protection files, never before their case).

"Destroyed" is crypto-shredding, as ``cases.services.destroy_household`` does it: the wrapped data
key is wiped, so everything encrypted with it is unreadable for good, in every backup once the
master keys of the time are retired; search entries are deleted. Rows stay, with ids, dates and
statuses, for statistics.

Every destruction is in the audit log as a change (or, for search entries, a deletion) with no
actor and ``additional_data`` ``{"how": "retention"}``.
"""

import calendar
import contextvars
from dataclasses import dataclass, field
from datetime import datetime

from auditlog.context import set_extra_data
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from cases import destruction, figures
from cases.models import Case, Parent, ParentSearchToken
from pps.models import Service

AUDIT_HOW = "retention"

#: Functions returning a condition on ``Parent`` under which a household is kept for now.
_holds = []
#: Other apps' retention steps, run in order after the households.
_steps = []


def holds_household(condition):
    """Register ``condition()``, a ``Q`` (or ``Exists``) on ``Parent``: while it is true of a
    household, retention keeps it. Returns ``condition`` (usable as a decorator)."""
    _holds.append(condition)
    return condition


@dataclass(frozen=True)
class RetentionStep:
    """One app's part of retention, run for each service after its households.

    - ``due(service, now)``: the records to destroy at ``now``, given that the households due at
      ``now`` are destroyed first (so it may count them as gone).
    - ``destroy(record, now)``: destroy one, checking again under lock; False if nothing was done.
    - ``describe(record)``: an id and a case reference for the dry run's list, nothing personal.
    """

    name: str
    label: str  # plural, for counts: "child-protection files"
    singular: str  # for the dry run's list: "child-protection file"
    due: object
    destroy: object
    describe: object


def retention_step(step: RetentionStep) -> RetentionStep:
    """Register ``step`` (each app calls this once, from its ``ready()``)."""
    if all(existing.name != step.name for existing in _steps):
        _steps.append(step)
    return step


def registered_steps() -> list[RetentionStep]:
    return list(_steps)


def _held(queryset):
    for condition in _holds:
        queryset = queryset.exclude(condition())
    return queryset


def months_before(moment: datetime, months: int) -> datetime:
    """The same time of day ``months`` calendar months before (the 31st becomes the month's last day)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def households_due(service: Service, *, now: datetime) -> QuerySet:
    """The households of ``service`` to destroy at ``now``: not destroyed yet, with at least one
    case, no open case, the latest case closed more than the service's retention period ago, and
    nothing holding it (``holds_household``)."""
    cutoff = months_before(now, service.retention_months_after_closure)
    parents = _held(Parent.objects.filter(service=service))
    return (
        parents.exclude(data_key="")
        .annotate(
            last_closed=Max("cases__closed_at"),
            not_closed=Count("cases", filter=Q(cases__status=Case.Status.OPEN) | Q(cases__closed_at=None)),
        )
        .filter(last_closed__lt=cutoff, not_closed=0)
        .order_by("pk")
    )


def audited_as_retention(function, *args, **kwargs):
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
    if not _held(Parent.objects.filter(pk=parent.pk)).exists():
        return None
    ParentSearchToken.objects.filter(parent=parent).delete()
    references = []
    for case in Case.objects.filter(parent=parent).exclude(status=Case.Status.DESTROYED):
        with figures.case_changes(case):
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
    return audited_as_retention(_destroy_household, parent.pk)


@dataclass
class ServiceRetention:
    """What retention did (or, in a dry run, would do) for one service: ids and references only."""

    service: Service
    households: list = field(default_factory=list)  # parent ids
    cases: list = field(default_factory=list)  # case references
    #: For each registered step's name: what it destroyed (as ``RetentionStep.describe`` gives).
    steps: dict = field(default_factory=dict)


def apply_retention(*, now: datetime | None = None, dry_run: bool = False) -> list[ServiceRetention]:
    """Destroy, for every service, the households and then each app's records (``retention_step``)
    that are due at ``now`` (default: now). With ``dry_run``, only say what would be destroyed."""
    now = now or timezone.now()
    results = []
    for service in Service.objects.order_by("name"):
        result = ServiceRetention(service)
        # A step's record may be due because its household is: in a dry run, list them before
        # anything changes; for real, once the households are destroyed.
        due = {step.name: list(step.due(service, now)) for step in _steps} if dry_run else {}
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
        for step in _steps:
            records = due[step.name] if dry_run else list(step.due(service, now))
            result.steps[step.name] = [
                step.describe(record) for record in records if dry_run or step.destroy(record, now)
            ]
        results.append(result)
    return results
