"""Staff read and agree to their service's current confidentiality policy before they reach any
record; a new version must be agreed again (R17)."""

import pytest
from auditlog import get_logentry_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from pps import services
from pps.models import ConfidentialityPolicy, PolicyAgreement
from tests.conftest import client_for
from tests.factories import make_case
from tests.pps import test_every_url as walk

records = walk.records  # the walk's fixture: one record of each kind
#: The pages open before agreeing: the sign-in steps and the policy itself.
STEPS = {
    "login",
    "logout",
    "otp_verify",
    "otp_setup",
    "otp_enrol",
    "otp_backup",
    "session_unlock",
    "policy_agree",
}


def test_someone_who_has_not_agreed_is_sent_from_a_case_page_to_the_policy(caseworker, case):
    client = client_for(caseworker, agreed=False)
    page = reverse("cases:case_detail", args=[case.pk])
    response = client.get(page)
    assert response.status_code == 302
    assert response.url == f"{reverse('policy_agree')}?next={page.replace('/', '%2F')}"
    policy_page = client.get(response.url).content.decode()
    assert "Confidentiality policy" in policy_page
    assert "Everything a parent tells us stays within the service" in policy_page
    assert "I have read and agree" in policy_page
    assert case.parent.full_name not in policy_page and case.reference not in policy_page


def test_after_agreeing_the_case_page_opens_and_the_agreement_is_recorded(caseworker, case):
    client = client_for(caseworker, agreed=False)
    page = reverse("cases:case_detail", args=[case.pk])
    policy = ConfidentialityPolicy.objects.get(service=caseworker.service)
    response = client.post(reverse("policy_agree"), {"policy": policy.pk, "next": page})
    assert response.url == page
    assert client.get(page).status_code == 200
    agreement = PolicyAgreement.objects.get(user=caseworker, policy=policy)
    entry = get_logentry_model().objects.get_for_object(agreement).get()
    assert entry.actor == caseworker
    assert entry.object_repr == str(agreement.pk)


def test_a_new_version_must_be_agreed_again(caseworker, senior, case):
    client = client_for(caseworker)
    page = reverse("cases:case_detail", args=[case.pk])
    assert client.get(page).status_code == 200
    new = services.publish_policy(senior, caseworker.service, "Version two: also no names in emails.")
    assert new.version == 2

    response = client.get(page)
    assert response.url.startswith(reverse("policy_agree"))
    assert "Version two" in client.get(response.url).content.decode()
    client.post(reverse("policy_agree"), {"policy": new.pk})
    assert client.get(page).status_code == 200


def test_a_version_saved_any_other_way_is_asked_for_too_and_its_deletion_undone(caseworker, service):
    """The person's agreement is asked of the service's newest version (``Service.current_policy``,
    kept when any version is saved or deleted: published, or through the admin)."""
    from django.utils import timezone

    client = client_for(caseworker)
    page = reverse("cases:case_detail", args=[make_case(caseworker).pk])
    assert client.get(page).status_code == 200
    newer = ConfidentialityPolicy.objects.create(
        service=service, version=2, text="Version two, by the admin.", published_at=timezone.now()
    )
    assert client.get(page).url.startswith(reverse("policy_agree"))
    newer.delete()  # the one agreed to is the newest again
    assert client.get(page).status_code == 200
    service.refresh_from_db()
    assert service.current_policy == ConfidentialityPolicy.objects.get(service=service)


def test_agreeing_to_a_version_that_was_replaced_meanwhile_does_not_count(caseworker, senior):
    client = client_for(caseworker, agreed=False)
    old = ConfidentialityPolicy.objects.get(service=caseworker.service)
    new = services.publish_policy(senior, caseworker.service, "Version two.")
    response = client.post(reverse("policy_agree"), {"policy": old.pk})
    assert response.status_code == 200
    assert "Version two." in response.content.decode()
    assert not PolicyAgreement.objects.filter(user=caseworker, policy=new).exists()


def test_every_page_but_the_sign_in_steps_asks_for_agreement_first(caseworker, records):
    def check(named):
        name, pattern = named
        if name in STEPS:
            return None
        client = client_for(caseworker, agreed=False)
        url = walk.url_for(name, pattern, records)
        response = client.get(url)
        if response.status_code != 302 or not response.url.startswith(reverse("policy_agree")):
            return f"GET {name} answered {response.status_code} without asking for agreement"
        # A form sent meets the policy page itself, carrying what was typed (nothing is done yet).
        response = client.post(url, {"field": "typed"})
        page = response.content.decode()
        if response.status_code != 200 or "I have read and agree" not in page:
            return f"POST {name} answered {response.status_code} without the policy page"
        if 'name="carry:field" value="typed"' not in page:
            return f"POST {name}: what was typed is not carried"
        return None

    problems = walk.each_in_its_own_savepoint(check, walk.PATTERNS)
    assert not problems, "\n".join(problems)


def test_only_senior_staff_of_the_service_publish_it(caseworker, senior, outsider, service):
    with pytest.raises(PermissionDenied):
        services.publish_policy(caseworker, service, "Mine now.")
    with pytest.raises(PermissionDenied):
        services.publish_policy(outsider, service, "Theirs now.")
    assert ConfidentialityPolicy.objects.filter(service=service).count() == 1


def test_staff_agree_only_to_their_own_services_policy(outsider, service):
    with pytest.raises(PermissionDenied):
        services.agree_to_policy(outsider, ConfidentialityPolicy.objects.get(service=service))


def test_a_service_with_no_policy_yet_asks_nothing(caseworker, service):
    ConfidentialityPolicy.objects.filter(service=service).delete()
    client = client_for(caseworker, agreed=False)
    assert client.get(reverse("cases:dashboard")).status_code == 200


def test_a_contact_sent_just_after_a_new_version_is_not_lost(caseworker, senior, case, service):
    from cases.models import Contact
    from tests.cases.test_case_work import contact_form
    from tests.pps.test_session_limits import hidden_fields

    client = client_for(caseworker)
    url = reverse("cases:case_contact_log", args=[case.pk])
    note = 'Parent worried about the "annual review".\nCall back Tuesday.'
    services.publish_policy(senior, service, "Version two: the same promises, said more plainly.")
    stopped = client.post(url, contact_form(service, notes=note))
    page = stopped.content.decode()
    assert stopped.status_code == 200
    assert "Version two" in page and "What you were saving has not been saved yet" in page
    assert not Contact.objects.filter(case=case).exists()

    fields = dict(hidden_fields(page))
    assert fields["next"] == url and fields["carry:notes"] == note
    agreed = client.post(reverse("policy_agree"), fields)
    resend = agreed.content.decode()
    assert "you have agreed to the confidentiality policy" in resend and f'action="{url}"' in resend
    assert client.post(url, dict(hidden_fields(resend))).status_code == 302
    assert Contact.objects.get(case=case).notes == note
