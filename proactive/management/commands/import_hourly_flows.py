"""Import AMI head-end hourly flow files (e.g. from the head-end's drop folder, by cron)."""

from core.commands import ImportFilesCommand
from proactive.imports import import_hourly_flows


class Command(ImportFilesCommand):
    help = "Import hourly flow CSV files (docs/import-formats.md); each file is one transaction."

    def import_file(self, name, content, *, acting_user):
        return import_hourly_flows(name, content, acting_user=acting_user)

    def summary(self, source) -> str:
        return f"accepted={source.accepted} already_on_record={source.already_on_record} rejected={source.rejected}"
