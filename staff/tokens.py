"""The one-time link a new member of staff gets by email to choose their password.

It is Django's password-reset token (``PasswordResetTokenGenerator``) under its own salt and
with its own lifetime (``PPS_SET_UP_LINK_HOURS``, 72 by default):

- it is tied to the account's current password hash, so it stops working once a password has
  been chosen (it works once), and when a new link is sent (a new unusable password is set);
- it stops working ``PPS_SET_UP_LINK_HOURS`` after it was made;
- a password-reset link does not work here, nor a set-up link there (different salts).
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

DEFAULT_HOURS = 72


def link_hours() -> int:
    return int(getattr(settings, "PPS_SET_UP_LINK_HOURS", DEFAULT_HOURS))


class SetUpLinkTokens(PasswordResetTokenGenerator):
    key_salt = "staff.tokens.SetUpLinkTokens"

    def check_token(self, user, token):
        """As Django's, with this link's lifetime instead of ``PASSWORD_RESET_TIMEOUT``."""
        if not (user and token):
            return False
        try:
            timestamp_b36, _ = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in secrets
        ):
            return False
        return self._num_seconds(self._now()) - timestamp <= link_hours() * 3600


set_up_tokens = SetUpLinkTokens()
