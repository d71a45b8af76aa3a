"""The counts behind the statistics, read from the summary tables (R15).

Each function counts for a list of services and two periods at once and returns plain numbers:
{code: [this period, previous period]}. The summaries (``reports.summaries``) hold codes and
counts only, so nothing here reads, let alone decrypts, a personal field. A window reads each
summary once (``Summary``, ``Reach``) however many tables are made from it.

Periods that are whole months (financial and academic years, quarters, months) are summed from
the monthly rows, others from the daily rows. Distinct people are counted from the sets kept per
named period; a date range's distinct people are counted from the records (``reports.raw``).
The small tables (child protection, disclosures, subject access requests, referrals) are
counted from their records as they are: tens of rows a year.
"""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Q, Sum

from cases.models import Child, Outcome, Topic
from reports import raw
from reports.models import DailyCount, Reached
from reports.periods import Period
from reports.raw import (  # noqa: F401 (counted from their own small tables)
    Window,
    child_protection,
    days_referral_to_contact,
    disclosures_by_basis,
    subject_access_requests,
)

Counts = dict[str, list[int]]

#: The named periods kept in ``Reached``, by ``Period.kind``.
REACH_GRAINS = {"fy": "fy", "ay": "ay", "quarter": "q", "month": "m"}


def _whole_months(period: Period) -> bool:
    return period.start.day == 1 and (period.end + timedelta(days=1)).day == 1


def _cached(window: Window, name: str, services, make):
    cache = window.__dict__.setdefault("_summaries", {})
    key = (name, tuple(sorted(str(s) for s in services)))
    if key not in cache:
        cache[key] = make()
    return cache[key]


class Summary:
    """Every daily (or monthly) count of the window's periods, read in one query, and the
    cases open at the end of each period in a second: {figure: {code: [n per period]}}."""

    def __init__(self, services, window: Window):
        periods = window.periods
        self.n = len(periods)
        grain = "m" if all(_whole_months(p) for p in periods) else "d"
        rows = DailyCount.objects.filter(grain=grain, service_id__in=services)
        annotations = {}
        for k, p in enumerate(periods):
            within = Q(day__gte=p.start, day__lte=p.end)
            annotations[f"n{k}"] = Sum("n", filter=within)
            annotations[f"m{k}"] = Sum("minutes", filter=within)
        self.counts: dict = defaultdict(dict)
        self.minutes: dict = defaultdict(dict)
        first, last = min(p.start for p in periods), max(p.end for p in periods)
        span = rows.filter(day__gte=first, day__lte=last).exclude(figure="open")
        for row in span.values("figure", "code").annotate(**annotations).order_by():
            self.counts[row["figure"]][row["code"]] = [row[f"n{k}"] or 0 for k in range(self.n)]
            self.minutes[row["figure"]][row["code"]] = [row[f"m{k}"] or 0 for k in range(self.n)]
        # Open at the end: every opening minus every closing up to then.
        ends = {f"n{k}": Sum("n", filter=Q(day__lte=p.end)) for k, p in enumerate(periods)}
        opened = rows.filter(figure="open", day__lte=last).values("code").annotate(**ends).order_by()
        for row in opened:
            values = [row[f"n{k}"] or 0 for k in range(self.n)]
            if any(values):
                self.counts["open"][row["code"]] = values

    def by(self, figure: str, *, measure: str = "n", names: dict | None = None) -> Counts:
        source = self.counts if measure == "n" else self.minutes
        result: Counts = defaultdict(lambda: [0] * self.n)
        for code, values in source.get(figure, {}).items():
            key = code if names is None else names.get(code, "")
            for k, v in enumerate(values):
                result[key][k] += v
        return {code: values for code, values in result.items() if any(values)}


def summary(services, window: Window) -> Summary:
    return _cached(window, "summary", services, lambda: Summary(services, window))


class Reach:
    """The people reached in each named period, from the ``Reached`` sets, in one query."""

    def __init__(self, services, window: Window):
        self.n = len(window.periods)
        annotations, wanted = {}, Q()
        for k, (p, (start, _end)) in enumerate(zip(window.periods, window.bounds, strict=True)):
            this = Q(grain=REACH_GRAINS[p.kind], period=p.start)
            wanted |= this
            annotations[f"n{k}"] = Count("pk", filter=this)
            annotations[f"new{k}"] = Count("pk", filter=this & Q(since__gte=start))
        rows = (
            Reached.objects.filter(wanted, service_id__in=services)
            .values("kind", "phase", "need", "provision")
            .annotate(**annotations)
            .order_by()
        )
        self.rows = list(rows)

    def total(self, kind: str, measure: str = "n") -> list[int]:
        return [sum(r[f"{measure}{k}"] for r in self.rows if r["kind"] == kind) for k in range(self.n)]

    def children(self, k: int) -> list[dict]:
        return [
            {"phase": r["phase"], "need": r["need"], "provision": r["provision"], "n": r[f"n{k}"]}
            for r in self.rows
            if r["kind"] == Reached.Kind.CHILD and r[f"n{k}"]
        ]


def reach(services, window: Window) -> Reach | None:
    """None when a period is not a named one (a date range): count from the records then."""
    if not all(p.kind in REACH_GRAINS for p in window.periods):
        return None
    return _cached(window, "reach", services, lambda: Reach(services, window))


# --- contacts ----------------------------------------------------------------------------------


def contacts_by(services, window: Window, key: str) -> Counts:
    """Contacts by ``key``: "channel", "person", "direction", "nng" or "level"."""
    return summary(services, window).by(key)


def contacts_nng(services, window: Window) -> Counts:
    counts = contacts_by(services, window, "nng")
    zero = [0] * len(window.periods)
    return {"nng": counts.get("nng", zero), "case": counts.get("case", zero)}


def contacts_by_level(services, window: Window) -> tuple[Counts, Counts]:
    """Contacts and minutes spent, by the case's intervention level ("nng" for no name given)."""
    s = summary(services, window)
    return s.by("level"), s.by("level", measure="m")


def contacts_by_topic(services, window: Window) -> Counts:
    names = {
        str(pk): name for pk, name in Topic.objects.filter(service_id__in=services).values_list("pk", "name")
    }
    return summary(services, window).by("topic", names=names)


def _outcome_names(services) -> dict:
    return {
        str(pk): name
        for pk, name in Outcome.objects.filter(service_id__in=services).values_list("pk", "name")
    }


def contacts_by_outcome(services, window: Window) -> Counts:
    return summary(services, window).by("outcome", names=_outcome_names(services))


# --- people reached ----------------------------------------------------------------------------


def parents_reached(services, window: Window) -> Counts:
    """Distinct parents with a contact on a case in each period; new (no case of theirs opened
    before the period) and returning (a case opened before it)."""
    found = reach(services, window)
    if found is None:
        return raw.parents_reached(services, window)
    everyone, new = found.total("parent"), found.total("parent", "new")
    return {"new": new, "returning": [a - b for a, b in zip(everyone, new, strict=True)]}


def young_people_reached(services, window: Window) -> Counts:
    """Cases with a contact with the young person themselves (each case once), and contacts
    with young people who gave no name (each contact)."""
    found = reach(services, window)
    cases = raw.young_people_reached(services, window)["case"] if found is None else found.total("young")
    nng = summary(services, window).by("young_nng").get("", [0] * len(window.periods))
    return {"case": cases, "nng": nng}


def children_in(services, window: Window) -> list[list[dict]]:
    """For each period, each child the support was about once, with the codes of their first
    contact in it: [[{phase, need, provision, n}], ...]."""
    found = reach(services, window)
    if found is None:
        return [raw.children(services, p) for p in window.periods]
    return [found.children(k) for k in range(len(window.periods))]


def children(services, period: Period) -> list[dict]:
    return children_in(services, Window([period]))[0]


# --- cases -------------------------------------------------------------------------------------

CASE_FIGURES = {
    ("intervention_level", "opened_at"): "opened_level",
    ("intervention_level", "closed_at"): "closed_level",
    ("referral_source", "opened_at"): "opened_source",
}


def cases_by(services, window: Window, key: str, field: str) -> Counts:
    """Cases opened or closed in each period, by level or referral source."""
    return summary(services, window).by(CASE_FIGURES[(key, field)])


def cases_open_at_end(services, window: Window) -> Counts:
    """Cases open at the end of each period, by intervention level."""
    return summary(services, window).by("open")


def closure_outcomes(services, window: Window) -> Counts:
    """Cases closed in each period, by the outcome of their last contact ("" for none)."""
    return summary(services, window).by("closed_outcome", names={"": "", **_outcome_names(services)})


def days_to_open_in(services, window: Window) -> list[list[int]]:
    """For each period, the days from first contact to opening of each case opened in it."""
    waits = summary(services, window).by("wait_case")
    return [
        sorted(d for code, values in waits.items() for d in [int(code)] * values[k])
        for k in range(len(window.periods))
    ]


def days_to_open(services, period: Period) -> list[int]:
    return days_to_open_in(services, Window([period]))[0]


def need_codes() -> list[str]:
    return [*Child.Need.values, ""]
