"""Install tariffs from TOML files (default: every file in billing/tariff_files/)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing.actions import TARIFF_FILES, load_tariff_file
from billing.models import Tariff


class Command(BaseCommand):
    help = "Install or update tariffs from TOML files; --use CODE puts one in use for billing."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path)
        parser.add_argument("--use", metavar="CODE", help="the tariff the billing run prices with")

    def handle(self, *args, files, use, **options):
        for path in files or sorted(TARIFF_FILES.glob("*.toml")):
            try:
                tariff = load_tariff_file(path, put_in_use=tariff_code(path) == use)
            except ValidationError as exc:
                raise CommandError("\n".join(exc.messages)) from exc
            self.stdout.write(f"{tariff.code}: {tariff.versions.count()} version(s) from {path.name}")
        if use and not Tariff.objects.filter(code=use, in_use=True).exists():
            raise CommandError(f"no tariff {use!r} was loaded")


def tariff_code(path: Path) -> str:
    import tomllib

    return tomllib.loads(path.read_text(encoding="utf-8")).get("code", "")
