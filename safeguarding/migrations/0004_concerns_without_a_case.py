# A concern can be raised from a call with no name given (NNG): it has no case, so it names its
# service itself. Existing concerns take their case's service.
import django.db.models.deletion
from django.db import migrations, models


def fill_service(apps, schema_editor):
    Concern = apps.get_model("safeguarding", "Concern")
    Case = apps.get_model("cases", "Case")
    for concern in Concern.objects.filter(service__isnull=True).only("pk", "case_id"):
        service_id = Case.objects.filter(pk=concern.case_id).values_list("service_id", flat=True).first()
        Concern.objects.filter(pk=concern.pk).update(service_id=service_id)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_status_index"),
        ("consent", "0005_statements_referrals_subject_access_requests"),
        ("pps", "0005_child_protection_retention"),
        ("safeguarding", "0003_concerns_get_their_own_data_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="service",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="pps.service"
            ),
        ),
        migrations.RunPython(fill_service, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="concern",
            name="service",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="pps.service"),
        ),
        migrations.AlterField(
            model_name="concern",
            name="case",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.case"
            ),
        ),
        migrations.AlterField(
            model_name="externalreferral",
            name="disclosure",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="child_protection_referral",
                to="consent.disclosure",
            ),
        ),
    ]
