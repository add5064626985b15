"""Run the daily collection job (late fees, arrangements, dunning stages) now, for today or a past date."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from collection.dunning.run import run_dunning


class Command(BaseCommand):
    help = "Charge late fees and move accounts in arrears through the dunning stages (idempotent for a day)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=date.fromisoformat, help="Run for this day (YYYY-MM-DD); default today."
        )

    def handle(self, *args, date=None, **options):
        try:
            run = run_dunning(date)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Dunning run for {run.on}: {run.late_fees:,} late fees ({run.late_fee_amount:,} won), "
            f"{run.reminders:,} reminders, {run.notices:,} notices, {run.disconnections:,} disconnection orders; "
            f"held: {run.held_protected:,} protected, {run.held_arrangement:,} by arrangement; "
            f"arrangements: {run.arrangements_completed:,} completed, {run.arrangements_broken:,} broken; "
            f"{run.episodes_closed:,} arrears cleared."
        )
