"""The statistics a service may publish (R15): every table, suppressed by the service's rule,
for a period with the previous period beside it, and (in a deployment hosting several services)
the all-services figures beside those.

``build_report`` is the one way to the figures: pages, exports and the data file all take what
it returns, so an export can only ever hold what the page shows, suppressed.
"""

import statistics as stats
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases import caseloads
from cases.models import Case, Child, Contact, ContactChild
from consent.models import Disclosure
from pps.audit import record_access
from pps.models import Service
from reports import access, queries
from reports.models import StatisticsExport
from reports.periods import Period
from reports.suppression import Rule, percentage, suppress_column, suppress_each

#: A deployment must host at least this many services before all-services figures are shown:
#: with two, "all services" minus your own would be the other service's figures.
BENCHMARK_MIN_SERVICES = 3

#: Version of the machine-readable data file (reports/README section "The data file").
DATA_FILE_VERSION = "1.0"

BROAD_AREAS = {
    "Cognition and learning": ["SPLD", "MLD", "SLD", "PMLD"],
    "Communication and interaction": ["SLCN", "ASD"],
    "Social, emotional and mental health": ["SEMH"],
    "Sensory and/or physical needs": ["HI", "VI", "MSI", "PD"],
    "Other, or not assessed": ["OTH", "NSA"],
    "Not recorded": [""],
}
WAIT_BANDS = [
    ("same_day", "The same day", 0, 0),
    ("week", "1 to 7 days", 1, 7),
    ("month", "8 to 28 days", 8, 28),
    ("longer", "29 days or more", 29, 10**6),
]


CHART_LABEL_WIDTH, CHART_BAR_WIDTH, CHART_ROW_HEIGHT = 270, 290, 26


def _days(value: float) -> str:
    return "1 day" if value == 1 else f"{value:g} days"


class StatisticsError(Exception):
    """A request for statistics that cannot be answered; the message says why."""


@dataclass
class Text:
    """A figure that is not a count (hours, a median): shown as text, drawn as a number."""

    text: str
    number: float = 0
    is_hidden: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass
class Row:
    code: str
    label: str
    cells: list  # Cell or Text, one per column
    share: str = ""  # of the period's total, when it may be shown


@dataclass
class Table:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[Row]
    total: Row | None = None
    additive: bool = True
    chart: bool = False
    note: str = ""
    after: list = field(default_factory=list)  # rows after the total: medians, not counts

    @property
    def chart_max(self) -> float:
        return max([1, *(row.cells[0].number for row in self.rows if not row.cells[0].is_hidden)])

    def bars(self) -> dict:
        """A bar chart of this period's column (the same numbers as the table), for SVG:
        positions computed here, so the template needs no arithmetic and no inline style."""
        top, rows = self.chart_max, []
        for i, row in enumerate(self.rows):
            cell = row.cells[0]
            width = 0 if cell.is_hidden else round(CHART_BAR_WIDTH * cell.number / top)
            y = i * CHART_ROW_HEIGHT
            rows.append(
                {
                    "label": row.label,
                    "text": str(cell) or "not shown",
                    "width": width,
                    "y": y,
                    "text_y": y + 17,
                    "value_x": CHART_LABEL_WIDTH + width + 6,
                }
            )
        return {
            "rows": rows,
            "height": len(rows) * CHART_ROW_HEIGHT,
            "label_width": CHART_LABEL_WIDTH,
            "label_x": CHART_LABEL_WIDTH - 8,
            "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 110,
        }


@dataclass
class Report:
    service: Service
    period: Period
    previous: Period
    rule: Rule
    tables: list[Table]
    benchmark: bool
    benchmark_note: str = ""
    internal: dict = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return self.tables[0].columns if self.tables else []

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


# --- building tables ---------------------------------------------------------------------------


class _Builder:
    def __init__(self, service: Service, period: Period, rule: Rule, benchmark_ids: list | None):
        self.rule = rule
        self.own = [service.pk]
        self.all = benchmark_ids
        self.period, self.previous = period, period.previous()
        self.window = queries.Window([period, self.previous])
        self.columns = [period.label, self.previous.label] + (
            ["All services, " + period.label] if benchmark_ids else []
        )

    def counts(self, fn, *args):
        own = fn(self.own, self.window, *args)
        every = fn(self.all, self.window, *args) if self.all else None
        return own, every

    def from_summary(self, key: str, *, measure: str = "n"):
        """Contacts by ``key`` from this service's summary and all services' (each read once)."""
        own = queries.summary(self.own, self.window).by(key, measure=measure)
        every = queries.summary(self.all, self.window).by(key, measure=measure) if self.all else None
        return own, every

    def additive(
        self, key, title, description, order, own, every, *, chart=False, note="", total_label="Total"
    ):
        """A table whose rows add up to its total: each column suppressed with its total."""
        columns = [[own.get(code, [0, 0])[k] for code, _ in order] for k in range(2)]
        suppressed = [suppress_column(values, self.rule) for values in columns]
        if every is not None:
            values = [every.get(code, [0])[0] for code, _ in order]
            # Where all services minus this one is small, hiding it keeps the others' small
            # numbers from showing by subtraction.
            force = {i for i, v in enumerate(values) if 0 < v - columns[0][i] < self.rule.threshold}
            suppressed.append(suppress_column(values, self.rule, force=force))
        rows = []
        for i, (code, label) in enumerate(order):
            cells = [column[0][i] for column in suppressed]
            rows.append(Row(code, label, cells, percentage(cells[0], suppressed[0][1], self.rule)))
        total = Row("total", total_label, [column[1] for column in suppressed])
        return Table(key, title, description, self.columns, rows, total, True, chart, note)

    def separate(self, key, title, description, order, own, every, *, chart=False, note=""):
        """A table whose rows do not add up (a contact may have several topics): each count
        suppressed on its own, no total."""
        columns = [
            suppress_each([own.get(code, [0, 0])[k] for code, _ in order], self.rule) for k in range(2)
        ]
        if every is not None:
            values = [every.get(code, [0])[0] for code, _ in order]
            own_values = [own.get(code, [0])[0] for code, _ in order]
            force = {i for i, v in enumerate(values) if 0 < v - own_values[i] < self.rule.threshold}
            columns.append(suppress_each(values, self.rule, force=force))
        rows = [Row(code, label, [column[i] for column in columns]) for i, (code, label) in enumerate(order)]
        return Table(key, title, description, self.columns, rows, None, False, chart, note)


def _choices(choices) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in choices]


def _by_name(own, every, *, other_label: str, names: list[str]) -> tuple[list, dict, dict | None]:
    """Rows named after this service's list items; anything else (another service's own items,
    retired names) is put together as one line, so that no other service shows by its lists."""
    names = list(dict.fromkeys(names))

    def fold(counts):
        if counts is None:
            return None
        folded: dict = defaultdict(lambda: [0, 0])
        for name, values in counts.items():
            target = name if name in names else "__other__"
            for k, v in enumerate(values):
                folded[target][k] += v
        return dict(folded)

    own, every = fold(own), fold(every)
    ranked = sorted(names, key=lambda n: (-own.get(n, [0])[0], n))
    order = [(n, n) for n in ranked]
    if any(v for counts in (own, every or {}) for v in counts.get("__other__", [])):
        order.append(("__other__", other_label))
    return order, own, every


def _children_counts(services, window) -> tuple[dict, dict, dict]:
    """{phase|need|provision: [this, previous]} for the distinct children of each period."""
    phase, need, provision = (defaultdict(lambda: [0, 0]) for _ in range(3))
    for k, rows in enumerate(queries.children_in(services, window)):
        for row in rows:
            phase[row["phase"]][k] += row["n"]
            need[row["need"]][k] += row["n"]
            provision[row["provision"]][k] += row["n"]
    return dict(phase), dict(need), dict(provision)


def _broad(need: dict) -> dict:
    broad = {}
    for area, codes in BROAD_AREAS.items():
        broad[area] = [sum(need.get(code, [0, 0])[k] for code in codes) for k in range(2)]
    return broad


def _bands(days: list[int]) -> dict:
    return {code: sum(1 for d in days if low <= d <= high) for code, _, low, high in WAIT_BANDS}


def _wait_counts(fn, services, window) -> tuple[dict, list[list[int]]]:
    """Wait bands per period, and the days of each period (for a median shown only on a base
    at the threshold). ``fn`` gives, per period, the days or (days, still waiting)."""
    counts: dict = defaultdict(lambda: [0, 0])
    medians = []
    for k, result in enumerate(fn(services, window)):
        days, waiting = result if isinstance(result, tuple) else (result, None)
        for code, n in _bands(days).items():
            counts[code][k] = n
        if waiting is not None:
            counts["waiting"][k] = waiting
        medians.append(days)
    return dict(counts), medians


def _referral_waits(services, window) -> list:
    return [queries.days_referral_to_contact(services, period) for period in window.periods]


def build_report(service: Service, period: Period, *, viewer) -> Report:
    """Every table for ``service`` over ``period``, suppressed with the service's rule; the
    subject access figures only for the head of service, the management figures (not for
    export) only for senior staff."""
    if not access.may_see_statistics(viewer) or viewer.service_id != service.pk:
        raise StatisticsError("Statistics are for coordinators and senior staff of the service.")
    rule = Rule.for_service(service)
    hosted = list(Service.objects.values_list("pk", flat=True))
    benchmark_ids = hosted if len(hosted) >= BENCHMARK_MIN_SERVICES else None
    b = _Builder(service, period, rule, benchmark_ids)
    tables: list[Table] = []

    # Contacts
    own, every = b.from_summary("nng")
    tables.append(
        b.additive(
            "contacts_nng",
            "Contacts, with no name given (NNG) counted",
            "Every call, email, letter or meeting. A contact with no name given is counted on its own line: "
            "no record of the person was made (R1).",
            [("case", "On a case"), ("nng", "No name given (NNG)")],
            own,
            every,
            chart=True,
            total_label="All contacts",
        )
    )
    for key, field_name, title, choices in (
        ("contacts_channel", "channel", "Contacts by channel", Contact.Channel.choices),
        ("contacts_person", "person", "Contacts by who the contact was with", Contact.Person.choices),
        ("contacts_direction", "direction", "Contacts by direction", Contact.Direction.choices),
    ):
        own, every = b.from_summary(field_name)
        tables.append(
            b.additive(
                key,
                title,
                "All contacts, NNG included.",
                _choices(choices),
                own,
                every,
                chart=key == "contacts_channel",
                total_label="All contacts",
            )
        )

    # People reached
    own, every = b.counts(queries.parents_reached)
    tables.append(
        b.additive(
            "parents",
            "Parents and carers supported on a case",
            "Each parent counted once in a period. New: their first case opened in the period. "
            "Returning: a case of theirs opened before it.",
            [("new", "New"), ("returning", "Returning")],
            own,
            every,
            total_label="Parents and carers",
        )
    )
    own, every = b.counts(queries.young_people_reached)
    own_children, every_children = (
        _children_counts(b.own, b.window),
        (_children_counts(b.all, b.window) if b.all else None),
    )

    def total(counts):
        return [sum(v[k] for v in counts.values()) for k in range(2)]

    own["children"] = total(own_children[0])
    if every is not None:
        every["children"] = total(every_children[0])
    tables.append(
        b.separate(
            "children_and_young_people",
            "Children and young people",
            "Children the support was about, each counted once; young people in touch themselves "
            "on a case (each case "
            "once); contacts with young people who gave no name (each contact).",
            [
                ("children", "Children the support was about"),
                ("case", "Young people on a case"),
                ("nng", "Contacts with young people, no name given"),
            ],
            own,
            every,
        )
    )

    # Casework by intervention level
    levels = _choices(Case.InterventionLevel.choices)
    levels = levels[1:] + levels[:1]  # "not set yet" last
    for key, title, fn, args, description in (
        (
            "cases_opened",
            "Cases opened, by intervention level",
            queries.cases_by,
            ("intervention_level", "opened_at"),
            "By the level the case has now.",
        ),
        (
            "cases_closed",
            "Cases closed, by intervention level",
            queries.cases_by,
            ("intervention_level", "closed_at"),
            "By the level the case had when it closed.",
        ),
        (
            "cases_open",
            "Cases open at the end of the period, by intervention level",
            queries.cases_open_at_end,
            (),
            "Open on the last day of the period.",
        ),
    ):
        own, every = b.counts(fn, *args)
        tables.append(
            b.additive(
                key,
                title,
                description,
                levels,
                own,
                every,
                chart=key == "cases_open",
                total_label="All cases",
            )
        )

    own_counts, every_counts = b.from_summary("level")
    own_minutes, every_minutes = b.from_summary("level", measure="m")
    every_pair = (every_counts, every_minutes) if every_counts is not None else None
    level_rows = [*levels, ("nng", "No name given (NNG)")]
    counted = b.additive(
        "contacts_level",
        "Contacts and time spent, by intervention level",
        "",
        level_rows,
        own_counts,
        every_pair[0] if every_pair else None,
    )
    rows = []
    for i, (code, label) in enumerate(level_rows):
        cells = []
        for k, count_cell in enumerate(counted.rows[i].cells):
            minutes = (own_minutes if k < 2 else every_pair[1]).get(code, [0, 0])[0 if k == 2 else k]
            if count_cell.is_hidden or (count_cell.value or 0) < rule.threshold:
                cells.append(
                    Text("" if not count_cell.is_hidden else str(count_cell), 0, count_cell.is_hidden)
                )
            else:
                cells.append(Text(f"{minutes / 60:,.0f} hours", minutes / 60))
        rows.append(Row(code, label, cells))
    tables.append(
        Table(
            "time_level",
            "Time spent, by intervention level",
            "Hours from the time spent recorded on each contact; not shown where fewer contacts "
            "than the threshold were counted.",
            b.columns,
            rows,
            None,
            False,
            True,
        )
    )

    # Issues, referral source, outcomes
    topic_names = list(service.topic_set.order_by("position", "name").values_list("name", flat=True))
    own, every = b.counts(queries.contacts_by_topic)
    order, own, every = _by_name(own, every, other_label="Other topics", names=topic_names)
    tables.append(
        b.separate(
            "topics",
            "Issues: contacts by topic",
            "A contact may be about several topics, so these do not add up.",
            order,
            own,
            every,
            chart=True,
        )
    )

    own, every = b.counts(queries.cases_by, "referral_source", "opened_at")
    sources = _choices(Case.ReferralSource.choices)
    tables.append(
        b.additive(
            "referral_source",
            "Cases opened, by who referred the parent",
            "",
            sources[1:] + sources[:1],
            own,
            every,
            total_label="All cases opened",
        )
    )

    outcome_names = list(service.outcome_set.order_by("position", "name").values_list("name", flat=True))
    own, every = b.counts(queries.contacts_by_outcome)
    order, own, every = _by_name(own, every, other_label="Other outcomes", names=outcome_names)
    tables.append(
        b.additive(
            "contact_outcomes", "Contacts by outcome", "", order, own, every, total_label="All contacts"
        )
    )
    own, every = b.counts(queries.closure_outcomes)
    order, own, every = _by_name(own, every, other_label="Other outcomes, or no contact", names=outcome_names)
    tables.append(
        b.additive(
            "closure_outcomes",
            "Outcomes at closure",
            "Cases closed in the period, by the outcome of their last contact.",
            order,
            own,
            every,
            total_label="All cases closed",
        )
    )

    # The children
    phases = _choices(ContactChild.Phase.choices)
    needs = _choices(Child.Need.choices) + [("", "Not recorded")]
    provisions = _choices(Child.Provision.choices)
    description = (
        "Each child once in a period, as at their first contact in it (school phase from the date "
        "of birth, which is never shown)."
    )
    for k, (key, title, order, chart) in enumerate(
        (
            ("children_phase", "Children by age band (school phase)", phases, True),
            ("children_need", "Children by primary type of need (DfE SEN2 codes)", needs, False),
            ("children_provision", "Children by SEN provision", provisions, False),
        )
    ):
        tables.append(
            b.additive(
                key,
                title,
                description,
                order,
                own_children[[0, 1, 2][k]],
                every_children[[0, 1, 2][k]] if every_children else None,
                chart=chart,
                total_label="All children",
            )
        )
    own_need = own_children[1]
    tables.append(
        b.additive(
            "children_area",
            "Children by broad area of need",
            "The SEN2 codes grouped into the four broad areas of the SEND Code of Practice.",
            [(area, area) for area in BROAD_AREAS],
            _broad(own_need),
            _broad(every_children[1]) if every_children else None,
            chart=True,
            total_label="All children",
        )
    )

    # Waiting
    for key, title, fn, description, extra in (
        (
            "wait_case",
            "Waiting: from first contact to case opened",
            queries.days_to_open_in,
            "Cases opened in the period, by days from their first contact.",
            [],
        ),
        (
            "wait_referral",
            "Waiting: from referral received to parent contacted",
            _referral_waits,
            "Referrals received in the period, by days until the parent's answer was recorded.",
            [("waiting", "Not contacted yet")],
        ),
    ):
        own_counts, own_days = _wait_counts(fn, b.own, b.window)
        every_counts, every_days = _wait_counts(fn, b.all, b.window) if b.all else (None, None)
        order = [(code, label) for code, label, _, _ in WAIT_BANDS] + extra
        table = b.additive(key, title, description, order, own_counts, every_counts, total_label="All")
        medians = []
        for days in [*own_days, *(every_days[:1] if every_days else [])]:
            medians.append(
                Text(
                    _days(stats.median(days)) if len(days) >= rule.threshold else "",
                    stats.median(days) if days else 0,
                )
            )
        table.after.append(Row("median", "Median wait", medians))
        tables.append(table)

    # Child protection, disclosures
    own, every = b.counts(queries.child_protection)
    tables.append(
        b.separate(
            "child_protection",
            "Child-protection concerns",
            "Counts only.",
            [("raised", "Concerns raised"), ("referred", "Concerns referred to social care or the police")],
            own,
            every,
        )
    )
    own, every = b.counts(queries.disclosures_by_basis)
    tables.append(
        b.additive(
            "disclosures",
            "Disclosures, by basis",
            "Information shared outside the service, by the basis it was shared on (R3).",
            _choices(Disclosure.Basis.choices),
            own,
            every,
            total_label="All disclosures",
        )
    )

    if access.may_see_subject_access_figures(viewer):
        own, every = b.counts(queries.subject_access_requests)
        table = b.separate(
            "subject_access",
            "Subject access requests",
            "For the head of service.",
            [
                ("received", "Received"),
                ("answered", "Answered (the pack sent)"),
                ("in_time", "Answered within the legal deadline"),
                ("late", "Answered after the deadline"),
            ],
            own,
            every,
        )
        table.note = (
            "Answered: the pack was sent in the period. The deadline is the request's due date, "
            "with the clock stopped and any extension as recorded."
        )
        tables.append(table)

    note = ""
    if not benchmark_ids:
        note = (
            f"All-services figures appear when this deployment hosts at least {BENCHMARK_MIN_SERVICES} "
            "services."
        )
    report = Report(service, period, b.previous, rule, tables, bool(benchmark_ids), note)
    if access.may_see_management_figures(viewer):
        report.internal = management_figures(service)
    return report


def management_figures(service: Service) -> dict:
    """Caseloads per caseworker and unallocated open cases: internal, never exported, not
    suppressed (they name staff, not parents). Counted by ``cases.caseloads``."""

    return caseloads.figures(service.pk)


# --- exports -----------------------------------------------------------------------------------


def exports_in_last_minute(user) -> int:
    since = timezone.now() - timezone.timedelta(minutes=1)
    return StatisticsExport.objects.filter(requested_by=user, requested_at__gte=since).count()


class RateLimited(StatisticsError):
    pass


@transaction.atomic
def record_export(*, by, report: Report, format: str) -> StatisticsExport:
    """Record an export before it is sent: who, which tables, which period, which rule. Refused
    beyond ``PPS_STATISTICS_EXPORTS_PER_MINUTE`` a minute. The row itself is in the audit log (a
    CREATE entry with every field), and its sending is an ACCESS entry."""
    limit = settings.PPS_STATISTICS_EXPORTS_PER_MINUTE
    if exports_in_last_minute(by) >= limit:
        raise RateLimited(f"You can export statistics at most {limit} times a minute.")
    export = StatisticsExport.objects.create(
        service=report.service,
        requested_by=by,
        format=format,
        period_kind=report.period.kind,
        period_start=report.period.start,
        period_end=report.period.end,
        tables=[table.key for table in report.tables],
        settings={**report.rule.as_dict(), "benchmark": report.benchmark},
    )
    record_access(by, [export], how=f"statistics export ({format})")
    return export


@transaction.atomic
def set_suppression_rule(*, by, service: Service, threshold: int, rounding: bool) -> Service:
    """The head of service sets the service's small-number rule (R15); the change is in the
    audit log (the Service row is audited)."""
    if not access.may_set_suppression_rule(by) or by.service_id != service.pk:
        raise StatisticsError("Only the head of service sets the rule.")
    if not 3 <= threshold <= 20:
        raise StatisticsError("The smallest count shown must be between 3 and 20.")
    service.statistics_threshold, service.statistics_rounding = threshold, rounding
    service.save(update_fields=["statistics_threshold", "statistics_rounding"])
    return service
