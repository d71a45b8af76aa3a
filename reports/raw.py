"""The counts behind the statistics, counted from the records themselves (R15).

The statistics pages read the summary tables (``reports.queries``); these functions count the
same figures from the contacts and cases directly. They are the definition the summaries are
tested against (``tests/reports/test_summaries.py``), and they answer the distinct counts of a
date range, which is not a named period the summaries keep sets for.

Every figure is counted from codes stored in clear (dates, channel, who the contact was with,
direction, topic, outcome, intervention level, referral source, school phase, need, provision,
basis): nothing here reads, let alone decrypts, a personal field. Each function counts for a
list of services and two periods at once (conditional aggregation: one query per figure), and
returns plain numbers: {code: [this period, previous period]}.
"""

from collections import defaultdict
from datetime import datetime

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum

from cases.models import Case, Child, Contact, ContactChild, Outcome
from consent.models import Disclosure, Referral, SubjectAccessRequest
from reports.periods import Period
from safeguarding.models import Concern, ExternalReferral

Counts = dict[str, list[int]]


class Window:
    """Two periods as datetime bounds, and the conditions that pick each."""

    def __init__(self, periods: list[Period]):
        self.periods = periods
        self.bounds = [p.bounds() for p in periods]
        self.start = min(b[0] for b in self.bounds)
        self.end = max(b[1] for b in self.bounds)

    def q(self, field: str) -> list[Q]:
        return [Q(**{f"{field}__gte": start, f"{field}__lt": end}) for start, end in self.bounds]

    def span(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def _grouped(queryset, key: str, window: Window, field: str, *, count="pk", distinct=False) -> Counts:
    annotations = {f"n{k}": Count(count, filter=q, distinct=distinct) for k, q in enumerate(window.q(field))}
    rows = queryset.filter(window.span(field)).values(key).annotate(**annotations).order_by()
    result: Counts = {}
    for row in rows:
        result[row[key] if row[key] is not None else ""] = [row[f"n{k}"] for k in range(len(window.periods))]
    return result


def contacts(services, window: Window):
    return Contact.objects.filter(service_id__in=services)


class ContactCube:
    """Every contact of the two periods counted in one pass, grouped by all of its codes at once
    (channel, who, direction, outcome, the case's level or none): each contact table is then a
    sum over this cube, instead of one scan of the contacts per table."""

    KEYS = ("channel", "person", "direction", "outcome_id", "case__intervention_level")

    def __init__(self, services, window: Window):
        annotations = {}
        for k, q in enumerate(window.q("occurred_at")):
            annotations[f"n{k}"] = Count("pk", filter=q)
            annotations[f"m{k}"] = Sum("duration_minutes", filter=q)
        self.n = len(window.periods)
        self.rows = list(
            contacts(services, window)
            .filter(window.span("occurred_at"))
            # Said although implied, so that the join reads only these services' cases.
            .filter(Q(case__isnull=True) | Q(case__service_id__in=services))
            .values(*self.KEYS)
            .annotate(**annotations)
            .order_by()
        )
        for row in self.rows:
            # No case (no name given) leaves the level NULL; a case whose level is not set has "".
            level = row.pop("case__intervention_level")
            row["level"] = "nng" if level is None else level
            row["nng"] = "nng" if level is None else "case"

    def by(self, key: str, *, measure: str = "n", names: dict | None = None) -> Counts:
        result: Counts = defaultdict(lambda: [0] * self.n)
        for row in self.rows:
            code = row[key] if names is None else names.get(row[key], "")
            for k in range(self.n):
                result[code][k] += row[f"{measure}{k}"] or 0
        return dict(result)


def contacts_by(services, window: Window, key: str) -> Counts:
    return ContactCube(services, window).by(key)


def contacts_nng(services, window: Window) -> Counts:
    counts = ContactCube(services, window).by("nng")
    return {
        "nng": counts.get("nng", [0] * len(window.periods)),
        "case": counts.get("case", [0] * len(window.periods)),
    }


def contacts_by_level(services, window: Window) -> tuple[Counts, Counts]:
    """Contacts and minutes spent, by the case's intervention level ("nng" for no name given)."""
    cube = ContactCube(services, window)
    return cube.by("level"), cube.by("level", measure="m")


def contacts_by_topic(services, window: Window) -> Counts:
    through = Contact.topics.through.objects.filter(contact__service_id__in=services)
    return _grouped(through, "topic__name", window, "contact__occurred_at")


def contacts_by_outcome(services, window: Window, cube: ContactCube | None = None) -> Counts:
    cube = cube or ContactCube(services, window)
    names = dict(Outcome.objects.filter(service_id__in=services).values_list("pk", "name"))
    return cube.by("outcome_id", names=names)


def parents_reached(services, window: Window) -> Counts:
    """Distinct parents with a contact on a case in each period; new (no case of theirs opened
    before the period) and returning (a case opened before it).

    Driven from the cases open at some time in the two periods, each asked whether it had a
    contact in a period (an index probe on (case, occurred_at)): far fewer rows than contacts."""
    annotations = {}
    for k, (start, end) in enumerate(window.bounds):
        had_contact = Exists(
            Contact.objects.filter(case=OuterRef("pk"), occurred_at__gte=start, occurred_at__lt=end)
        )
        annotations[f"all{k}"] = Count("parent", filter=Q(had_contact), distinct=True)
        known_before = Exists(Case.objects.filter(parent=OuterRef("parent"), opened_at__lt=start))
        annotations[f"new{k}"] = Count("parent", filter=Q(had_contact) & ~Q(known_before), distinct=True)
    row = (
        Case.objects.filter(service_id__in=services, opened_at__lt=window.end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=window.start))
        .aggregate(**annotations)
    )
    n = len(window.periods)
    new = [row[f"new{k}"] for k in range(n)]
    return {"new": new, "returning": [row[f"all{k}"] - new[k] for k in range(n)]}


def young_people_reached(services, window: Window) -> Counts:
    """Cases with a contact with the young person themselves (each case once), and contacts
    with young people who gave no name (each contact)."""
    annotations = {}
    for k, q in enumerate(window.q("occurred_at")):
        annotations[f"case{k}"] = Count("case", filter=q & Q(case__isnull=False), distinct=True)
        annotations[f"nng{k}"] = Count("pk", filter=q & Q(case__isnull=True))
    row = (
        contacts(services, window)
        .filter(window.span("occurred_at"), person=Contact.Person.YOUNG_PERSON)
        .aggregate(**annotations)
    )
    n = len(window.periods)
    return {"case": [row[f"case{k}"] for k in range(n)], "nng": [row[f"nng{k}"] for k in range(n)]}


def children(services, period: Period) -> list[dict]:
    """Each child the support was about in ``period``, once, with the codes of their first
    contact in it: [{phase, need, provision, n}]."""
    start, end = period.bounds()
    in_period = ContactChild.objects.filter(
        service_id__in=services, occurred_at__gte=start, occurred_at__lt=end
    )
    if connection.vendor == "postgresql":
        # DISTINCT ON: the first row of each child in one sorted pass.
        firsts = in_period.order_by("child_id", "occurred_at").distinct("child_id").values("pk")
        chosen = ContactChild.objects.filter(pk__in=firsts)
    else:
        earlier = ContactChild.objects.filter(
            child=OuterRef("child"), occurred_at__gte=start, occurred_at__lt=OuterRef("occurred_at")
        )
        chosen = in_period.exclude(Exists(earlier))
    return list(
        chosen.values("phase", "need", "provision").annotate(n=Count("child", distinct=True)).order_by()
    )


def cases_by(services, window: Window, key: str, field: str) -> Counts:
    return _grouped(Case.objects.filter(service_id__in=services), key, window, field)


def cases_open_at_end(services, window: Window) -> Counts:
    """Cases open at the end of each period, by intervention level."""
    annotations = {}
    for k, (_start, end) in enumerate(window.bounds):
        annotations[f"n{k}"] = Count(
            "pk", filter=Q(opened_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        )
    rows = (
        Case.objects.filter(service_id__in=services, opened_at__lt=window.end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=window.start))
        .exclude(status=Case.Status.DESTROYED, closed_at__isnull=True)
        .values("intervention_level")
        .annotate(**annotations)
        .order_by()
    )
    return {row["intervention_level"]: [row[f"n{k}"] for k in range(len(window.periods))] for row in rows}


def closure_outcomes(services, window: Window) -> Counts:
    """Cases closed in each period, by the outcome of their last contact."""
    last = Contact.objects.filter(case=OuterRef("pk")).order_by("-occurred_at").values("outcome__name")[:1]
    queryset = Case.objects.filter(service_id__in=services, closed_at__isnull=False).annotate(
        last_outcome=Subquery(last)
    )
    return _grouped(queryset, "last_outcome", window, "closed_at")


def days_to_open(services, period: Period) -> list[int]:
    """For each case opened in ``period``: days from its first contact to its opening (0 when
    the first contact was logged on the case when it opened)."""
    start, end = period.bounds()
    first = Contact.objects.filter(case=OuterRef("pk")).order_by("occurred_at").values("occurred_at")[:1]
    rows = (
        Case.objects.filter(service_id__in=services, opened_at__gte=start, opened_at__lt=end)
        .annotate(first=Subquery(first))
        .values_list("opened_at", "first")
    )
    return [max(0, (opened - first).days) if first else 0 for opened, first in rows]


def days_referral_to_contact(services, period: Period) -> tuple[list[int], int]:
    """For referrals received in ``period``: days to the parent being contacted (their answer
    recorded: agreed, or declined or unreachable), and how many are still waiting."""
    start, end = period.bounds()
    rows = Referral.objects.filter(
        service_id__in=services, received_at__gte=start, received_at__lt=end
    ).values_list("received_at", "consent_at", "closed_at")
    days, waiting = [], 0
    for received, agreed, closed in rows:
        answered: datetime | None = agreed or closed
        if answered is None:
            waiting += 1
        else:
            days.append(max(0, (answered - received).days))
    return days, waiting


def child_protection(services, window: Window) -> Counts:
    raised = _grouped(Concern.objects.filter(service_id__in=services), "service_id", window, "raised_at")
    referred = _grouped(
        ExternalReferral.objects.filter(concern__service_id__in=services),
        "concern__service_id",
        window,
        "made_at",
        count="concern",
        distinct=True,
    )
    n = len(window.periods)

    def total(counts):
        return [sum(v[k] for v in counts.values()) for k in range(n)]

    return {"raised": total(raised), "referred": total(referred)}


def disclosures_by_basis(services, window: Window) -> Counts:
    return _grouped(Disclosure.objects.filter(case__service_id__in=services), "basis", window, "disclosed_at")


def subject_access_requests(services, window: Window) -> Counts:
    """Requests received in each period, and those answered (the pack sent) in it: within the
    legal deadline (sent on or before its due date, as the clock and any extension set it) or late."""
    requests = SubjectAccessRequest.objects.filter(service_id__in=services)
    n = len(window.periods)

    def total(queryset, field):
        grouped = _grouped(queryset, "service_id", window, field)
        return [sum(v[k] for v in grouped.values()) for k in range(n)]

    answered = requests.filter(sent_at__isnull=False)
    in_time = answered.filter(sent_at__date__lte=F("due_on"))
    late = answered.filter(sent_at__date__gt=F("due_on"))
    return {
        "received": total(requests, "received_at"),
        "answered": total(answered, "sent_at"),
        "in_time": total(in_time, "sent_at"),
        "late": total(late, "sent_at"),
    }


def need_codes() -> list[str]:
    return [*Child.Need.values, ""]
