"""The summary tables give the same figures as counting the records themselves, whatever was
done in between (cases opened, levels changed, closed, reopened, households destroyed, contacts
logged late and dated before the case opened), and a rebuild writes exactly what the service
functions kept up to date."""

import random
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from cases import services
from cases.models import Case, Child, Contact, Outcome, Topic
from reports import periods, queries, raw, summaries
from reports.models import DailyCount, Reached
from tests.factories import make_case

START = date(2024, 1, 1)
STEPS = 70


def moment(rng, day: date) -> datetime:
    return datetime.combine(
        day, time(rng.randint(0, 23), rng.randrange(60)), tzinfo=timezone.get_current_timezone()
    )


def contact_details(rng, service, at):
    topics = list(Topic.objects.filter(service=service))
    return services.ContactDetails(
        occurred_at=at,
        channel=rng.choice(["phone", "email", "meeting", "video", "letter", "text"]),
        direction=rng.choice(["in", "out"]),
        person=rng.choice(["parent", "parent", "young_person", "professional"]),
        duration_minutes=rng.randint(5, 90),
        topics=rng.sample(topics, rng.randint(1, 3)),
        outcome=rng.choice(list(Outcome.objects.filter(service=service))),
    )


def build(rng, caseworker, senior):
    """A random history of one service, every step through the service functions, at its time."""
    day, open_ids, closed_ids = START, [], []
    for _ in range(STEPS):
        day += timedelta(days=rng.randint(1, 14))
        now = moment(rng, day)
        with time_machine.travel(now, tick=False):
            action = rng.random()
            if action < 0.2 or not open_ids:
                case = make_case(caseworker, children=rng.choice([0, 1, 1, 2]))
                open_ids.append(case.pk)
            elif action < 0.3:
                services.log_nng_contact(by=caseworker, details=contact_details(rng, caseworker.service, now))
            elif action < 0.65:
                case = Case.objects.get(pk=rng.choice(open_ids))
                # Often the same day; sometimes logged late, even dated before the case opened.
                at = now - timedelta(hours=rng.choice([0, 0, 1, 30, 24 * 20, 24 * 60]))
                at = max(at, case.opened_at - timedelta(days=40))
                services.log_case_contact(
                    by=caseworker, case=case, details=contact_details(rng, case.service, at)
                )
            elif action < 0.75:
                case = Case.objects.get(pk=rng.choice(open_ids + closed_ids))
                services.set_case_codes(
                    by=senior,
                    case=case,
                    intervention_level=rng.choice(Case.InterventionLevel.values),
                    referral_source=rng.choice(Case.ReferralSource.values),
                )
            elif action < 0.85:
                case = Case.objects.get(pk=rng.choice(open_ids))
                services.close_case(by=caseworker, case=case, reason="Resolved")
                open_ids.remove(case.pk)
                closed_ids.append(case.pk)
            elif action < 0.9 and closed_ids:
                case = Case.objects.get(pk=rng.choice(closed_ids))
                services.reopen_case(by=caseworker, case=case, reason="Back in touch")
                closed_ids.remove(case.pk)
                open_ids.append(case.pk)
            elif action < 0.95:
                child = Child.objects.filter(parent__cases__pk__in=open_ids).order_by("?").first()
                if child is not None:
                    child.use_household_key(child.parent.household_key())
                    child.need = rng.choice(Child.Need.values)
                    child.provision = rng.choice(Child.Provision.values)
                    services.update_child(by=caseworker, child=child)
            else:
                case = Case.objects.select_related("parent").get(pk=rng.choice(open_ids + closed_ids))
                services.destroy_household(by=senior, parent=case.parent)
                for gone in Case.objects.filter(parent=case.parent_id).values_list("pk", flat=True):
                    for ids in (open_ids, closed_ids):
                        if gone in ids:
                            ids.remove(gone)


WINDOWS = [
    periods.financial_year(2025),
    periods.academic_year(2024),
    periods.quarter_starting(date(2025, 10, 1)),
    periods.date_range(date(2025, 2, 17), date(2025, 11, 3)),
]


def nonzero(counts: dict) -> dict:
    return {code or "": list(values) for code, values in counts.items() if any(values)}


def figures(module, ids, period):
    window = module.Window([period, period.previous()])
    level, minutes = module.contacts_by_level(ids, window)
    result = {
        **{key: nonzero(module.contacts_by(ids, window, key)) for key in ("channel", "person", "direction")},
        "nng": nonzero(module.contacts_nng(ids, window)),
        "level": nonzero(level),
        "minutes": nonzero(minutes),
        "topics": nonzero(module.contacts_by_topic(ids, window)),
        "outcomes": nonzero(module.contacts_by_outcome(ids, window)),
        "parents": nonzero(module.parents_reached(ids, window)),
        "young": nonzero(module.young_people_reached(ids, window)),
        "opened": nonzero(module.cases_by(ids, window, "intervention_level", "opened_at")),
        "closed": nonzero(module.cases_by(ids, window, "intervention_level", "closed_at")),
        "sources": nonzero(module.cases_by(ids, window, "referral_source", "opened_at")),
        "open": nonzero(module.cases_open_at_end(ids, window)),
        "closure": nonzero(module.closure_outcomes(ids, window)),
    }
    for k, each in enumerate(window.periods):
        rows = module.children(ids, each)
        result[f"children{k}"] = sorted(
            (r["phase"], r["need"], r["provision"], r["n"]) for r in rows if r["n"]
        )
        result[f"waits{k}"] = sorted(module.days_to_open(ids, each))
    return result


def stored():
    counts = set(
        DailyCount.objects.exclude(n=0, minutes=0).values_list(
            "grain", "day", "figure", "code", "n", "minutes"
        )
    )
    reached = set(
        Reached.objects.values_list(
            "kind", "subject", "grain", "period", "first_at", "since", "phase", "need", "provision"
        )
    )
    return counts, reached


def test_summaries_give_the_figures_counted_from_the_records_and_a_rebuild_changes_nothing(
    caseworker, senior, service, outsider
):
    rng = random.Random(1)
    build(rng, caseworker, senior)
    with time_machine.travel(moment(rng, date(2026, 6, 1)), tick=False):
        services.log_nng_contact(by=outsider, details=contact_details(rng, outsider.service, timezone.now()))
    assert Contact.objects.filter(service=service).count() > 20
    ids = [service.pk]
    for period in WINDOWS:
        assert figures(queries, ids, period) == figures(raw, ids, period), period.label

    kept = stored()
    call_command("rebuild_statistics", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert stored() == kept
    for period in WINDOWS[:1]:
        assert figures(queries, ids, period) == figures(raw, ids, period), period.label


def test_a_contact_is_counted_in_the_transaction_that_logs_it(caseworker, service):
    case = make_case(caseworker)
    window = queries.Window([periods.current_financial_year(timezone.localdate())])
    before = queries.contacts_nng([service.pk], window)["case"][0]
    services.log_case_contact(
        by=caseworker, case=case, details=contact_details(random.Random(3), service, timezone.now())
    )
    window = queries.Window([periods.current_financial_year(timezone.localdate())])
    assert queries.contacts_nng([service.pk], window)["case"][0] == before + 1
    assert queries.parents_reached([service.pk], window)["new"] == [1]


def test_a_refused_contact_changes_no_count(caseworker, service):
    case = make_case(caseworker)
    services.close_case(by=caseworker, case=case, reason="Resolved")
    kept = stored()
    with pytest.raises(services.CaseworkError):
        services.log_case_contact(
            by=caseworker, case=case, details=contact_details(random.Random(4), service, timezone.now())
        )
    assert stored() == kept


def test_a_rebuild_restores_summaries_written_around_the_service_functions(caseworker, service):
    case = make_case(caseworker)
    services.log_case_contact(
        by=caseworker, case=case, details=contact_details(random.Random(5), service, timezone.now())
    )
    kept = stored()
    DailyCount.objects.filter(service=service).update(n=99)
    Reached.objects.filter(service=service).delete()
    summaries.rebuild([service.pk])
    assert stored() == kept


def test_contacts_imported_onto_a_case_the_old_system_closed_give_its_outcome_at_closure(
    head, caseworker, service
):
    rng = random.Random(6)
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=30), tick=False):
        case = make_case(caseworker)
    closed_at = now - timedelta(days=3)
    services.close_case(
        by=head, case=case, reason="Closed in the old system.", imported=True, closed_at=closed_at
    )
    first = [
        services.CaseContact(case=case, details=contact_details(rng, service, closed_at - timedelta(days=9)))
    ]
    services.log_case_contacts(by=head, contacts=first, imported=True)
    later = [
        services.CaseContact(case=case, details=contact_details(rng, service, closed_at - timedelta(days=n)))
        for n in (5, 1, 7)
    ]
    services.log_case_contacts(by=head, contacts=later, imported=True)
    kept = stored()
    last = later[1].details.outcome.pk
    assert any(row[2] == "closed_outcome" and row[3] == str(last) and row[4] == 1 for row in kept[0])
    summaries.rebuild([service.pk])
    assert stored() == kept


def test_a_parent_reached_by_several_contacts_logged_together_is_counted_from_the_earliest_in_each_period(
    caseworker, service
):
    rng = random.Random(7)
    case = make_case(caseworker, children=2)
    now = timezone.now()
    moments = [now - timedelta(days=n, hours=1) for n in (40, 2, 75, 2, 10)]
    items = []
    for at in moments:
        details = contact_details(rng, service, at)
        details.person = "parent"
        items.append(services.CaseContact(case=case, details=details))
    services.log_case_contacts(by=caseworker, contacts=items)
    rows = Reached.objects.filter(service=service, kind="parent", subject=case.parent_id)
    for grain in summaries.REACH_GRAINS:
        expected = {}
        for at in moments:
            period = summaries.period_start(grain, timezone.localdate(at))
            expected[period] = min(expected.get(period, at), at)
        assert dict(rows.filter(grain=grain).values_list("period", "first_at")) == expected, grain
    assert Reached.objects.filter(service=service, kind="child").count() == 2 * len(
        set(rows.values_list("grain", "period"))
    )
    kept = stored()
    summaries.rebuild([service.pk])
    assert stored() == kept
