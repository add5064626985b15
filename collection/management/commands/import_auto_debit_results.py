"""Import the banks' auto-debit result files (e.g. from the bank's drop folder, by cron)."""

from collection.autodebit.results import import_debit_results
from core.commands import ImportFilesCommand


class Command(ImportFilesCommand):
    help = "Import auto-debit result CSV files (docs/import-formats.md); each file is one transaction."

    def import_file(self, name, content, *, acting_user):
        return import_debit_results(name, content, acting_user=acting_user)

    def summary(self, source) -> str:
        results = source.debit_results
        return (
            f"debited={source.posted} amount={source.amount} failed={results.failed} "
            f"already_on_record={source.already_on_record + results.failed_already} "
            f"mandates_ended={results.mandates_ended} rejected={source.rejected}"
        )
