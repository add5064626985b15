"""Tariff operations: versions, putting a tariff in use, loading the repository's files."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none

from .. import events
from ..models import Tariff, TariffVersion
from ..rules import parse_rules

TARIFF_FILES = Path(__file__).resolve().parent.parent / "tariff_files"


@transaction.atomic
def save_tariff_version(
    tariff: Tariff, *, effective_from: date, definition: dict, notes: str = "", acting_user
) -> TariffVersion:
    """Check the definition and save it as the version from ``effective_from`` (replacing that day's)."""
    parse_rules(definition, effective_from)  # refuses a definition the engine could not price with
    version, created = TariffVersion.objects.update_or_create(
        tariff=tariff,
        effective_from=effective_from,
        defaults={"definition": definition, "notes": notes, "created_by": user_or_none(acting_user)},
    )
    record_event(
        events.TARIFF_VERSION_SAVED,
        actor=acting_user,
        subject=version,
        details={"tariff": tariff.code, "effective_from": effective_from.isoformat(), "new": created},
    )
    return version


@transaction.atomic
def put_tariff_in_use(tariff: Tariff, *, acting_user) -> Tariff:
    if not tariff.versions.exists():
        raise ValidationError(_("Tariff %(tariff)s has no version to price with.") % {"tariff": tariff.code})
    Tariff.objects.filter(in_use=True).exclude(pk=tariff.pk).update(in_use=False)
    tariff.in_use = True
    tariff.save(update_fields=["in_use"])
    record_event(events.TARIFF_PUT_IN_USE, actor=acting_user, subject=tariff, details={"tariff": tariff.code})
    return tariff


@transaction.atomic
def load_tariff_file(path: Path, *, acting_user=None, put_in_use: bool = False) -> Tariff:
    """Install a tariff written as a TOML file (billing/tariff_files/*.toml; docs/tariffs.md).

    Loading the same file again changes nothing but what the file changed; a file that
    does not parse or whose rules the engine refuses is refused whole, naming the problem.
    """
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(
            _("%(file)s cannot be read: %(error)s") % {"file": Path(path).name, "error": exc}
        ) from exc
    for key in ("code", "name", "versions"):
        if key not in document:
            raise ValidationError(_("%(file)s has no “%(key)s”.") % {"file": Path(path).name, "key": key})
    tariff, _created = Tariff.objects.update_or_create(
        code=document["code"],
        defaults={
            "name": document["name"],
            "name_en": document.get("name_en", ""),
            "source": document.get("source", "").strip(),
        },
    )
    for raw in document["versions"]:
        try:
            effective_from = date.fromisoformat(str(raw["effective_from"]))
        except (KeyError, ValueError) as exc:
            raise ValidationError(
                _("%(file)s: every version needs effective_from as YYYY-MM-DD.") % {"file": Path(path).name}
            ) from exc
        existing = tariff.versions.filter(effective_from=effective_from).first()
        if (
            existing is not None
            and existing.definition == raw.get("definition")
            and existing.notes == raw.get("notes", "")
        ):
            continue
        try:
            save_tariff_version(
                tariff,
                effective_from=effective_from,
                definition=raw.get("definition"),
                notes=raw.get("notes", ""),
                acting_user=acting_user,
            )
        except ValidationError as exc:
            raise ValidationError(
                [
                    _("%(file)s, version from %(date)s:") % {"file": Path(path).name, "date": effective_from},
                    *exc.messages,
                ]
            ) from exc
    if put_in_use and not tariff.in_use:
        put_tariff_in_use(tariff, acting_user=acting_user)
    return tariff
