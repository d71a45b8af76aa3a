"""Load two fictional services full of invented parents, cases and contacts, for a demo."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from demo import data as demo


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Load demo data: two fictional Parent Partnership Services (KWPPS and TVPPS) with staff, "
        "parents, children, cases and contacts, all invented (drama-range phone numbers, example.org "
        "emails). Staff passwords are random for this install; they are written to the logins file "
        "and printed. If the demo data is already loaded, nothing is added and the logins are printed "
        "again. Bulk demo loading is not audited, by design: it is generated data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--parents",
            type=_non_negative,
            default=demo.DEFAULT_PARENTS,
            help=f"parents in all, shared between the two services (default {demo.DEFAULT_PARENTS})",
        )
        parser.add_argument(
            "--contacts",
            type=_non_negative,
            default=None,
            help=(
                f"contacts in all, about 40%% of them with no name given (default {demo.CONTACTS_PER_PARENT} "
                "per parent; every case gets at least one)"
            ),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help="seed for the invented names and histories, so a demo is reproducible "
            f"(default {demo.DEFAULT_SEED}); passwords are always random",
        )
        parser.add_argument(
            "--batch-size", type=int, default=demo.BATCH_SIZE, help="rows per bulk insert (default 2000)"
        )
        parser.add_argument(
            "--logins-file",
            type=Path,
            default=Path(settings.BASE_DIR) / "var" / "demo-logins.txt",
            help="where the staff logins are written (default var/demo-logins.txt)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo services and everything in them first, then load afresh "
            "(only with DEBUG on, or with --yes-really)",
        )
        parser.add_argument(
            "--yes-really",
            action="store_true",
            help="allow --reset with DEBUG off",
        )

    def handle(self, *args, **options):
        logins_file = options["logins_file"]
        if options["yes_really"] and not options["reset"]:
            raise CommandError("--yes-really only goes with --reset.")
        if options["reset"]:
            if not (settings.DEBUG or options["yes_really"]):
                raise CommandError(
                    "--reset deletes the demo services and everything in them. It runs only with "
                    "DEBUG on, or with --yes-really."
                )
            try:
                if demo.delete(progress=self.stdout.write):
                    self.stdout.write("Deleted the demo services and everything in them.")
            except ProtectedError as error:
                raise CommandError(
                    f"Nothing was deleted: other records still refer to the demo data ({error.args[0]})"
                ) from None
        elif demo.is_loaded():
            self.stdout.write(
                "The demo data is already loaded; nothing was added. "
                "(To start again: load_demo_data --reset.)\n"
            )
            self.print_logins(logins_file)
            return

        started = time.monotonic()
        try:
            result = demo.load(
                parents=options["parents"],
                contacts=options["contacts"],
                seed=options["seed"],
                batch_size=max(1, options["batch_size"]),
                progress=self.stdout.write,
            )
        except demo.DemoDataAlreadyLoaded:
            raise CommandError("The demo data was loaded by something else meanwhile.") from None
        except demo.DemoDataError as error:
            raise CommandError(str(error)) from None
        demo.write_logins(logins_file, result)
        counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Loaded demo data in {time.monotonic() - started:.1f} s: {counts}.\n")
        )
        self.print_logins(logins_file)

    def print_logins(self, logins_file: Path) -> None:
        table = demo.read_logins(logins_file)
        if table is None:
            self.stdout.write(
                self.style.WARNING(
                    f"There are no logins for this database in {logins_file}. Set a password with "
                    "`manage.py changepassword kw.caseworker`, or reload with --reset."
                )
            )
            return
        self.stdout.write(
            f"Demo logins (also in {logins_file}; the passwords are random for this install):\n"
        )
        self.stdout.write(table)
        self.stdout.write(
            "\nSigning in asks for a 6-digit code from an authenticator app. Add the account's "
            "authenticator key to an app\n(Google Authenticator, Microsoft Authenticator, FreeOTP...), "
            "or print the current code with:\n    .venv/bin/python -m pps.totp_code KEY\n"
            "Then agree to the service's confidentiality policy, once.\n"
        )
