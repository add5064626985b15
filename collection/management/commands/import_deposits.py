"""Import banks' deposit files (e.g. from the bank's drop folder, by cron)."""

from collection.imports import import_deposits
from core.commands import ImportFilesCommand


class Command(ImportFilesCommand):
    help = "Import bank deposit CSV files (docs/import-formats.md); each file is one transaction."

    def import_file(self, name, content, *, acting_user):
        return import_deposits(name, content, acting_user=acting_user)

    def summary(self, source) -> str:
        return (
            f"posted={source.posted} suspense={source.suspense} "
            f"already_on_record={source.already_on_record} rejected={source.rejected} amount={source.amount}"
        )
