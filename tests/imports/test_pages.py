"""The import pages, as the head of service and a maintainer use them."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import imports
from cases.models import Case, Parent
from imports import storage
from imports.models import ImportRun
from tests.conftest import client_for
from tests.imports.helpers import MAPPING, csv_bytes, imported, row


def post_file(client, data: bytes, name="records.csv", source="Charitylog"):
    return client.post(
        reverse("imports:import_list"), {"source": source, "file": SimpleUploadedFile(name, data)}
    )


def test_the_head_of_service_uploads_maps_previews_and_imports(head, settings):
    client = client_for(head)
    response = post_file(client, csv_bytes([row(), row(**{"Contact ID": "T2", "Topic": "Blue badge"})]))
    run = ImportRun.objects.get()
    assert response.url == reverse("imports:import_columns", args=[run.pk])
    stored = storage.folder() / run.stored_name
    assert b"Ottoline" not in stored.read_bytes()  # encrypted as it arrived

    page = client.get(response.url).content.decode()
    assert "Ottoline" in page  # the head of service sees the first rows
    assert 'value="Surname" selected' in page  # guessed from the header

    response = client.post(response.url, {**MAPPING, "notes": ""})
    assert response.url == reverse("imports:import_values", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "Not matched" in page and "“Blue badge” becomes" in page

    run.refresh_from_db()
    form = {}
    for key, olds in run.preview["values"].items():
        for number, old in enumerate(olds):
            form[f"{key}__{number}"] = run.value_mapping.get(key, {}).get(old, "")
    response = client.post(reverse("imports:import_values", args=[run.pk]), form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Choose what the topic “Blue badge” becomes." in page

    transport = next(pk for pk, name in _topics(run) if name == "Transport")
    blue = next(f"topic__{n}" for n, old in enumerate(run.preview["values"]["topic"]) if old == "Blue badge")
    consent = next(f"consent__{n}" for n, old in enumerate(run.preview["values"]["consent"]) if old == "Yes")
    form.update({blue: transport, consent: "oral_phone"})
    response = client.post(reverse("imports:import_values", args=[run.pk]), form)
    assert response.url == reverse("imports:import_preview", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert 'data-count="parents">1<' in page and 'data-count="contacts">2<' in page

    response = client.post(reverse("imports:import_confirm", args=[run.pk]))
    assert response.url == reverse("imports:import_detail", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "Import finished" in page and 'data-count="contacts">2<' in page
    assert Parent.objects.get().last_name == "Quarrender"
    assert not stored.exists()


def _topics(run):
    from imports.services import choices_for

    return choices_for(run.service, "topic")


def test_a_maintainer_maps_by_headers_alone(maintainer):
    client = client_for(maintainer)
    post_file(client, csv_bytes([row()]))
    run = ImportRun.objects.get()
    page = client.get(reverse("imports:import_columns", args=[run.pk])).content.decode()
    assert "Surname" in page
    for value in ("Ottoline", "Quarrender", "07700 900456", "Peregrine"):
        assert value not in page


def test_others_may_not_import_or_reach_an_import(head, senior, caseworker, maintainer, outsider):
    run = imported(head, csv_bytes([row()]))
    for person in (senior, caseworker, outsider, maintainer):
        client = client_for(person)
        # A maintainer may import, but reaches only the imports they uploaded.
        assert client.get(reverse("imports:import_list")).status_code == (
            200 if person == maintainer else 404
        )
        assert client.get(reverse("imports:import_detail", args=[run.pk])).status_code == 404


def test_a_bad_file_is_refused_on_the_page_keeping_what_was_typed(head):
    client = client_for(head)
    response = post_file(client, b"PK\x03\x04 not a workbook", name="records.xlsx", source="Lamplight")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "not a readable Excel workbook" in page
    assert 'value="Lamplight"' in page
    assert not ImportRun.objects.exists()
    assert not list(storage.folder().iterdir())  # nothing of it kept


def test_a_file_too_large_is_refused(head, settings):
    settings.IMPORTS_MAX_UPLOAD_BYTES = 100
    response = post_file(client_for(head), csv_bytes([row()] * 5))
    assert "The file must be smaller than" in response.content.decode()
    assert not list(storage.folder().iterdir())


def test_the_dashboard_lists_imported_cases_without_consent_until_it_is_recorded(head, senior):
    imported(head, csv_bytes([row(**{"GDPR consent": ""})]))
    case = Case.objects.get()
    client = client_for(senior)
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert "Consent to keep details not recorded in the old system" in page
    url = reverse("imports:consent_record", args=[case.pk])
    assert url in page
    response = client.post(url, {"method": "oral_phone"})
    assert "Confirm that the parent was told" in response.content.decode()
    response = client.post(url, {"method": "oral_phone", "told": "on"})
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    case.refresh_from_db()
    assert not case.consent_not_recorded
    assert "not recorded in the old system" not in client.get(reverse("cases:dashboard")).content.decode()


def test_progress_page_refreshes_while_running_and_offers_resume_when_interrupted(head):
    from django.utils import timezone

    run = imported(head, csv_bytes([row()]))
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, heartbeat_at=timezone.now())
    client = client_for(head)
    page = client.get(reverse("imports:import_detail", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "<progress" in page
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timezone.timedelta(hours=1))
    page = client.get(reverse("imports:import_detail", args=[run.pk])).content.decode()
    assert "Resume the import" in page and 'http-equiv="refresh"' not in page


def test_recording_the_consent_records_the_case_once(caseworker, case):
    from tests.pps.test_one_entry_per_record import assert_each_record_once

    url = reverse("imports:consent_record", args=[case.pk])
    form = {"method": "oral_phone", "told": "on"}
    written = assert_each_record_once(caseworker, client_for(caseworker), url, form)
    assert [how for _, _, how in written] == ["record consent to keep details"]


def test_each_import_page_records_the_import_once(head):
    from tests.pps.test_every_url import access_entries_of_one_request

    run = imported(head, csv_bytes([row()]))
    client = client_for(head)
    for name in ("import_detail", "import_columns", "import_values", "import_preview"):
        response, written = access_entries_of_one_request(
            head, lambda name=name: client.get(reverse(f"imports:{name}", args=[run.pk]))
        )
        assert response.status_code == 200
        assert [(pk, how.split()[0]) for _, pk, how in written] == [(str(run.pk), "import")]


def sample(name):
    return f"{reverse('imports:sample_file')}?name={name}"


def test_the_upload_page_offers_the_template_and_the_samples_to_download(head, maintainer, caseworker):
    page = client_for(head).get(reverse("imports:import_list")).content.decode()
    for name in ["template", "sample", "linked-parents", "linked-cases", "linked-contacts"]:
        assert f'href="{sample(name)}"' in page
    samples = Path(imports.__file__).resolve().parent / "samples"
    for user in (head, maintainer):
        response = client_for(user).get(sample("linked-cases"))
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="linked-cases.csv"'
        assert b"".join(response.streaming_content) == (samples / "linked" / "cases.csv").read_bytes()
    template = client_for(head).get(sample("template"))
    assert template["Content-Disposition"] == 'attachment; filename="template.csv"'
    assert client_for(head).get(sample("../settings")).status_code == 404
    # Only those who may import: anyone else is told nothing is there.
    assert client_for(caseworker).get(sample("template")).status_code == 404
