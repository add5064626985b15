"""Fetch the pinned `uv` binary from PyPI using only the standard library.

A fresh Debian/Ubuntu machine has Python but often neither pip nor the venv
module, so `make` cannot assume either. uv is published on PyPI as a wheel that
contains a single static binary: we download the wheel for this platform, check
its SHA-256 against the digest PyPI publishes, and unpack the binary to
``.tools/bin/uv``. Nothing else on the machine is touched.

Usage: python3 scripts/bootstrap_uv.py VERSION DEST_DIR
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import stat
import sys
import urllib.request
import zipfile

# PEP 691 JSON form of the simple index: lists every file of every release with its hash.
INDEX = os.environ.get("UV_BOOTSTRAP_INDEX", "https://pypi.org/simple")


def _platform_tags() -> list[str]:
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    libc, _ = platform.libc_ver()
    if sys.platform == "darwin":
        return ["macosx_10_12_x86_64" if arch == "x86_64" else "macosx_11_0_arm64"]
    if libc == "glibc":
        return [f"manylinux_2_17_{arch}", f"manylinux2014_{arch}", f"manylinux_2_28_{arch}"]
    return [f"musllinux_1_1_{arch}"]


def main() -> int:
    version, dest = sys.argv[1], sys.argv[2]
    request = urllib.request.Request(
        f"{INDEX}/uv/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    tags = _platform_tags()
    prefix = f"uv-{version}-"
    wheel = next(
        (
            f
            for f in files
            if f["filename"].startswith(prefix)
            and f["filename"].endswith(".whl")
            and any(t in f["filename"] for t in tags)
        ),
        None,
    )
    if wheel is None:
        print(f"no uv {version} wheel for platform tags {tags}; install uv yourself", file=sys.stderr)
        return 1
    print(f"downloading {wheel['filename']}")
    with urllib.request.urlopen(wheel["url"], timeout=300) as response:
        payload = response.read()
    digest = hashlib.sha256(payload).hexdigest()
    if digest != wheel["hashes"]["sha256"]:
        print(f"checksum mismatch for {wheel['filename']}: {digest}", file=sys.stderr)
        return 1
    os.makedirs(dest, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        member = next(n for n in archive.namelist() if n.endswith("/scripts/uv"))
        target = os.path.join(dest, "uv")
        with archive.open(member) as src, open(target + ".tmp", "wb") as out:
            out.write(src.read())
    os.chmod(target + ".tmp", os.stat(target + ".tmp").st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.replace(target + ".tmp", target)
    print(f"uv {version} installed at {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
