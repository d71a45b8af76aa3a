"""Removes a person's authenticator app and backup codes and prints a one-time enrolment code.

    python manage.py reset_authenticator USERNAME

For the system maintainer, once a senior manager has confirmed who is asking. Give the code to
the person by phone or in person (not by email): with their password and this code they set up
a new app at their next sign-in. The code works once, for 24 hours.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pps import enrolment


class Command(BaseCommand):
    help = "Remove someone's authenticator app and print a one-time code to set up a new one."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account has the username {username!r}")
        code = enrolment.reset_second_factor(user)
        hours = enrolment.CODE_VALID_HOURS
        self.stdout.write(
            f"The authenticator app and backup codes of {username} are removed.\n"
            f"Enrolment code (works once, for {hours} hours): {code}\n"
            "Give it to them by phone or in person, not by email."
        )
