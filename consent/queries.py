"""Reading consents and disclosures for pages: what a case shows and what the dashboard warns of.

Who may reach them is decided in ``consent.access`` (``Consent.objects.visible_to``,
``Disclosure.objects.visible_to``, ``get_consent_for_user``): exactly those who may reach their
case. Every record shown is audited.
"""

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from cases.access import records_on_case
from cases.case_page import Section, has_records
from cases.models import Case
from cases.timeline import Entry
from consent.models import Consent, Disclosure, Referral, StatementSent
from pps.audit import record_access

#: How far ahead the dashboard warns of consents to share that will lapse.
LAPSING_DAYS = 30


def consents_on_case(user, case, *, how: str = "case page") -> list[Consent]:
    """The consents on ``case`` (newest first) if ``user`` may reach it; every one shown is recorded."""
    consents = list(
        records_on_case(Consent.objects, user, case)
        .select_related("recorded_by", "withdrawn_by")
        .defer("recorded_by__password", "withdrawn_by__password")
    )
    key = case.household_key()
    for consent in consents:
        consent.use_household_key(key)
    record_access(user, consents, how=how)
    return consents


def disclosures_on_case(user, case, *, how: str = "case page") -> list[Disclosure]:
    """The disclosures made from ``case`` if ``user`` may reach it; every one shown is recorded."""
    disclosures = list(
        records_on_case(Disclosure.objects, user, case)
        .select_related("disclosed_by", "consent")
        .defer("disclosed_by__password")
    )
    key = case.household_key()
    for disclosure in disclosures:
        disclosure.use_household_key(key)
        if disclosure.consent is not None:
            disclosure.consent.use_household_key(key)
    record_access(user, disclosures, how=how)
    return disclosures


def case_page_section(user, case, *, how: str) -> Section:
    """What a case page shows of this app (``cases.case_page``): the consents and the permission
    forms and statements in the side panel, and, on the timeline, those with the disclosures.
    A consent given during a contact shows on that contact (R3: "recorded on our contact log")."""
    # Read only the kinds the case has (``cases.case_page.has_records``: one query for them all).
    disclosures = disclosures_on_case(user, case, how=how) if has_records(user, case, "disclosures") else []
    statements = statements_on_case(user, case, how=how) if has_records(user, case, "statements") else []
    consents = consents_on_case(user, case, how=how) if has_records(user, case, "consents") else []

    def with_contacts(contacts):
        for contact in contacts:
            contact.consents_given = [c for c in consents if c.contact_id == contact.pk]

    return Section(
        context={
            "consents": consents,
            "statements": statements,
            "consents_valid": any(c.status == "valid" for c in consents),
        },
        entries=[
            *(Entry("statement", s.sent_at, s.recorded_at, s) for s in statements),
            *(Entry("disclosure", d.disclosed_at, d.recorded_at, d) for d in disclosures),
            *(Entry("consent", c.given_at, c.given_at, c) for c in consents if c.contact_id is None),
        ],
        with_contacts=with_contacts,
    )


def consent_warnings_for(user, *, limit: int = 10) -> dict:
    """For the dashboard: the open cases ``user`` may reach whose consent to share lapses within
    ``LAPSING_DAYS`` days with no later one, and those with no valid consent to share at all.

    At most ``limit`` of each are listed (and whether there are more: no exact counts, which
    would read every open case); each case listed is recorded.
    """
    today = timezone.localdate()
    soon = today + timezone.timedelta(days=LAPSING_DAYS)
    cases = Case.objects.visible_to(user).filter(status="open")
    valid = Consent.objects.filter(case=OuterRef("pk"), withdrawn_at__isnull=True, expires_on__gte=today)
    # From the consents that lapse soon (few, whatever the size of the service) to their cases,
    # rather than from every open case to its consents.
    expiring = Consent.objects.filter(withdrawn_at__isnull=True, expires_on__gte=today, expires_on__lte=soon)
    lapsing = (
        cases.filter(pk__in=expiring.values("case_id"))
        .exclude(Exists(valid.filter(expires_on__gt=soon)))
        .annotate(lapses_on=Subquery(valid.order_by("-expires_on").values("expires_on")[:1]))
        .select_related("parent")
        .order_by("lapses_on")
    )
    without = cases.exclude(Exists(valid)).select_related("parent").order_by("opened_at")
    # One more than is listed, instead of exact counts: "more than 10" is all the dashboard says.
    shown_lapsing, shown_without = list(lapsing[: limit + 1]), list(without[: limit + 1])
    lapsing_more, without_more = len(shown_lapsing) > limit, len(shown_without) > limit
    shown_lapsing, shown_without = shown_lapsing[:limit], shown_without[:limit]
    record_access(user, shown_lapsing + shown_without, how="dashboard: consent warnings")
    return {
        "lapsing": shown_lapsing,
        "lapsing_count": len(shown_lapsing),
        "lapsing_more": lapsing_more,
        "without": shown_without,
        "without_count": len(shown_without),
        "without_more": without_more,
        "lapsing_days": LAPSING_DAYS,
    }


def statements_on_case(user, case, *, how: str = "case page") -> list[StatementSent]:
    """When the permission form and statement were given on ``case`` (newest first). Recorded."""
    statements = list(
        records_on_case(StatementSent.objects, user, case)
        .select_related("sent_by")
        .defer("sent_by__password")
    )
    record_access(user, statements, how=how)
    return statements


def open_referrals(user, *, limit: int = 200) -> list[Referral]:
    """The pending and agreed referrals ``user`` may reach, oldest first. Each one shown is recorded."""
    referrals = list(
        Referral.objects.visible_to(user)
        .filter(status__in=[Referral.Status.PENDING, Referral.Status.AGREED])
        .select_related("received_by")
        .order_by("received_at")[:limit]
    )
    record_access(user, referrals, how="referral list")
    return referrals


def pending_referral_count(user) -> int:
    return Referral.objects.visible_to(user).filter(status=Referral.Status.PENDING).count()
