"""What the file-import commands share (a drop folder's files imported by cron): one transaction per file,
a line per file on what became of it, a refused file named on stderr and counted in the exit status."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class ImportFilesCommand(BaseCommand):
    """Subclasses name ``import_file(name, content, acting_user=…)`` and say what an outcome's ``source`` holds."""

    def import_file(self, name: str, content: bytes, *, acting_user):
        raise NotImplementedError

    def summary(self, source) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        refused = 0
        for path in files:
            try:
                outcome = self.import_file(path.name, path.read_bytes(), acting_user=None)
            except (OSError, ValidationError) as error:
                refused += 1
                message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.stderr.write(f"{path}: refused: {message}")
                continue
            source = outcome.source
            if outcome.repeated:
                self.stdout.write(f"{path}: imported before as #{source.pk}; nothing changed")
                continue
            self.stdout.write(f"{path}: #{source.pk} {self.summary(source)}")
        if refused:
            raise CommandError(f"{refused} file(s) refused")
