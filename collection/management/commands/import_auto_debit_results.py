"""Import the banks' auto-debit result files (e.g. from the bank's drop folder, by cron)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from collection.autodebit.results import import_debit_results


class Command(BaseCommand):
    help = "Import auto-debit result CSV files (docs/import-formats.md); each file is one transaction."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        refused = 0
        for path in files:
            try:
                outcome = import_debit_results(path.name, path.read_bytes(), acting_user=None)
            except (OSError, ValidationError) as error:
                refused += 1
                message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.stderr.write(f"{path}: refused: {message}")
                continue
            source = outcome.source
            if outcome.repeated:
                self.stdout.write(f"{path}: imported before as #{source.pk}; nothing changed")
                continue
            summary = source.debit_results
            self.stdout.write(
                f"{path}: #{source.pk} debited={source.posted} amount={source.amount} failed={summary.failed} "
                f"already_on_record={source.already_on_record + summary.failed_already} "
                f"mandates_ended={summary.mandates_ended} rejected={source.rejected}"
            )
        if refused:
            raise CommandError(f"{refused} file(s) refused")
