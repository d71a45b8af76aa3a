"""R7 need to know, from the outside: who reaches a case, and who does not."""

from contextlib import nullcontext

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from guardian.shortcuts import assign_perm

from cases.models import Case
from tests.conftest import client_for
from tests.factories import make_case


def can_open(user, case) -> bool:
    return client_for(user).get(reverse("cases:case_detail", args=[case.pk])).status_code == 200


def test_a_group_object_permission_opens_the_case(second_caseworker, case):
    team = Group.objects.create(name="Tuesday duty team")
    second_caseworker.groups.add(team)
    assert not can_open(second_caseworker, case)
    assign_perm("cases.view_case", team, case)
    assert can_open(second_caseworker, case)
    assert list(Case.objects.visible_to(second_caseworker)) == [case]


def test_a_model_wide_permission_grants_nothing(second_caseworker, case):
    second_caseworker.user_permissions.add(Permission.objects.get(codename="view_case"))
    assert not can_open(second_caseworker, case)
    assert not Case.objects.visible_to(second_caseworker).exists()


def test_a_superuser_flag_grants_nothing(second_caseworker, case):
    second_caseworker.is_superuser = True
    second_caseworker.save()
    assert not can_open(second_caseworker, case)


def test_a_permission_on_another_case_does_not_leak(caseworker, second_caseworker, case):
    own = make_case(second_caseworker)
    assert set(Case.objects.visible_to(second_caseworker)) == {own}
    assert set(Case.objects.visible_to(caseworker)) == {case}


def test_a_closed_account_reaches_nothing(caseworker, case):
    caseworker.is_active = False
    caseworker.save()
    assert not Case.objects.visible_to(caseworker).exists()


def test_a_senior_reaches_every_case_of_their_service_but_not_another(senior, case, outsider):
    foreign = make_case(outsider)
    assert can_open(senior, case)
    assert not can_open(senior, foreign)


def test_a_deleted_case_takes_its_permissions_with_it(caseworker, case):
    from cases.models import CaseUserObjectPermission

    assert CaseUserObjectPermission.objects.filter(content_object=case).exists()
    case_pk = case.pk
    case.contacts.all().delete()
    case.events.all().delete()
    case.delete()
    assert not CaseUserObjectPermission.objects.filter(content_object_id=case_pk).exists()


def put_in_state(state: str, user, case) -> None:
    """The case or the person as ``state`` says: "open" (as made), "closed" or "destroyed",
    reached "through a group" (given the case's permission as a team), or "account closed"."""
    if state in ("closed", "destroyed"):
        Case.objects.filter(pk=case.pk).update(status=state)
        case.refresh_from_db()
    elif state == "through a group":
        team = Group.objects.create(name="Duty team")
        user.groups.add(team)
        assign_perm("cases.view_case", team, case)
    elif state == "account closed":
        user.is_active = False
        user.save()


PEOPLE = [
    "caseworker",
    "second_caseworker",
    "volunteer",
    "senior",
    "head",
    "coordinator",
    "maintainer",
    "outsider",
]


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("state", ["open", "closed", "destroyed", "through a group", "account closed"])
@pytest.mark.parametrize("in_a_request", [False, True], ids=["outside a request", "inside a request"])
def test_a_service_function_reaches_a_fetched_case_exactly_as_the_database_says(
    request, person, state, in_a_request
):
    """The getter asks of one case (``visible_for_one``) and ``require_case`` answers
    from what the request has read (the case, the reach); both must give the list's answer
    (``visible_to``) for every kind of person and case."""
    from django.http import Http404

    from cases import access as cases_access
    from pps import request_scope

    user = request.getfixturevalue(person)
    case = request.getfixturevalue("case")
    put_in_state(state, user, case)
    expected = Case.objects.visible_to(user).filter(pk=case.pk).exists()
    with request_scope.request_scope() if in_a_request else nullcontext():
        try:  # a page's getter: the case alone, its permission asked in the same query
            fetched = cases_access.get_case_for_user(user, case.pk) == case
        except Http404:
            fetched = False
        if in_a_request:
            list(Case.objects.visible_to(user))  # the reach read once, as a list page reads it
        try:
            cases_access.require_case(user, case)
            reached = True
        except Http404:
            reached = False
    assert reached == fetched == expected
    assert expected == (
        state not in ("destroyed", "account closed")
        and person in ("caseworker", "senior", "head")
        or (state == "through a group" and person in ("second_caseworker", "volunteer"))
    )


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("state", ["open", "destroyed", "through a group", "account closed"])
@pytest.mark.parametrize("fetched_first", [False, True], ids=["case not fetched", "case fetched"])
def test_a_cases_records_are_those_the_list_rule_gives(request, person, state, fetched_first):
    """``records_on_case`` (a case page's consents, disclosures, statements, documents) skips
    asking for the reach when the request knows it; it must give what ``visible_to`` gives, a
    child-protection referral included (R6: only designated leads), for everyone."""
    from django.http import Http404
    from django.utils import timezone

    from cases import access as cases_access
    from consent import services as consent_services
    from consent.models import Consent, Disclosure, Recipient
    from pps import request_scope

    senior = request.getfixturevalue("senior")
    user = request.getfixturevalue(person)
    case = request.getfixturevalue("case")
    consent = consent_services.record_consent(
        by=senior,
        case=case,
        method=Consent.Method.ORAL_PHONE,
        parent_was_told="What we share and why",
        recipients=[Recipient.SCHOOL],
    )
    for basis in ("consent", "child_protection"):
        disclosure = consent_services.record_disclosure(
            by=senior,
            case=case,
            what="The plan",
            recipient=Recipient.SCHOOL,
            organisation="School",
            when=timezone.now(),
            how=Disclosure.How.PHONE,
            basis=Disclosure.Basis.CONSENT,
            consent=consent,
        )
        Disclosure.objects.filter(pk=disclosure.pk).update(basis=basis)
    put_in_state(state, user, case)
    for records in (Consent.objects, Disclosure.objects):
        expected = set(records.visible_to(user).filter(case=case))
        with request_scope.request_scope():
            if fetched_first:
                try:
                    cases_access.get_case_for_user(user, case.pk)
                except Http404:
                    pass
            assert set(cases_access.records_on_case(records, user, case)) == expected
    shown = set(cases_access.records_on_case(Disclosure.objects, user, case))
    may_reach = Case.objects.visible_to(user).filter(pk=case.pk).exists()
    assert len(shown) == (0 if not may_reach else 2 if user.is_safeguarding_lead else 1)
