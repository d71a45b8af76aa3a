# Authenticator apps move from django-otp's TOTPDevice, whose secret is stored in clear (hex),
# to pps.AuthenticatorApp, whose secret is wrapped by the master keys (SECURITY control 14).
# Each 20-byte secret is padded with random bytes to a 256-bit key, wrapped for its new row, and
# the old rows are deleted, so that no secret is left in clear. People keep their apps: the
# codes they show do not change. (A secret of another length, never made by this system, is not
# carried over: its owner sets up their app again at their next sign-in.)
import secrets
from binascii import unhexlify

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import pps.encryption
from pps import crypto

COPIED = [
    "user_id",
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
]


def move_apps(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    AuthenticatorApp = apps.get_model("pps", "AuthenticatorApp")
    for device in TOTPDevice.objects.all():
        secret = unhexlify(device.key.encode())
        if len(secret) != 20:
            continue
        app = AuthenticatorApp.objects.create(secret="", **{name: getattr(device, name) for name in COPIED})
        aad = crypto.field_aad("pps.AuthenticatorApp", "secret", app.pk).encode()
        key = secret + secrets.token_bytes(crypto.KEY_BYTES - len(secret))
        AuthenticatorApp.objects.filter(pk=app.pk).update(secret=crypto.wrap_data_key(key, aad=aad))
    TOTPDevice.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('pps', '0005_child_protection_retention'),
        ('otp_totp', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuthenticatorApp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('secret', pps.encryption.DataKeyField(blank=True, default='', editable=False)),
                ('step', models.PositiveSmallIntegerField(default=30)),
                ('t0', models.BigIntegerField(default=0)),
                ('digits', models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ('tolerance', models.PositiveSmallIntegerField(default=1)),
                ('drift', models.SmallIntegerField(default=0)),
                ('last_t', models.BigIntegerField(default=-1)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'authenticator app',
                'abstract': False,
            },
        ),
        migrations.RunPython(move_apps, migrations.RunPython.noop),
    ]
