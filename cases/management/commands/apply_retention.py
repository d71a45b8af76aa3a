from django.core.management.base import BaseCommand

from cases import retention


class Command(BaseCommand):
    help = (
        "Destroy the households whose cases have all been closed for longer than their service "
        "keeps them, then each app's records due (child-protection files closed for longer than "
        "their service keeps those, never before their case). For every service; run it "
        "nightly. Running it again destroys nothing more. Prints counts only; --dry-run lists "
        "what would be destroyed, by id and case reference, and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be destroyed; change nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        results = retention.apply_retention(dry_run=dry_run)
        verb = "would destroy" if dry_run else "destroyed"
        for result in results:
            others = "".join(
                f" and {len(result.steps[step.name])} {step.label}" for step in retention.registered_steps()
            )
            self.stdout.write(
                f"{result.service.short_name}: {verb} {len(result.households)} households "
                f"({len(result.cases)} cases){others}."
            )
            if dry_run:
                for parent_id in result.households:
                    self.stdout.write(f"  household {parent_id}")
                for reference in result.cases:
                    self.stdout.write(f"  case {reference}")
                for step in retention.registered_steps():
                    for record_id, reference in result.steps[step.name]:
                        self.stdout.write(f"  {step.singular} {record_id} (case {reference})")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
