"""``manage.py import_records``, the sample file and the template that ship with the product."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases.models import Case, Contact, Parent
from imports import services
from imports.models import ImportRun
from imports.values import FIELD_KEYS
from tests.imports.helpers import csv_bytes, previewed, row, upload

SAMPLES = Path(services.__file__).parent / "samples"


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("import_records", *args, stdout=out)
    return out.getvalue()


def test_the_sample_file_imports_from_the_command_line(head):
    args = [str(SAMPLES / "sample.csv"), "--mapping", str(SAMPLES / "mapping.json"), "--by", head.username]
    output = run_command(*args)
    assert "to create 4 parents" in output and "7 contacts" in output
    assert "row 7: The contact date looks month first" in output
    assert "row 8: The time spent is missing." in output
    assert (
        "Imported: 4 parents created" in output
        and "7 contacts; 0 rows imported before; 2 rows refused" in output
    )
    assert (Parent.objects.count(), Contact.objects.count()) == (4, 7)
    barnaby = Case.objects.get(
        reference__in=[c.reference for c in Case.objects.all()], consent_not_recorded=True
    )
    assert barnaby.parent.last_name == "Fettiplace" and barnaby.status == Case.Status.CLOSED
    again = run_command(*args)
    assert "0 parents created" in again and "7 rows imported before" in again
    assert Contact.objects.count() == 7
    for name in ("Quarrender", "Fettiplace", "Peregrine", "07700"):
        assert name not in output + again  # counts and row numbers only


def test_a_value_the_mapping_does_not_cover_is_named_and_nothing_imported(head, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        (SAMPLES / "mapping.json").read_text().replace('"Blue badge": "Transport"', '"x": "y"')
    )
    with pytest.raises(CommandError, match="'Blue badge'"):
        run_command(str(SAMPLES / "sample.csv"), "--mapping", str(mapping), "--by", head.username)
    assert not Parent.objects.exists()
    assert ImportRun.objects.get().status == ImportRun.Status.CANCELLED


def test_only_an_importer_may_run_it(caseworker):
    args = [
        str(SAMPLES / "sample.csv"),
        "--mapping",
        str(SAMPLES / "mapping.json"),
        "--by",
        caseworker.username,
    ]
    with pytest.raises(CommandError, match="head of service or a maintainer"):
        run_command(*args)


def test_the_template_maps_itself(head):
    run = upload(head, (SAMPLES / "template.csv").read_bytes())
    assert sorted(run.column_mapping) == sorted(k for k in FIELD_KEYS if k != "parent_full_name")


def test_an_interrupted_import_resumes_from_the_command_line(head):
    run = previewed(head, csv_bytes([row()]))
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, heartbeat_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    output = run_command("--resume", str(run.pk))
    assert "Imported: 1 parents created" in output
    assert Contact.objects.count() == 1
