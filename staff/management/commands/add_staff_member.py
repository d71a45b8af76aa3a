"""Adds a member of staff and emails them a one-time link to choose their password.

    python manage.py add_staff_member --service "Kent Parent Partnership Service" \\
        --username jo.bloggs --first-name Jo --last-name Bloggs --email jo.bloggs@example.org \\
        --role head_of_service --site-url https://casework.example.org

For the system maintainer at the server, for a new service's first head of service (who then
adds everyone else on Staff accounts). The same service function as the page
(``staff.services.add_member``): the account has no password until the person chooses one from
the link (``PPS_SET_UP_LINK_HOURS``), then sets up their authenticator app at first sign-in.
"""

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from pps.models import Role, Service
from staff import services


class Command(BaseCommand):
    help = "Add a member of staff to a service and email them a one-time set-up link."

    def add_arguments(self, parser):
        parser.add_argument("--service", required=True, help="the service's name")
        parser.add_argument("--username", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--work-phone", default="")
        parser.add_argument(
            "--site-url", required=True, help="the address staff open, e.g. https://casework.example.org"
        )

    def handle(self, *args, **options):
        service = Service.objects.filter(name=options["service"]).first()
        if service is None:
            raise CommandError(f"No service is named {options['service']!r}")
        page_url = options["site_url"].rstrip("/") + reverse("staff:account_set_up")
        try:
            member = services.add_member(
                None,
                service=service,
                username=options["username"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                role=options["role"],
                work_phone=options["work_phone"],
                page_url=page_url,
            )
        except services.StaffError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Added {member.username} to {service.name}; the set-up link is emailed to them.")
