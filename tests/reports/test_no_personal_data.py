"""R7, R15: on the demo data, no statistics page or export holds any of the demo's personal values:
names, phone numbers, emails, postcodes, addresses, schools, dates of birth, notes, summaries."""

import io
import json

import openpyxl
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Child, Contact, Parent
from consent.models import Referral
from demo import data as demo
from pps.models import Role, User
from reports import periods
from tests.conftest import client_for


def personal_values() -> set[str]:
    values = set()
    for parent in Parent.objects.all():
        values |= {parent.full_name, parent.phone, parent.email, parent.postcode}
        values |= set(parent.address.splitlines()[:1])
    for child in Child.objects.select_related("parent"):
        values |= {child.full_name, child.school}
        if child.date_of_birth:
            born = child.date_of_birth
            values |= {born.isoformat(), born.strftime("%d/%m/%Y"), f"{born.day} {born.strftime('%B %Y')}"}
    for contact in Contact.objects.select_related("case__parent").exclude(case=None):
        values.add(contact.notes)
    for case in Case.objects.select_related("parent"):
        values.add(case.summary)
    for referral in Referral.objects.exclude(data_key=""):
        values |= {referral.parent_name, referral.referrer_name, referral.referrer_organisation}
    staff = {user.get_full_name() for user in User.objects.all()}
    return {v for v in values if v and len(v) >= 6} - staff


def boundary_dates(chosen) -> set[str]:
    """The periods' own first and last days are printed on every page: not a child's birthday."""
    out = set()
    for period in chosen:
        for day in (period.start, period.end, period.previous().start, period.previous().end):
            out |= {day.isoformat(), day.strftime("%d/%m/%Y"), f"{day.day} {day.strftime('%B %Y')}"}
    return out


def xlsx_text(content: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)


def test_no_statistics_page_or_export_holds_personal_data(db):
    demo.load(parents=50, contacts=600)
    secrets = personal_values()
    assert len(secrets) > 200
    today = timezone.localdate()
    chosen = [
        periods.current_financial_year(today),
        periods.current_academic_year(today).previous(),
        periods.month_starting(today.replace(day=1)),
    ]
    secrets -= boundary_dates(chosen)
    texts = []
    for service in demo.demo_services():
        for role in (Role.COORDINATOR, Role.HEAD_OF_SERVICE):
            user = User.objects.filter(service=service, role=role).first()
            client = client_for(user)
            for period in chosen:
                texts.append(
                    client.get(reverse("reports:statistics"), {"period": period.token}).content.decode()
                )
                for fmt in ("csv", "json", "print", "xlsx"):
                    response = client.post(
                        reverse("reports:statistics_export"), {"period": period.token, "format": fmt}
                    )
                    assert response.status_code == 200
                    content = b"".join(response.streaming_content) if response.streaming else response.content
                    texts.append(xlsx_text(content) if fmt == "xlsx" else content.decode())
                # the exports are limited to five a minute: start the next period afresh
                from reports.models import StatisticsExport

                StatisticsExport.objects.filter(requested_by=user).update(
                    requested_at=timezone.now() - timezone.timedelta(minutes=2)
                )
    json.loads(texts[2])  # the data file is JSON
    everything = "\n".join(texts)
    assert "No name given (NNG)" in everything
    found = sorted(v for v in secrets if v in everything)
    assert found == []
