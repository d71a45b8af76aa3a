"""Each search token names its parent's service, and the token index leads with it: a search
reads only its own service's tokens, so its time cannot depend on another service's parents."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_service(apps, schema_editor):
    Token = apps.get_model("cases", "ParentSearchToken")
    Parent = apps.get_model("cases", "Parent")
    Token.objects.update(service_id=Subquery(Parent.objects.filter(pk=OuterRef("parent_id")).values("service_id")))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_status_index"),
        ("pps", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="parentsearchtoken",
            name="service",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="pps.service"
            ),
        ),
        migrations.RunPython(copy_service, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="parentsearchtoken",
            name="service",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="pps.service"),
        ),
        migrations.RemoveIndex(model_name="parentsearchtoken", name="cases_paren_kind_3be9d4_idx"),
        migrations.AddIndex(
            model_name="parentsearchtoken",
            index=models.Index(fields=["service", "kind", "value"], name="token_service_kind_value"),
        ),
    ]
