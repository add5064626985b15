#!/usr/bin/env bash
# Bill PDFs embed the system's Korean font (Debian's fonts-nanum): install it where we may
# (root with apt-get), otherwise say how. Used by `make demo` and `make test`.
set -uo pipefail
font=/usr/share/fonts/truetype/nanum/NanumGothic.ttf
[ -f "$font" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing the Korean fonts bills are printed with (fonts-nanum)…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-nanum) >/dev/null \
    || echo "Could not install fonts-nanum: bill PDFs will say what is missing." >&2
else
  echo "Note: $font is missing, so bill PDFs cannot be made; install it with: sudo apt-get install fonts-nanum" >&2
fi
exit 0
