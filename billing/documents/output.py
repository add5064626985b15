"""Bill PDFs: one bill for the console, and the files and manifest of a print batch.

Both go through the same sheets and the same page; a single bill is a slice of one.
Bills are written in ``BILL_LANGUAGE`` (Korean), whatever the console's language.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

from .fonts import bill_fonts
from .render import BillWriter, render_bills
from .sheets import BillSheet, SheetContext, load_sheets

MANIFEST = "manifest.csv"
CHECKSUMS = "SHA256SUMS"
MANIFEST_COLUMNS = [
    "file", "sequence", "page", "pages", "bill", "account", "route", "route_sequence", "postcode", "delivery",
    "total", "due_on",
]  # fmt: skip


def bill_pdf(bill_id: int, *, language: str | None = None) -> bytes:
    """One bill as a PDF, as the console shows it (a mailing address masked like on the household page).

    Raises :class:`~billing.documents.fonts.BillFontMissing` when the font is not installed.
    """
    bill_fonts()  # a missing font is reported before anything is read
    with translation.override(language or settings.BILL_LANGUAGE):
        sheets = load_sheets([bill_id], SheetContext(mask_mailing_address=True))
        if not sheets:
            raise LookupError(bill_id)
        sheet = sheets[0]
        title = pgettext("bill", "Water bill %(account)s %(month)s") % {
            "account": sheet.account_number,
            "month": f"{sheet.period:%Y-%m}",
        }
        return render_bills(sheets, title=title)


def bill_filename(account_number: str, period: date) -> str:
    return f"bill-{account_number}-{period:%Y-%m}.pdf"


@dataclass
class WrittenFile:
    name: str
    bills: int
    pages: int
    bytes: int
    sha256: str

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "bills": self.bills,
            "pages": self.pages,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


@dataclass
class Placement:
    """Where a bill went: its sequence in the batch, its file and first page there."""

    bill_id: int
    sequence: int
    file_number: int
    page: int
    pages: int


@dataclass
class WrittenBatch:
    files: list[WrittenFile] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    manifest_sha256: str = ""

    @property
    def bills(self) -> int:
        return len(self.placements)

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files)


@dataclass(frozen=True)
class BatchHeading:
    """What the manifest's header says about the batch."""

    run_id: int
    cycle: str
    period: date
    batch: int
    created_at: str


def write_print_files(
    directory: Path,
    bill_ids: Sequence[int],
    heading: BatchHeading,
    *,
    per_file: int,
    progress: Callable[[int], None] | None = None,
) -> WrittenBatch:
    """Write ``bill_ids`` (in delivery order) as PDFs of at most ``per_file`` bills, a manifest and checksums.

    Written into ``<directory>.partial`` and renamed at the end, so ``directory`` either holds
    a whole batch or does not exist. Each file's bills are read in one slice (a few queries).
    """
    partial = directory.with_name(directory.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    written = WrittenBatch()
    rows: list[list] = []
    context = SheetContext(mask_mailing_address=False)  # the post needs the whole address
    try:
        with translation.override(settings.BILL_LANGUAGE):
            for file_number, start in enumerate(range(0, len(bill_ids), per_file), start=1):
                name = f"bills-{file_number:04d}.pdf"
                sheets = load_sheets(bill_ids[start : start + per_file], context)
                written.files.append(
                    _write_file(partial / name, sheets, file_number, start, name, written, rows, heading)
                )
                if progress:
                    progress(start + len(sheets))
        written.manifest_sha256 = _write_manifest(partial, heading, written, rows)
        os.replace(partial, directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return written


def _write_file(
    path, sheets: list[BillSheet], file_number, start, name, written, rows, heading
) -> WrittenFile:
    title = pgettext("bill", "Water bills %(month)s, cycle %(cycle)s, file %(file)s") % {
        "month": f"{heading.period:%Y-%m}",
        "cycle": heading.cycle,
        "file": file_number,
    }
    with open(path, "wb") as out:
        writer = BillWriter(out, title=title)
        for offset, sheet in enumerate(sheets):
            page = writer.pages + 1
            pages = writer.add(sheet)
            sequence = start + offset + 1
            written.placements.append(Placement(sheet.bill_id, sequence, file_number, page, pages))
            rows.append(
                [name, sequence, page, pages, sheet.bill_id, sheet.account_number, sheet.route, sheet.route_sequence,
                 sheet.postcode, sheet.delivery, sheet.total, sheet.due_on.isoformat()]
            )  # fmt: skip
        writer.close()
    digest, size = _sha256(path)
    return WrittenFile(name=name, bills=len(sheets), pages=writer.pages, bytes=size, sha256=digest)


def _write_manifest(directory: Path, heading: BatchHeading, written: WrittenBatch, rows) -> str:
    """manifest.csv: ``#``-lines about the batch and its files, then one row per bill; and SHA256SUMS."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["#suido-print-batch", 1])
    out.writerow(["#run", heading.run_id])
    out.writerow(["#cycle", heading.cycle])
    out.writerow(["#period", f"{heading.period:%Y-%m}"])
    out.writerow(["#batch", heading.batch])
    out.writerow(["#created_at", heading.created_at])
    out.writerow(["#bills", written.bills])
    out.writerow(["#pages", written.pages])
    out.writerow(["#files", len(written.files)])
    for f in written.files:
        out.writerow(["#file", f.name, f.bills, f.pages, f.bytes, f.sha256])
    out.writerow(MANIFEST_COLUMNS)
    out.writerows(rows)
    data = buffer.getvalue().encode()
    (directory / MANIFEST).write_bytes(data)
    manifest_sha256 = hashlib.sha256(data).hexdigest()
    sums = [f"{f.sha256}  {f.name}\n" for f in written.files] + [f"{manifest_sha256}  {MANIFEST}\n"]
    (directory / CHECKSUMS).write_text("".join(sums))
    return manifest_sha256


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def read_manifest(path: Path) -> tuple[dict[str, list], list[dict[str, str]]]:
    """The manifest's header (key → values) and its bill rows (column → text): for checks and tests."""
    header: dict[str, list] = {}
    with open(path, newline="") as f:
        lines = list(csv.reader(f))
    body = []
    for line in lines:
        if line and line[0].startswith("#"):
            header.setdefault(line[0][1:], []).append(line[1:])
        else:
            body.append(line)
    columns, *records = body
    return header, [dict(zip(columns, record, strict=True)) for record in records]
