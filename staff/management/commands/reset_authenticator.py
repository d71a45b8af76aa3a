"""Removes a person's authenticator app and backup codes and prints a one-time enrolment code.

    python manage.py reset_authenticator USERNAME

For the system maintainer at the server, once a senior manager has confirmed who is asking (the
head of service does the same on Staff accounts). The same service function as the page
(``staff.services.reset_authenticator``): the person is signed out everywhere, emailed that it
happened, and the reset is on their account's history and in the audit log. Give the code to
the person by phone or in person (not by email): with their password and this code they set up
a new app at their next sign-in. The code works once, for 24 hours.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pps import enrolment
from staff import services


class Command(BaseCommand):
    help = "Remove someone's authenticator app and print a one-time code to set up a new one."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account has the username {username!r}")
        try:
            code = services.reset_authenticator(None, user)
        except services.StaffError as error:
            raise CommandError(str(error)) from None
        hours = enrolment.CODE_VALID_HOURS
        self.stdout.write(
            f"The authenticator app and backup codes of {username} are removed; they are told by email.\n"
            f"Enrolment code (works once, for {hours} hours): {code}\n"
            "Give it to them by phone or in person, not by email."
        )
