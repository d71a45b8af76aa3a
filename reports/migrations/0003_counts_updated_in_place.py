# The summary counts change in place: the read index no longer covers n and minutes, and on
# PostgreSQL the table keeps a third of each page free, so that updating a count is a heap-only
# (HOT) update that adds no index entries and leaves no version for the next update to step over.

from django.db import migrations, models


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE reports_dailycount SET (fillfactor = 70)")


def take_room_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE reports_dailycount RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_summary_tables")]

    operations = [
        migrations.RemoveIndex(model_name="dailycount", name="daily_count_read"),
        migrations.AddIndex(
            model_name="dailycount",
            index=models.Index(fields=["grain", "service", "day"], name="daily_count_read"),
        ),
        migrations.RunPython(leave_room, take_room_back),
    ]
