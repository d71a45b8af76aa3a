"""Two people editing the same parent (or child): the second save does not silently revert the
first one's change; they see what changed and decide, keeping what they typed (issue 10, item 4)."""

import html

import pytest
from django.urls import reverse

from cases import services
from cases.models import Child, Parent
from tests.conftest import client_for


def parent_data(parent, **changes):
    data = {
        "first_name": parent.first_name,
        "last_name": parent.last_name,
        "phone": parent.phone,
        "email": parent.email,
        "address": parent.address,
        "postcode": parent.postcode,
        "preferred_contact": parent.preferred_contact,
        "parental_responsibility": parent.parental_responsibility,
        "version": parent.version,
        "correction_reason": "Details changed on the call",
    }
    if parent.detailed_message_ok:
        data["detailed_message_ok"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def both(caseworker, senior, case):
    """The caseworker and a senior manager both open the parent's edit page."""
    return client_for(caseworker), client_for(senior), Parent.objects.get(pk=case.parent.pk)


def test_the_second_save_does_not_silently_revert_the_first(both, case):
    first, second, opened = both
    url = reverse("cases:parent_edit", args=[case.parent.pk])
    assert not opened.detailed_message_ok
    # Both opened the form on the same version; the first says a detailed message may be left.
    assert first.post(url, parent_data(opened, detailed_message_ok="on")).status_code == 302
    # The second, from the old version, changes only the phone number.
    response = second.post(url, parent_data(opened, phone="07700 900999"))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Someone else changed these details while you were editing" in page
    assert "What is saved now" in page
    assert "07700 900999" in page  # what they typed is kept
    saved = Parent.objects.get(pk=case.parent.pk)
    assert saved.detailed_message_ok and saved.phone == opened.phone  # nothing was overwritten
    assert f'name="version" value="{saved.version}"' in page

    # Having seen it, they save again (now from the current version), keeping the first change.
    again = second.post(url, parent_data(saved, phone="07700 900999"))
    assert again.status_code == 302
    saved = Parent.objects.get(pk=case.parent.pk)
    assert saved.detailed_message_ok and saved.phone == "07700 900999"


def test_the_conflict_names_the_answer_that_differs(both, case):
    first, second, opened = both
    url = reverse("cases:parent_edit", args=[case.parent.pk])
    first.post(url, parent_data(opened, detailed_message_ok="on"))
    page = html.unescape(second.post(url, parent_data(opened)).content.decode())
    conflict = page.split('id="edit-conflict"', 1)[1].split("</dl>", 1)[0]
    assert "detailed message" in conflict.lower() and "Yes" in conflict


def test_two_saves_from_the_same_version_cannot_both_pass(caseworker, senior, case):
    a = Parent.objects.get(pk=case.parent.pk)
    b = Parent.objects.get(pk=case.parent.pk)
    a.phone = "07700 900111"
    services.update_parent(by=caseworker, parent=a, based_on=1)
    b.phone = "07700 900222"
    with pytest.raises(services.EditConflict):
        services.update_parent(by=senior, parent=b, based_on=1)
    assert Parent.objects.get(pk=case.parent.pk).phone == "07700 900111"


def test_a_childs_details_are_protected_the_same_way(caseworker, senior, case):
    child = case.parent.children.get()
    url = reverse("cases:child_edit", args=[child.pk])
    data = {
        "first_name": child.first_name,
        "provision": child.provision,
        "version": child.version,
        "correction_reason": "Checked with the parent",
    }
    assert client_for(caseworker).post(url, {**data, "need": "SEMH"}).status_code == 302
    response = client_for(senior).post(url, {**data, "need": "ASD", "school": "Oak Primary"})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Someone else changed these details" in page
    assert "Oak Primary" in page
    assert Child.objects.get(pk=child.pk).need == "SEMH"
