"""Compile locale/*/LC_MESSAGES/django.po to .mo with polib (no GNU gettext needed).

The .mo files are committed, so a fresh clone shows Korean without this step;
run it (via `make messages`) after editing a catalogue. A test checks the
committed .mo matches its .po.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
    catalogue = polib.pofile(str(po_path))
    catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"{po_path.relative_to(ROOT)}: {catalogue.percent_translated()}% translated")
