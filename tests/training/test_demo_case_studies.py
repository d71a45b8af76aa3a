"""Case studies of the demo data: none holds any personal value of its household (R14).

Every case of a 20-household demo load (both services) is made into a case study, and its text is
searched for every value the system holds about the household, the other parent of a separated
family, and the service's staff.
"""

import re

import pytest

from cases.models import Case
from demo import data as demo
from pps.models import Role, User
from training import services
from training.anonymise import NAMES_THAT_ARE_WORDS


def _pattern(value: str):
    value = value.strip()
    flags = 0 if value.lower() in NAMES_THAT_ARE_WORDS else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", flags)


def personal_values(case) -> set[str]:
    parent = case.parent
    values = {parent.first_name, parent.last_name, parent.full_name, parent.email, parent.phone}
    values |= {parent.postcode, parent.postcode.split()[0], case.reference}
    values |= {line.strip() for line in re.split(r"[\n,]", parent.address) if line.strip()}
    values.add(re.sub(r"\D", "", parent.phone))
    for child in parent.children.all():
        values |= {child.first_name, child.last_name, child.full_name, child.school}
        values.add(re.sub(r"\s+Primary (?:School|Academy)$|\s+(?:School|Academy|College)$", "", child.school))
        if child.date_of_birth:
            values |= {child.date_of_birth.isoformat(), child.date_of_birth.strftime("%d/%m/%Y")}
    for member in User.objects.filter(service=case.service):
        values |= {member.first_name, member.last_name, member.get_full_name()}
    values |= {case.service.name, case.service.short_name}
    opened = case.opened_at.date()
    values |= {opened.isoformat(), opened.strftime("%d/%m/%Y"), f"{opened.day} {opened:%B %Y}"}
    return {value for value in values if value and len(value.strip()) >= 2}


@pytest.fixture
def demo_cases(db):
    demo.load(parents=20, contacts=240)
    return list(Case.objects.select_related("parent", "service").order_by("opened_at"))


def test_no_case_study_of_the_demo_data_holds_a_personal_value(demo_cases):
    assert len(demo_cases) >= 20
    leaks = []
    for case in demo_cases:
        senior = User.objects.get(service=case.service, role=Role.SENIOR_MANAGER)
        study = services.make_case_study(by=senior, case=case)
        text = study.content
        for value in personal_values(case):
            if _pattern(value).search(text):
                leaks.append((case.reference, value))
    assert leaks == []


def test_demo_case_studies_read_as_case_studies(demo_cases):
    case = max(demo_cases, key=lambda c: c.contacts.count())
    senior = User.objects.get(service=case.service, role=Role.SENIOR_MANAGER)
    study = services.make_case_study(by=senior, case=case).study
    assert study["family"].startswith("Parent A: ")
    assert "Child 1: " in study["family"]
    assert len(study["entries"]) == case.contacts.count() + case.events.count()
    assert all(entry["heading"] and entry["week"] >= 1 for entry in study["entries"])
