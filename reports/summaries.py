"""The summary tables statistics are read from (R15), kept up to date as casework is written.

Two tables, both holding codes and counts only (nothing personal, nothing encrypted):

- ``DailyCount``: how many contacts (and minutes) of each channel, person, direction, outcome,
  topic and intervention level, and how many cases opened, closed and open by level, by
  referral source, by outcome at closure and by days waited, per service and day (grain "d")
  and per service and month (grain "m"). Counts of a period are sums of these rows: a year is
  12 month rows per code, a date range its days.
- ``Reached``: one row per parent, child, and case with the young person in touch, for each
  financial year, academic year, quarter and month they had a contact in. Distinct counts
  cannot be summed from daily counts (a parent in touch in May and June is one parent in the
  quarter), so they are kept as sets per named period and counted. A date range is not a
  named period: its distinct counts are counted from the records (``reports.raw``).

``Listener`` is registered with ``cases.figures`` (``reports.apps``), so the counts change in
the transaction that writes the contact or the case. A change to a case (opened, closed,
reopened, level or source set, destroyed) is applied as the difference between what the case
contributed before and after, the same function (``_case_rows``) giving both, and the same
functions rebuild everything from the records (``rebuild``), so the two cannot disagree.
"""

import functools
from collections import defaultdict
from datetime import date
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from cases import figures
from cases.models import Case, Contact, ContactChild
from pps.models import Service
from reports.models import DailyCount, Reached

#: Reached rows are kept for these named periods (see ``period_start``).
REACH_GRAINS = ("fy", "ay", "q", "m")
#: Rows are written in chunks of this many.
CHUNK = 500


def period_start(grain: str, day: date) -> date:
    """The first day of the financial year (April), academic year (September), quarter of the
    financial year or month that ``day`` is in."""
    if grain == "fy":
        return date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    if grain == "ay":
        return date(day.year if day.month >= 9 else day.year - 1, 9, 1)
    if grain == "q":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def wait_days(opened_at, first_contact_at) -> int:
    """Days from a case's first contact to its opening (0 if it had none before it opened)."""
    return max(0, (opened_at - first_contact_at).days) if first_contact_at else 0


class Deltas:
    """Changes to ``DailyCount``: {(service, day, figure, code): [n, minutes]}."""

    def __init__(self):
        self.values: dict = defaultdict(lambda: [0, 0])

    def add(self, service_id, moment, figure: str, code, n: int = 1, minutes: int = 0) -> None:
        self.add_on(service_id, timezone.localdate(moment), figure, code, n, minutes)

    def add_on(self, service_id, day: date, figure: str, code, n: int = 1, minutes: int = 0) -> None:
        """``add`` for a moment on local date ``day``."""
        value = self.values[(service_id, day, figure, str(code))]
        value[0] += n
        value[1] += minutes

    def rows(self) -> list[tuple]:
        """(service, grain, day, figure, code, n, minutes) for each day and month, zeros left out."""
        grained: dict = defaultdict(lambda: [0, 0])
        for (service_id, day, figure, code), (n, minutes) in self.values.items():
            for grain, first in (("d", day), ("m", day.replace(day=1))):
                value = grained[(service_id, grain, first, figure, code)]
                value[0] += n
                value[1] += minutes
        # Sorted, so that two transactions lock the rows they share in the same order.
        return sorted(
            (str(key[0]), *key[1:], n, minutes) for key, (n, minutes) in grained.items() if n or minutes
        )


def _contact_rows(deltas: Deltas, contact, topic_ids, level: str | None) -> None:
    """What one contact adds: its codes, its topics, and (``level`` given) its case's level."""
    day, service_id = timezone.localdate(contact.occurred_at), contact.service_id
    for figure in ("channel", "person", "direction"):
        deltas.add_on(service_id, day, figure, getattr(contact, figure))
    deltas.add_on(service_id, day, "outcome", contact.outcome_id)
    deltas.add_on(service_id, day, "nng", "nng" if contact.case_id is None else "case")
    if contact.case_id is None and contact.person == Contact.Person.YOUNG_PERSON:
        deltas.add_on(service_id, day, "young_nng", "")
    for topic_id in topic_ids:
        deltas.add_on(service_id, day, "topic", topic_id)
    if level is not None:
        deltas.add_on(service_id, day, "level", level, 1, contact.duration_minutes)


def _case_rows(deltas: Deltas, state: dict, contacts: list, sign: int) -> None:
    """What one case adds (``sign`` 1) or takes away (-1): opened, closed and open by level,
    opened by referral source, the outcome of its last contact at closure, the days waited, and
    its contacts by its level. ``contacts``: (occurred_at, minutes, outcome id) of each."""
    service_id, level = state["service_id"], state["intervention_level"]
    opened, closed = state["opened_at"], state["closed_at"]
    deltas.add(service_id, opened, "opened_level", level, sign)
    deltas.add(service_id, opened, "opened_source", state["referral_source"], sign)
    first = min((at for at, _, _ in contacts), default=None)
    deltas.add(service_id, opened, "wait_case", wait_days(opened, first), sign)
    if not (state["status"] == Case.Status.DESTROYED and closed is None):
        deltas.add(service_id, opened, "open", level, sign)
        if closed is not None:
            deltas.add(service_id, closed, "open", level, -sign)
    if closed is not None:
        deltas.add(service_id, closed, "closed_level", level, sign)
        last = max(contacts, key=lambda c: c[0], default=None)
        deltas.add(service_id, closed, "closed_outcome", last[2] if last else "", sign)
    for at, minutes, _ in contacts:
        deltas.add(service_id, at, "level", level, sign, sign * minutes)


CASE_FIELDS = ("service_id", "status", "opened_at", "closed_at", "intervention_level", "referral_source")


def _case_contacts(case_id) -> list:
    return list(
        Contact.objects.filter(case_id=case_id).values_list("occurred_at", "duration_minutes", "outcome_id")
    )


@functools.cache
def _field(model, name):
    return model._meta.get_field(name)


def _prep(model, name, value):
    return _field(model, name).get_db_prep_save(value, connection)


class _Prepared:
    """``_prep``, each distinct value of a field once: a statement's rows share most of their
    values (the service, the days and periods, a contact's time for each person it reached)."""

    def __init__(self):
        self._done: dict = {}

    def __call__(self, model, name, value):
        key = (model, name, value)
        try:
            return self._done[key]
        except KeyError:
            prepared = self._done[key] = _prep(model, name, value)
            return prepared


def apply(deltas: Deltas) -> None:
    """Add ``deltas`` to the daily and monthly counts, in one statement per chunk."""
    _run(_count_statements(deltas))


def _count_statements(deltas: Deltas) -> list[tuple[str, list]]:
    table = DailyCount._meta.db_table
    names = ("service", "grain", "day", "figure", "code", "n", "minutes")
    rows = deltas.rows()
    statements = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        # Column by column: each distinct value of a column (most rows share their service,
        # grain, day and figure) prepared for the database once.
        columns = []
        for name, column in zip(names, zip(*chunk, strict=True), strict=True):
            prepared = {value: _prep(DailyCount, name, value) for value in set(column)}
            columns.append([prepared[value] for value in column])
        params = [value for row in zip(*columns, strict=True) for value in row]
        statements.append(
            (
                f"INSERT INTO {table} (service_id, grain, day, figure, code, n, minutes) VALUES {values} "  # noqa: S608 # nosec B608: names are the models' tables (names are ours)
                "ON CONFLICT (service_id, grain, day, figure, code) DO UPDATE SET "
                f"n = {table}.n + excluded.n, minutes = {table}.minutes + excluded.minutes",
                params,
            )
        )
    return statements


def _run(statements: list[tuple[str, list]]) -> None:
    """Run the statements in order. On PostgreSQL, in one round trip: psycopg2 sends them as one
    query string (it fills in the parameters itself), in the caller's transaction; a failing
    statement stops the rest and raises, as one by one. SQLite takes one statement a call."""
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                ";\n".join(sql for sql, _ in statements), [p for _, params in statements for p in params]
            )
            return
        for sql, params in statements:
            cursor.execute(sql, params)


#: The codes of a Reached row that is not a child's.
NO_CODES = ("", "", "")


def _reach_row(prep, kind, subject, service_id, grain, period, at, codes, since_of_parent) -> tuple:
    """One Reached row, as SQL values and parameters: ``subject`` reached in the ``grain``
    period starting ``period`` by a contact at ``at`` (a parent's row also counts them in since
    their first case opened)."""
    params = [
        prep(Reached, "service", service_id),
        kind,
        prep(Reached, "subject", subject),
        grain,
        prep(Reached, "period", period),
        prep(Reached, "first_at", at),
    ]
    if since_of_parent is not None:
        since = f"(SELECT MIN(opened_at) FROM {Case._meta.db_table} WHERE parent_id = %s)"  # noqa: S608 # nosec B608: names are the models' tables
        params.append(prep(Case, "parent", since_of_parent))
    else:
        since = "NULL"
    return (f"(%s, %s, %s, %s, %s, %s, {since}, %s, %s, %s)", [*params, *codes])


def _reached_statements(rows: list) -> list[tuple[str, list]]:
    """Insert Reached rows; where the person is already counted in the period, keep the codes
    of their earliest contact in it."""
    table = Reached._meta.db_table
    statements = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        statements.append(
            (
                f"INSERT INTO {table} (service_id, kind, subject, grain, period, first_at, since, "  # noqa: S608 # nosec B608: names are the models' tables
                f"phase, need, provision) VALUES {', '.join(sql for sql, _ in chunk)} "
                "ON CONFLICT (kind, subject, grain, period) DO UPDATE SET first_at = excluded.first_at, "
                "phase = excluded.phase, need = excluded.need, provision = excluded.provision "
                f"WHERE excluded.first_at < {table}.first_at",
                [p for _, params in chunk for p in params],
            )
        )
    return statements


def _move_closure_outcomes(deltas: Deltas, on_closed: dict, new_ids: list) -> None:
    """Contacts logged on closed cases (imported: the old system closed the case, its contacts
    come after): a case's outcome at closure is that of its last contact, so it may change from
    the last one before these (none: "") to the last one with them."""
    earlier = {}
    rows = (
        Contact.objects.filter(case_id__in=list(on_closed))
        .exclude(pk__in=new_ids)
        .order_by("case_id", "occurred_at")
        .values_list("case_id", "occurred_at", "outcome_id")
    )
    for case_id, at, outcome_id in rows:
        if case_id not in earlier or at > earlier[case_id][0]:
            earlier[case_id] = (at, outcome_id)
    for case_id, (case, contacts) in on_closed.items():
        was = earlier.get(case_id)
        candidates = ([was] if was else []) + [(c.occurred_at, c.outcome_id) for c in contacts]
        before = was[1] if was else ""
        after = max(candidates, key=lambda candidate: candidate[0])[1]
        if before != after:
            deltas.add(case.service_id, case.closed_at, "closed_outcome", before, -1)
            deltas.add(case.service_id, case.closed_at, "closed_outcome", after, 1)


class Listener:
    """Keeps the summaries up to date; registered with ``cases.figures`` once."""

    def contacts_logged(self, logged) -> None:
        """Contacts written together: the counts they add, in one statement per table (chunks),
        the same as adding them one by one in order."""
        deltas = Deltas()
        reached = {}  # (kind, subject, grain, period): (first at, the row's values)
        subject_field = _field(Reached, "subject")
        before_opening, on_closed = {}, {}
        for contact, topic_ids, child_codes in logged:
            case = contact.case if contact.case_id else None
            _contact_rows(deltas, contact, topic_ids, "nng" if case is None else case.intervention_level)
            if case is None:
                continue
            if contact.occurred_at < case.opened_at:
                before_opening.setdefault(case.pk, [case, []])[1].append(contact)
            if case.closed_at is not None:
                on_closed.setdefault(case.pk, [case, []])[1].append(contact)
            at, service_id = contact.occurred_at, contact.service_id
            day = timezone.localdate(at)
            periods = [(grain, period_start(grain, day)) for grain in REACH_GRAINS]
            people = [("parent", case.parent_id, NO_CODES, case.parent_id)]
            if contact.person == Contact.Person.YOUNG_PERSON:
                people.append(("young", case.pk, NO_CODES, None))
            for code in child_codes:
                if code.child_id is not None:
                    people.append(("child", code.child_id, (code.phase, code.need, code.provision), None))
            for kind, subject, codes, since_of_parent in people:
                same_subject = subject_field.to_python(subject)  # a UUID, however it was given
                for grain, period in periods:
                    # One row per person and period in a statement: the earliest contact's (the
                    # first of equals), as successive single inserts would keep.
                    key = (kind, same_subject, grain, period)
                    if key not in reached or at < reached[key][0]:
                        reached[key] = (
                            at,
                            (kind, subject, service_id, grain, period, at, codes, since_of_parent),
                        )
        if before_opening:
            # Logged on a case, dated before it opened: the wait may be longer now. Each single
            # contact would move the wait from the earliest contact before it to the earliest
            # with it; together, the moves add up to one, from the earliest before these.
            new_ids = [contact.pk for contact, _, _ in logged]
            earlier = dict(
                Contact.objects.filter(case_id__in=list(before_opening))
                .exclude(pk__in=new_ids)
                .values("case_id")
                .annotate(at=Min("occurred_at"))
                .values_list("case_id", "at")
            )
            for case_id, (case, contacts) in before_opening.items():
                was = earlier.get(case_id)
                first = min([contact.occurred_at for contact in contacts] + ([was] if was else []))
                before, after = wait_days(case.opened_at, was), wait_days(case.opened_at, first)
                if before != after:
                    deltas.add(case.service_id, case.opened_at, "wait_case", before, -1)
                    deltas.add(case.service_id, case.opened_at, "wait_case", after, 1)
        if on_closed:
            _move_closure_outcomes(deltas, on_closed, [contact.pk for contact, _, _ in logged])
        prep = _Prepared()
        # The counts and the people reached: one round trip on PostgreSQL.
        _run(
            _count_statements(deltas)
            + _reached_statements([_reach_row(prep, *row) for _, row in reached.values()])
        )

    def case_changing(self, case):
        state = Case.objects.filter(pk=case.pk).values(*CASE_FIELDS).get()
        return state, _case_contacts(case.pk)

    def case_changed(self, case, before) -> None:
        self.cases_changed([(case, before)])

    def cases_changed(self, changes) -> None:
        """Cases written together: what each takes away as it was and adds as it is, applied
        in one statement per chunk."""
        deltas = Deltas()
        for case, before in changes:
            state, contacts = before if before else (None, [])
            if state is not None:
                _case_rows(deltas, state, contacts, -1)
            _case_rows(deltas, {name: getattr(case, name) for name in CASE_FIELDS}, contacts, 1)
        apply(deltas)


LISTENER = Listener()


def register() -> None:
    figures.listen(LISTENER)


# --- Rebuilding from the records -----------------------------------------------------------------


def rebuild(service_ids=None, *, progress=None) -> dict:
    """Count everything again from the records, service by service (each in one transaction):
    after a bulk load, or to check the summaries. Returns the rows written per table."""

    progress = progress or (lambda message: None)
    services = Service.objects.all() if service_ids is None else Service.objects.filter(pk__in=service_ids)
    written = {"daily counts": 0, "reached": 0}
    for service_id in services.values_list("pk", flat=True):
        with transaction.atomic():
            counts, reached = _rebuild_service(service_id)
        written["daily counts"] += counts
        written["reached"] += reached
        progress(f"service {service_id}: {counts} daily counts, {reached} reached")
    return written


def _rebuild_service(service_id) -> tuple[int, int]:
    DailyCount.objects.filter(service_id=service_id).delete()
    Reached.objects.filter(service_id=service_id).delete()
    deltas = Deltas()
    cases = {
        row["pk"]: row
        for row in Case.objects.filter(service_id=service_id).values("pk", "parent_id", *CASE_FIELDS)
    }
    since: dict = {}
    for row in cases.values():
        parent = row["parent_id"]
        since[parent] = min(since.get(parent, row["opened_at"]), row["opened_at"])
    of_case: dict = defaultdict(list)
    firsts: dict = {}  # (kind, subject, grain, period) -> (first_at, since, codes)

    in_sql = connection.vendor == "postgresql"

    def reach(kind, subject, at, *, parent_since=None, codes=("", "", "")):
        if in_sql:
            return  # counted by _reached_in_sql, much faster at millions of rows
        day = timezone.localdate(at)
        for grain in REACH_GRAINS:
            key = (kind, subject, grain, period_start(grain, day))
            if key not in firsts or at < firsts[key][0]:
                firsts[key] = (at, parent_since, codes)

    fields = (
        "pk",
        "case_id",
        "occurred_at",
        "channel",
        "direction",
        "person",
        "duration_minutes",
        "outcome_id",
    )
    for values in (
        Contact.objects.filter(service_id=service_id).values_list(*fields).iterator(chunk_size=5000)
    ):
        # The fields ``_contact_rows`` reads, without building a model instance for each row.
        contact = SimpleNamespace(service_id=service_id, **dict(zip(fields, values, strict=True)))
        _contact_rows(deltas, contact, (), "nng" if contact.case_id is None else None)
        if contact.case_id is not None:
            of_case[contact.case_id].append(
                (contact.occurred_at, contact.duration_minutes, contact.outcome_id)
            )
            parent = cases[contact.case_id]["parent_id"]
            reach("parent", parent, contact.occurred_at, parent_since=since[parent])
            if contact.person == Contact.Person.YOUNG_PERSON:
                reach("young", contact.case_id, contact.occurred_at)
    topics = Contact.topics.through.objects.filter(contact__service_id=service_id)
    for topic_id, at in topics.values_list("topic_id", "contact__occurred_at").iterator(chunk_size=5000):
        deltas.add(service_id, at, "topic", topic_id)
    for case_id, state in cases.items():
        _case_rows(deltas, state, of_case.get(case_id, []), 1)
    if not in_sql:
        codes = ContactChild.objects.filter(service_id=service_id, child__isnull=False)
        for child_id, at, *child in codes.values_list(
            "child_id", "occurred_at", "phase", "need", "provision"
        ).iterator(chunk_size=5000):
            reach("child", child_id, at, codes=tuple(child))

    counts = [
        DailyCount(
            service_id=service_id, grain=grain, day=day, figure=figure, code=code, n=n, minutes=minutes
        )
        for _, grain, day, figure, code, n, minutes in deltas.rows()
    ]
    DailyCount.objects.bulk_create(counts, batch_size=5000)
    reached = [
        Reached(
            service_id=service_id,
            kind=kind,
            subject=subject,
            grain=grain,
            period=period,
            first_at=at,
            since=parent_since,
            phase=child[0],
            need=child[1],
            provision=child[2],
        )  # fmt: skip
        for (kind, subject, grain, period), (at, parent_since, child) in firsts.items()
    ]
    Reached.objects.bulk_create(reached, batch_size=5000)
    return len(counts), _reached_in_sql(service_id) if in_sql else len(reached)


#: PostgreSQL: the first day of each named period, from a local date ``d`` (as ``period_start``).
PERIOD_SQL = {
    "fy": "make_date(extract(year from d)::int - (extract(month from d) < 4)::int, 4, 1)",
    "ay": "make_date(extract(year from d)::int - (extract(month from d) < 9)::int, 9, 1)",
    "q": "make_date(extract(year from d)::int, (extract(month from d)::int - 1) / 3 * 3 + 1, 1)",
    "m": "date_trunc('month', d)::date",
}


def _reached_in_sql(service_id) -> int:
    """The Reached rows of one service, as ``_rebuild_service`` counts them in Python: for each
    person and named period, their first contact in it (PostgreSQL, one statement per period)."""
    tz = timezone.get_current_timezone_name()
    service = _prep(Reached, "service", service_id)
    contacts, cases = Contact._meta.db_table, Case._meta.db_table
    codes, reached = ContactChild._meta.db_table, Reached._meta.db_table
    # Table names are ours; every value is a parameter.
    sources = {
        "parent": (
            "SELECT k.parent_id AS subject, c.occurred_at AS at, f.since, '' AS phase, "  # noqa: S608 # nosec B608: names are the models' tables
            f"'' AS need, '' AS provision FROM {contacts} c JOIN {cases} k ON k.id = c.case_id "
            f"JOIN (SELECT parent_id, MIN(opened_at) AS since FROM {cases} GROUP BY parent_id) f "
            "ON f.parent_id = k.parent_id WHERE c.service_id = %s"
        ),
        "young": (
            "SELECT c.case_id AS subject, c.occurred_at AS at, NULL::timestamptz AS since, "  # noqa: S608 # nosec B608: names are the models' tables
            f"'' AS phase, '' AS need, '' AS provision FROM {contacts} c WHERE c.service_id = %s "
            "AND c.case_id IS NOT NULL AND c.person = 'young_person'"
        ),
        "child": (
            "SELECT c.child_id AS subject, c.occurred_at AS at, NULL::timestamptz AS since, "  # noqa: S608 # nosec B608: names are the models' tables
            f"c.phase, c.need, c.provision FROM {codes} c "
            "WHERE c.service_id = %s AND c.child_id IS NOT NULL"
        ),
    }
    written = 0
    with connection.cursor() as cursor:
        for kind, source in sources.items():
            for grain, period in PERIOD_SQL.items():
                cursor.execute(
                    f"INSERT INTO {reached} (service_id, kind, subject, grain, period, "  # noqa: S608 # nosec B608: names are the models' tables
                    "first_at, since, phase, need, provision) SELECT DISTINCT ON (subject, period) "
                    "%s, %s, subject, %s, period, at, since, phase, need, provision FROM "
                    f"(SELECT x.*, {period} AS period FROM (SELECT s.*, (s.at AT TIME ZONE %s)::date AS d "
                    f"FROM ({source}) s) x) y ORDER BY subject, period, at",
                    [service, kind, grain, tz, service],
                )
                written += cursor.rowcount
    return written
