"""The menu keeps to the daily work; what looks after the service is on "Manage the service",
gathered from the apps that own it, each entry only for those its page lets in."""

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for

MANAGE = reverse("manage")


def menu_of(page: str) -> list[str]:
    nav = page.split('aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
    return [
        re.sub(r"<[^>]+>|\s+", " ", link).strip() for link in re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S)
    ]


def entries_on(page: str) -> list[str]:
    main = page.split('id="main-content"', 1)[1]
    return re.findall(
        r'<h2 class="govuk-heading-m[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)</a>', main
    )


def test_the_head_of_service_manages_everything_from_one_page(head):
    client = client_for(head)
    page = client.get(MANAGE).content.decode()
    assert entries_on(page) == [
        "Staff",
        "Staff accounts",
        "Lists",
        "Letters",
        "Import records",
        "Confidentiality policy",
        "Service settings",
    ]
    menu = menu_of(client.get(reverse("cases:dashboard")).content.decode())
    assert "Manage" in menu
    assert not {"Staff", "Lists", "Letters", "Import records", "Staff accounts"} & set(menu)
    assert len(menu) <= 9


def test_a_senior_manager_gets_what_their_pages_let_them_do(non_lead_senior):
    page = client_for(non_lead_senior).get(MANAGE).content.decode()
    entries = entries_on(page)
    assert {"Staff", "Lists", "Letters"} <= set(entries)
    assert "Import records" not in entries and "Service settings" not in entries
    for entry in re.findall(r'<h2 class="govuk-heading-m[^"]*"><a class="govuk-link" href="([^"]+)"', page):
        assert client_for(non_lead_senior).get(entry).status_code in {200, 302}, (
            entry
        )  # 302: confirm it is you


def test_a_maintainer_gets_staff_accounts_and_imports_and_nothing_about_cases(maintainer):
    client = client_for(maintainer)
    assert entries_on(client.get(MANAGE).content.decode()) == ["Staff accounts", "Import records"]
    assert menu_of(client.get(reverse("cases:dashboard")).content.decode()) == ["Dashboard", "Manage"]


@pytest.mark.parametrize("persona", ["caseworker", "volunteer", "coordinator"])
def test_people_with_nothing_to_manage_get_404_and_no_manage_in_their_menu(request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(MANAGE).status_code == 404
    assert "Manage" not in menu_of(
        client.get(reverse("cases:dashboard")).content.decode() + 'aria-label="Menu"</nav>'
    )


def test_the_menu_marks_manage_on_the_pages_under_it(head):
    page = client_for(head).get(reverse("cases:reference_data")).content.decode()
    nav = page.split('aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'href="/manage/" aria-current="true">\s*<strong[^>]*>Manage</strong>', nav)


def test_signing_in_is_needed(client):
    response = client.get(MANAGE)
    assert response.status_code == 302 and reverse("login") in response.url
