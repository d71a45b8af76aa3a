"""A record of every statistics export (R8, R15): who, which tables, which period, which rule."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class StatisticsExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        from reports.access import exports_visible_to

        return exports_visible_to(user, self)


class StatisticsExport(models.Model):
    """One export of the statistics (CSV, XLSX, data file or printable report).

    It holds no figures, only what was asked for: the audit log's CREATE entry for it says who
    exported which tables for which period under which suppression settings.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"
        JSON = "json", "Data file (JSON)"
        PRINT = "print", "Printable report"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey("pps.Service", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    format = models.CharField(max_length=5, choices=Format.choices)
    period_kind = models.CharField(max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    tables = models.JSONField(default=list)
    settings = models.JSONField(default=dict)

    objects = StatisticsExportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["requested_by", "requested_at"], name="export_by_at")]

    def __str__(self):
        return str(self.pk)
