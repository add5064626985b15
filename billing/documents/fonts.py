"""The bills' Korean font: files of the operating system, registered with ReportLab once per process.

ReportLab's standard fonts have no Hangul, so bills use a TrueType font that is embedded
(as a subset of the glyphs used) in every PDF. The files are not shipped with Suido: they
come from the system package (Debian/Ubuntu ``fonts-nanum``) or wherever the settings
``BILL_FONT_REGULAR`` and ``BILL_FONT_BOLD`` point.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

_lock = threading.Lock()
_registered: dict[str, str] = {}  # font file path → ReportLab font name


class BillFontMissing(Exception):
    """A font file the bills need is not there: the message says which and how to install it."""

    def __init__(self, setting: str, path: str, *, unreadable: bool = False):
        self.setting, self.path, self.unreadable = setting, path, unreadable
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.unreadable:
            return _(
                "Bills cannot be made: the font file %(path)s (setting %(setting)s) is not a TrueType "
                "font ReportLab can embed. Set %(setting)s to a Korean .ttf file such as NanumGothic.ttf "
                "(apt-get install fonts-nanum)."
            ) % {"path": self.path, "setting": self.setting}
        return _(
            "Bills cannot be made: the font file %(path)s (setting %(setting)s) is missing. "
            "Install the Korean fonts with “apt-get install fonts-nanum”, or set %(setting)s "
            "to a Korean TrueType font (.ttf) that exists."
        ) % {"path": self.path, "setting": self.setting}


@dataclass(frozen=True)
class BillFonts:
    regular: str
    bold: str


def bill_fonts() -> BillFonts:
    """The ReportLab names of the bill fonts, registering each file the first time it is asked for.

    Checked on every call (a stat) so a font removed or a setting changed is noticed;
    parsed only once per file and process (a 4 MB font takes a while to read).
    """
    return BillFonts(
        regular=_font("BILL_FONT_REGULAR", settings.BILL_FONT_REGULAR),
        bold=_font("BILL_FONT_BOLD", settings.BILL_FONT_BOLD),
    )


def _font(setting: str, path: str) -> str:
    path = str(path)
    if not Path(path).is_file():
        raise BillFontMissing(setting, path)
    name = _registered.get(path)
    if name is not None:
        return name
    with _lock:
        if path not in _registered:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFError, TTFont

            # One name per file: a changed setting registers the new file beside the old one.
            name = f"Bill-{Path(path).stem}-{hashlib.sha1(path.encode()).hexdigest()[:8]}"
            try:
                pdfmetrics.registerFont(TTFont(name, path))
            except (TTFError, OSError) as exc:
                raise BillFontMissing(setting, path, unreadable=True) from exc
            _registered[path] = name
        return _registered[path]
