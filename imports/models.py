"""Imports of a service's existing records from an old system's CSV or XLSX files.

- ``ImportSource``: an old system a service imports from ("Charitylog", "our spreadsheet"), with
  the column and value mappings last used, offered again for the next file.
- ``ImportRun``: one uploaded file on its way in: mapping, preview, progress counters, and the
  report (counts and refused rows, by row number only) kept when the file itself is gone.
- ``ImportedRecord``: which record each old-system id became. Every row is keyed by
  (source, kind, old id), so importing the same file twice creates nothing twice, and an import
  interrupted half way picks up where it was.

Nothing here holds personal data in clear: the uploaded file is stored encrypted under the run's
own data key (``imports.storage``), and old ids that are not given by the file are keyed digests.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from imports.access import ImportRunQuerySet
from pps.encryption import OwnDataKeyModel
from pps.models import Service


class ImportSource(models.Model):
    """An old system (or spreadsheet) a service brings records in from."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("the old system's name", max_length=100)
    #: {product field: column header}, as last confirmed.
    column_mapping = models.JSONField(default=dict, blank=True)
    #: {field: {old value: product value}}, as last confirmed.
    value_mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="unique_import_source")]

    def __str__(self):
        return str(self.pk)


class ImportRun(OwnDataKeyModel):
    """One file being imported, then the report of its import."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Columns to map"
        MAPPED = "mapped", "Values to map"
        PREVIEWED = "previewed", "Ready to confirm"
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Stopped"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="runs")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)

    kind = models.CharField(max_length=4)  # csv or xlsx
    encoding = models.CharField(max_length=12, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    #: The file's column headers (no row values).
    headers = models.JSONField(default=list)
    #: The encrypted upload's name in ``settings.IMPORTS_DIR``; empty once deleted.
    stored_name = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    file_deleted_at = models.DateTimeField(null=True, blank=True)

    column_mapping = models.JSONField(default=dict, blank=True)
    value_mapping = models.JSONField(default=dict, blank=True)
    #: Counts from the preview: {"parents": n, "children": n, ...}.
    preview = models.JSONField(default=dict, blank=True)

    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Last time the worker saved progress: a run "running" with an old heartbeat was interrupted.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    #: Data rows handled so far (imported, merged, skipped or refused): where a resumed run starts.
    rows_done = models.PositiveIntegerField(default=0)
    parents_created = models.PositiveIntegerField(default=0)
    parents_merged = models.PositiveIntegerField(default=0)
    children_created = models.PositiveIntegerField(default=0)
    cases_created = models.PositiveIntegerField(default=0)
    contacts_created = models.PositiveIntegerField(default=0)
    rows_already_imported = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)
    #: [{"row": n, "problem": "..."}]: row numbers and problems, never a cell's value.
    refusals = models.JSONField(default=list, blank=True)
    #: Why a run stopped, in plain words (never a cell's value).
    failure = models.CharField(max_length=300, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return str(self.pk)

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED}


class ImportedRecord(models.Model):
    """The record an old system's id became: ``(source, kind, old_id)`` is imported once."""

    class Kind(models.TextChoices):
        PARENT = "parent", "Parent"
        CHILD = "child", "Child"
        CASE = "case", "Case"
        CONTACT = "contact", "Contact"

    source = models.ForeignKey(ImportSource, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    #: The old system's id, or (when the file gives none) a keyed digest of what identifies it.
    old_id = models.CharField(max_length=200)
    record_id = models.UUIDField()
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "old_id"], name="unique_imported_record")
        ]

    def __str__(self):
        return str(self.pk)
