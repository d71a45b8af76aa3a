"""A record of every statistics export (R8, R15): who, which tables, which period, which rule."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from reports.access import StatisticsExportQuerySet


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


class DailyCount(models.Model):
    """A summary of contacts and cases for statistics (R15): how many of one code on one day
    (``grain`` "d") or in one month (``grain`` "m", ``day`` its first day), for one service.

    ``figure`` names what is counted ("channel", "topic", "opened_level", ...; see
    ``reports.summaries``) and ``code`` the value (a channel, a topic's id, a level). Kept up to
    date by ``reports.summaries`` in the same transaction as the contact or case counted (the
    hooks of ``cases.figures``); rebuilt from the records by ``manage.py rebuild_statistics``.
    Codes only: nothing personal, nothing encrypted.
    """

    service = models.ForeignKey("pps.Service", on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=1)
    day = models.DateField()
    figure = models.CharField(max_length=16)
    code = models.CharField(max_length=40, blank=True)
    n = models.IntegerField(default=0)
    minutes = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "grain", "day", "figure", "code"], name="daily_count_key"
            )
        ]
        indexes = [
            # Not covering (no INCLUDE of n and minutes): the counts change at every contact,
            # and a change to no indexed column is a heap-only update (with the table's free
            # space, ``reports.0003``) that adds no index entries. Otherwise every update adds
            # one to each index, and the month rows, updated by every write, pile up versions
            # that each later update has to step over.
            models.Index(fields=["grain", "service", "day"], name="daily_count_read"),
            models.Index(fields=["grain", "figure", "service", "day"], name="daily_count_figure"),
        ]

    def __str__(self):
        return f"{self.figure}={self.code}"


class Reached(models.Model):
    """One person (or case) reached in one named period, for the distinct counts (R15): each
    parent, child, and case where the young person was in touch, once per financial year,
    academic year, quarter and month in which they had a contact (``grain`` "fy", "ay", "q",
    "m"; ``period`` its first day).

    Distinct people cannot be added up from daily counts, so they are kept as sets: counting a
    period's rows counts each person once. ``first_at`` and the codes are those of the person's
    first contact in the period (a child's school phase, need and provision as recorded then);
    ``since`` is when a parent's first case opened (new or returning). ``subject`` is the id of
    the parent, child or case: an id, not personal data, and never shown.
    """

    class Kind(models.TextChoices):
        PARENT = "parent", "Parent"
        CHILD = "child", "Child"
        YOUNG = "young", "Case with the young person in touch"

    service = models.ForeignKey("pps.Service", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    subject = models.UUIDField()
    grain = models.CharField(max_length=2)
    period = models.DateField()
    first_at = models.DateTimeField()
    since = models.DateTimeField(null=True)
    phase = models.CharField(max_length=12, blank=True)
    need = models.CharField(max_length=4, blank=True)
    provision = models.CharField(max_length=12, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject", "grain", "period"], name="reached_key")
        ]
        indexes = [
            models.Index(
                fields=["grain", "period", "service"],
                name="reached_read",
                include=["kind", "since", "phase", "need", "provision"],
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.grain} {self.period}"
