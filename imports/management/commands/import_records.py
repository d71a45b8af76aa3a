"""``manage.py import_records FILE --mapping MAPPING.json --by USERNAME``: the same import as the
Import records pages, from the command line; ``--resume ID`` carries on an interrupted one.

MAPPING.json (``imports/samples/mapping.json`` is the sample file's)::

    {
      "source": "Charitylog",
      "columns": {"parent_first_name": "First name", "contact_date": "Contact date", ...},
      "values": {"topic": {"SEN": "SEN support"}, "channel": {"Tel": "phone"}, ...}
    }

``columns`` maps the product's fields (listed in ``imports/values.py``) to the file's headers.
``values`` maps each old value to the service's topic or outcome *name*, or to a code for
channel, need, provision and consent (``none`` for not recorded), or to ``!refuse``. Values with
the same name as the service's are matched without being listed; any other value not listed
stops the command, naming it. Prints counts and row numbers only, never a cell's value.

Separate files of parents, cases and contacts linked by the old system's ids are imported one
command each, in that order, with the same ``source`` (``imports/samples/linked/``).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.http import Http404

from imports import services
from imports.models import ImportRun
from pps.models import User


class Command(BaseCommand):
    help = "Import a service's existing records from a CSV or XLSX file (see imports/samples/)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the CSV or XLSX file")
        parser.add_argument("--mapping", help="the mapping, as JSON (see imports/samples/mapping.json)")
        parser.add_argument("--by", help="username of the head of service or maintainer importing")
        parser.add_argument("--dry-run", action="store_true", help="preview only: write nothing")
        parser.add_argument("--resume", metavar="ID", help="resume the interrupted import ID")

    def handle(self, *args, **options):
        if options["resume"]:
            return self.resume(options["resume"])
        if not (options["file"] and options["mapping"] and options["by"]):
            raise CommandError("Give FILE, --mapping MAPPING.json and --by USERNAME (or --resume ID).")
        by = User.objects.filter(username=options["by"], is_active=True).first()
        if by is None:
            raise CommandError("No active user has that username.")
        try:
            spec = json.loads(Path(options["mapping"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"The mapping file cannot be read as JSON: {type(error).__name__}") from None
        try:
            with open(options["file"], "rb") as file:
                run = services.upload_file(by=by, source_name=spec.get("source", ""), file=file)
        except OSError:
            raise CommandError("The file cannot be opened.") from None
        except services.ImportError_ as error:
            raise CommandError(error.messages[0]) from None
        except Http404:
            raise CommandError("Only the head of service or a maintainer may import records.") from None
        try:
            run = services.set_column_mapping(by=by, run=run, mapping=spec.get("columns", {}))
            mapping = self.value_mapping(run, spec.get("values", {}))
            run = services.set_value_mapping(by=by, run=run, mapping=mapping)
        except services.ImportError_ as error:
            services.cancel(by=by, run=run)
            raise CommandError(error.messages[0]) from None
        self.print_preview(run)
        if options["dry_run"]:
            services.cancel(by=by, run=run)
            self.stdout.write("Dry run: nothing imported; the uploaded copy is deleted.")
            return
        with transaction.atomic():
            services.confirm(by=by, run=run, start=False)
        services.run_import(run.pk)  # here, not in a thread: the command waits for the end
        self.report(ImportRun.objects.get(pk=run.pk))

    def value_mapping(self, run, given: dict) -> dict:
        mapping = {key: dict(values) for key, values in run.value_mapping.items()}
        for key, olds in run.preview.get("values", {}).items():
            by_label = {}
            for value, label in services.choices_for(run.service, key):
                by_label[label.casefold()] = value
                by_label[str(value).casefold()] = value
            for old in olds:
                wanted = given.get(key, {}).get(old)
                if wanted is None:
                    continue
                if wanted == services.REFUSE:
                    mapping.setdefault(key, {})[old] = wanted
                    continue
                value = by_label.get(str(wanted).casefold())
                if value is None:
                    raise services.ImportError_(
                        f"The mapping's {key} value for one old value is not on the list."
                    )
                mapping.setdefault(key, {})[old] = value
        missing = services.unmapped_values(run, mapping)
        if missing:
            lines = "; ".join(f"{key}: {', '.join(repr(v) for v in olds)}" for key, olds in missing.items())
            raise services.ImportError_(f'Map these old values in the mapping\'s "values": {lines}')
        return mapping

    def print_preview(self, run):
        preview = run.preview
        self.stdout.write(
            f"Preview of import {run.pk}: {preview['rows']} rows; to create {preview['parents']} parents "
            f"({preview['parents_merged']} merged with parents already here), {preview['children']} "
            f"children, {preview['cases']} cases, {preview['contacts']} contacts; "
            f"{preview['already_imported']} imported before; {preview['refused']} refused."
        )
        for refusal in preview["refusals"][:20]:
            self.stdout.write(f"  row {refusal['row']}: {refusal['problem']}")

    def report(self, run):
        if run.status != ImportRun.Status.DONE:
            raise CommandError(f"{run.failure or 'The import stopped.'} Resume with --resume {run.pk}")
        self.stdout.write(
            f"Imported: {run.parents_created} parents created, {run.parents_merged} merged, "
            f"{run.children_created} children, {run.cases_created} cases, {run.contacts_created} contacts; "
            f"{run.rows_already_imported} rows imported before; {run.rows_refused} rows refused. "
            "The uploaded copy is deleted."
        )

    def resume(self, run_id):
        run = ImportRun.objects.filter(pk=run_id).select_related("uploaded_by").first()
        if run is None:
            raise CommandError("No import has that id.")
        if run.status != ImportRun.Status.QUEUED:  # a queued run (its thread never started) just runs
            try:
                with transaction.atomic():
                    services.resume(by=run.uploaded_by, run=run, start=False)
            except services.ImportError_ as error:
                raise CommandError(error.messages[0]) from None
        services.run_import(run.pk)
        self.report(ImportRun.objects.get(pk=run.pk))
