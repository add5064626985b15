"""Make the debit-request file for a collection date and write it for the bank (e.g. by cron, before the bank's cut-off)."""

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from collection.autodebit.requests import export_debit_requests, make_debit_requests


class Command(BaseCommand):
    help = (
        "Make (or, if made before, return) the auto-debit request file for a collection date and write it as CSV "
        "(docs/import-formats.md). The file holds bank accounts in clear; its writing is logged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", required=True, type=date.fromisoformat, help="collection date, YYYY-MM-DD"
        )
        earlier = parser.add_mutually_exclusive_group()
        earlier.add_argument("--include-earlier", dest="include_earlier", action="store_true", default=None,
                             help="also ask again for the same accounts' earlier unpaid bills")  # fmt: skip
        earlier.add_argument("--only-due", dest="include_earlier", action="store_false",
                             help="only the bills due on the date (default: settings.AUTO_DEBIT_INCLUDE_EARLIER)")  # fmt: skip
        parser.add_argument("--output", type=Path, help="where to write the CSV (default: standard output)")

    def handle(self, *args, date, include_earlier, output, **options):
        try:
            made = make_debit_requests(date, include_earlier=include_earlier, acting_user=None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        batch = made.batch
        content = export_debit_requests(batch, acting_user=None)
        if output is None:
            self.stdout.write(content, ending="")
        else:
            output.write_text(content, encoding="utf-8")
        state = "made" if made.created else "made before, unchanged"
        self.stderr.write(
            f"{batch.collect_on}: #{batch.pk} {state}: requests={batch.count} amount={batch.amount}"
        )
