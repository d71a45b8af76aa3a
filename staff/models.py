"""What happened to a member of staff's account, for the account's own history page.

The audit log holds every change too (``pps.User`` changes, with personal fields masked, and the
creation of each event here); these events are what the head of service reads on the account.
They name no parent, child or case.
"""

import uuid

from django.conf import settings
from django.db import models


class AccountEvent(models.Model):
    """One change to a member of staff's account: who did it, when, and what (no personal data)."""

    class Kind(models.TextChoices):
        ADDED = "added", "Account added"
        SET_UP_LINK_SENT = "set_up_link_sent", "Set-up link sent"
        SET_UP = "set_up", "Password chosen from the set-up link"
        ROLE_CHANGED = "role_changed", "Role changed"
        DETAILS_CHANGED = "details_changed", "Name, email or work phone changed"
        AUTHENTICATOR_RESET = "authenticator_reset", "Authenticator app removed (reset)"
        DEACTIVATED = "deactivated", "Account closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_events"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    #: None when done at the server (``manage.py``), or by the person themselves.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    #: What changed, in words without personal data ("Caseworker to Senior manager").
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["member", "at"])]

    def __str__(self):
        return str(self.pk)
