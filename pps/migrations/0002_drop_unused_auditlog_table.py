# django-auditlog's own migrations create auditlog_logentry even when AUDITLOG_LOGENTRY_MODEL swaps
# in pps.AuditEntry (jazzband/django-auditlog#804). The unused table references
# django_content_type, which makes PostgreSQL refuse to TRUNCATE it; nothing ever writes to it.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pps", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS auditlog_logentry", migrations.RunSQL.noop),
    ]
