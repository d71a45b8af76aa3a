"""R7 need to know, from the outside: who reaches a case, and who does not."""

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
