"""Reading consents and disclosures for pages: what a case shows and what the dashboard warns of.

Who may reach them is decided in ``consent.access`` (``Consent.objects.visible_to``,
``Disclosure.objects.visible_to``, ``get_consent_for_user``): exactly those who may reach their
case. Every record shown is audited.
"""

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from cases.models import Case
from consent.models import Consent, Disclosure, Referral, StatementSent
from pps.audit import record_access

#: How far ahead the dashboard warns of consents to share that will lapse.
LAPSING_DAYS = 30


def consents_on_case(user, case, *, how: str = "case page") -> list[Consent]:
    """The consents on ``case`` (newest first) if ``user`` may reach it; every one shown is recorded."""
    consents = list(
        Consent.objects.visible_to(user).filter(case=case).select_related("recorded_by", "withdrawn_by")
    )
    key = case.household_key()
    for consent in consents:
        consent.use_household_key(key)
    record_access(user, consents, how=how)
    return consents


def disclosures_on_case(user, case, *, how: str = "case page") -> list[Disclosure]:
    """The disclosures made from ``case`` if ``user`` may reach it; every one shown is recorded."""
    disclosures = list(
        Disclosure.objects.visible_to(user).filter(case=case).select_related("disclosed_by", "consent")
    )
    key = case.household_key()
    for disclosure in disclosures:
        disclosure.use_household_key(key)
        if disclosure.consent is not None:
            disclosure.consent.use_household_key(key)
    record_access(user, disclosures, how=how)
    return disclosures


def consent_warnings_for(user, *, limit: int = 10) -> dict:
    """For the dashboard: the open cases ``user`` may reach whose consent to share lapses within
    ``LAPSING_DAYS`` days with no later one, and those with no valid consent to share at all.

    At most ``limit`` of each are listed (with counts of all); each case listed is recorded.
    """
    today = timezone.localdate()
    soon = today + timezone.timedelta(days=LAPSING_DAYS)
    cases = Case.objects.visible_to(user).filter(status="open")
    valid = Consent.objects.filter(case=OuterRef("pk"), withdrawn_at__isnull=True, expires_on__gte=today)
    lapsing = (
        cases.filter(Exists(valid))
        .exclude(Exists(valid.filter(expires_on__gt=soon)))
        .annotate(lapses_on=Subquery(valid.order_by("-expires_on").values("expires_on")[:1]))
        .select_related("parent")
        .order_by("lapses_on")
    )
    without = cases.exclude(Exists(valid)).select_related("parent").order_by("opened_at")
    shown_lapsing, shown_without = list(lapsing[:limit]), list(without[:limit])
    record_access(user, shown_lapsing + shown_without, how="dashboard: consent warnings")
    return {
        "lapsing": shown_lapsing,
        "lapsing_count": lapsing.count(),
        "without": shown_without,
        "without_count": without.count(),
        "lapsing_days": LAPSING_DAYS,
    }


def statements_on_case(user, case, *, how: str = "case page") -> list[StatementSent]:
    """When the permission form and statement were given on ``case`` (newest first). Recorded."""
    statements = list(StatementSent.objects.visible_to(user).filter(case=case).select_related("sent_by"))
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
