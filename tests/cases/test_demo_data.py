"""The demo data: two services whose staff and records never mix, stored as the service functions
would have stored them, loaded once however often the command runs."""

import io
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max, Min
from django.utils import timezone

from cases import access as cases_access
from cases.models import Case, CaseEvent, CaseUserObjectPermission, Contact, Parent, ParentSearchToken
from cases.search import stored_tokens
from cases.services import find_parents
from consent.models import Consent
from demo import data as demo
from pps import otp, totp_code
from pps.models import Role, Service, User


def load(logins_file, *extra) -> str:
    out = io.StringIO()
    call_command(
        "load_demo_data",
        "--parents",
        "20",
        "--contacts",
        "200",
        "--logins-file",
        str(logins_file),
        *extra,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def logins_file(tmp_path):
    return tmp_path / "demo-logins.txt"


@pytest.fixture
def loaded(db, logins_file):
    return load(logins_file)


def test_it_creates_two_services_with_their_own_settings_and_staff(loaded):
    kw = Service.objects.get(short_name="KWPPS")
    tv = Service.objects.get(short_name="TVPPS")
    assert (kw.retention_months_after_closure, tv.retention_months_after_closure) == (12, 36)
    assert kw.staff.filter(is_active=True).count() == tv.staff.filter(is_active=True).count() == 9
    assert kw.staff.filter(is_active=False).count() == 1  # a leaver, for the staff accounts' history
    senior = User.objects.get(username="kw.senior")
    assert senior.role == Role.SENIOR_MANAGER and senior.is_safeguarding_lead
    assert User.objects.get(username="tv.caseworker").service == tv
    assert Parent.objects.filter(service=kw).count() == Parent.objects.filter(service=tv).count() == 10


def test_records_of_one_service_never_mix_with_the_other(loaded):
    for case in Case.objects.select_related("parent", "opened_by"):
        assert case.parent.service_id == case.service_id
        assert case.opened_by.service_id == case.service_id
    for permission in CaseUserObjectPermission.objects.select_related("user", "content_object"):
        assert permission.user.service_id == permission.content_object.service_id
        assert permission.user.role in (Role.CASEWORKER, Role.VOLUNTEER)
    for contact in Contact.objects.select_related("case", "logged_by"):
        assert contact.logged_by.service_id == contact.service_id
        assert contact.case is None or contact.case.service_id == contact.service_id
        assert {t.service_id for t in contact.topics.all()} == {contact.service_id}


def test_most_open_cases_have_a_consent_to_share_that_lasts_the_renewal_period(loaded):
    open_cases = Case.objects.filter(status=Case.Status.OPEN)
    with_consent = Consent.objects.filter(case__in=open_cases)
    assert with_consent.count() >= open_cases.count() // 2
    for consent in with_consent.select_related("case"):
        assert consent.recipients and "school" in consent.recipients
        assert consent.expires_on > consent.given_at.date()
        assert consent.given_at >= consent.case.opened_at


def test_every_parent_has_a_keep_details_consent_and_search_tokens(loaded):
    for parent in Parent.objects.select_related("service"):
        consent = Consent.objects.get(parent=parent, case=None)
        assert consent.keeps_details
        assert consent.parent_was_told == parent.service.why_we_keep_statement
        assert consent.given_at == parent.created_at
        stored = set(ParentSearchToken.objects.filter(parent=parent).values_list("kind", "value"))
        assert stored == stored_tokens(parent)


def test_every_case_was_opened_by_the_person_working_on_it(loaded):
    for case in Case.objects.all():
        opened = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.OPENED)
        assert opened.by_id == case.opened_by_id and opened.at == case.opened_at
        assert list(cases_access.staff_on_case(case)) == [case.opened_by]
        assert Case.objects.visible_to(case.opened_by).filter(pk=case.pk).exists()
        if not case.is_open:
            closed = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CLOSED)
            assert closed.reason and closed.at == case.closed_at


def test_it_keeps_dates_in_order(loaded):
    now = timezone.now()
    cases = Case.objects.annotate(first=Min("contacts__occurred_at"), last=Max("contacts__occurred_at"))
    for case in cases:
        # the first call: when the case opened, or up to 60 days before (the wait statistics count)
        assert case.opened_at - timezone.timedelta(days=60) <= case.first <= case.opened_at
        assert case.last <= now
        if case.closed_at:
            assert case.last < case.closed_at <= now
    assert not Contact.objects.filter(occurred_at__gt=now).exists()
    for contact in Contact.objects.exclude(follow_up_on=None):
        assert contact.follow_up_on >= timezone.localdate(contact.occurred_at)


def test_nng_contacts_hold_nothing_personal(loaded):
    nng = Contact.objects.filter(case=None)
    assert nng.count() == 80  # 40% of 200
    assert not nng.exclude(notes="").exists()
    assert not nng.exclude(follow_up_on=None).exists()
    assert Contact.objects.count() == 200
    assert set(nng.values_list("service__short_name", flat=True)) == {"KWPPS", "TVPPS"}


def test_the_demo_caseworker_finds_a_demo_parent_by_surname(loaded):
    caseworker = User.objects.get(username="kw.caseworker")
    # Some demo parents give no email address (as some real ones do): take one who gave one.
    parent = next(p for p in Parent.objects.visible_to(caseworker) if p.email)
    assert parent.email.endswith(("@example.org", "@example.com"))
    assert parent.phone.startswith(("07700 900", "01632 960"))
    assert parent in find_parents(caseworker, parent.last_name)
    assert find_parents(User.objects.get(username="tv.caseworker"), parent.email) == []


def test_the_demo_caseworker_has_open_cases_and_contacts_today(loaded):
    caseworker = User.objects.get(username="kw.caseworker")
    assert Case.objects.visible_to(caseworker).open().count() >= 2
    today = Contact.objects.filter(logged_by=caseworker, occurred_at__date=timezone.localdate())
    assert today.exists()


def test_a_second_run_adds_nothing_and_prints_the_logins_again(loaded, logins_file):
    counts = [model.objects.count() for model in (Service, User, Parent, Case, Contact, ParentSearchToken)]
    again = load(logins_file)
    assert "already loaded" in again
    assert "kw.caseworker" in again and "tv.maintainer" in again
    assert [
        model.objects.count() for model in (Service, User, Parent, Case, Contact, ParentSearchToken)
    ] == counts


def test_the_logins_file_lists_every_account_with_a_password_that_works(loaded, logins_file):
    assert stat.S_IMODE(logins_file.stat().st_mode) == 0o600
    rows = [line.split() for line in demo.read_logins(logins_file).splitlines()[2:]]
    assert len(rows) == 18
    for *_, username, password, service, key in rows:
        user = User.objects.get(username=username)
        assert user.service.short_name == service
        assert len(password) >= 16 and user.check_password(password)
        assert otp.confirmed_device(user).verify_token(totp_code.code(key))
    assert all(password in loaded for *_, password, _, _ in rows)


def test_each_demo_service_has_a_policy_to_agree_to(loaded):
    from pps.models import ConfidentialityPolicy

    for service in demo.demo_services():
        policy = ConfidentialityPolicy.objects.get(service=service)
        assert "confidentiality policy" in policy.text


def test_it_refuses_to_reset_with_debug_off(loaded, logins_file, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        load(logins_file, "--reset")
    assert Service.objects.filter(name__in=demo.DEMO_SERVICE_NAMES).count() == 2


def test_reset_replaces_the_demo_data_and_the_logins(loaded, logins_file):
    old_password = demo.read_logins(logins_file).splitlines()[2].split()[-3]
    old_case_ids = set(Case.objects.values_list("pk", flat=True))
    load(logins_file, "--reset", "--yes-really")
    assert Service.objects.count() == 2 and User.objects.count() == 20  # 9 and a leaver each
    assert not Case.objects.filter(pk__in=old_case_ids).exists()
    assert demo.read_logins(logins_file).splitlines()[2].split()[-3] != old_password


def test_it_leaves_other_services_alone(db, logins_file, case):
    load(logins_file)
    load(logins_file, "--reset", "--yes-really")
    assert Case.objects.get(pk=case.pk).parent.last_name == "Jones"
    assert Parent.objects.filter(service=case.service).count() == 1


def test_the_demo_shows_corrections_a_moved_contact_and_account_histories(loaded):
    from auditlog import get_logentry_model

    from cases.models import Correction
    from staff.models import AccountEvent

    for service in demo.demo_services():
        corrected = Correction.objects.filter(parent__service=service)
        assert corrected.filter(kind=Correction.Kind.CONTACT).count() == 3
        assert corrected.filter(kind=Correction.Kind.PARENT).count() == 1
        assert all(c.at <= timezone.now() and c.reason for c in corrected)
        moved = CaseEvent.objects.filter(case__service=service, kind__startswith="contact_")
        assert sorted(moved.values_list("kind", flat=True)) == ["contact_in", "contact_out"]
        leaver = User.objects.get(service=service, username__endswith=".leaver")
        assert not leaver.is_active
        kinds = list(AccountEvent.objects.filter(member=leaver).order_by("at").values_list("kind", flat=True))
        assert kinds == ["added", "role_changed", "deactivated"]
        assert (
            AccountEvent.objects.filter(member__service=service, kind="added").count()
            == User.objects.filter(service=service).count()
        )
    # Loading is not audited: no entry by any demo member of staff.
    assert not get_logentry_model().objects.filter(actor__service__in=demo.demo_services()).exists()
