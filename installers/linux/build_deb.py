"""Package the PyInstaller bundle as a Debian/Ubuntu ``.deb`` (per-machine, under /opt).

    python installers/build.py                        # the bundle first
    python installers/linux/build_deb.py              # -> installers/build/llmoin-desktop_<v>_<arch>.deb

Layout: the bundle in ``/opt/llmoin-desktop``, ``/usr/bin/llmoin-desktop`` (symlink), a
desktop entry and icon, and the example policy under ``/usr/share/doc/llmoin-desktop``.
Machine-wide policy stays IT's: the package never writes ``/etc/xdg/llmoin-desktop``. Removing the
package (also ``purge``) leaves every user's data alone (docs/rollout.md says how to delete it).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
INSTALLERS = HERE.parent
ROOT = INSTALLERS.parent
PACKAGE = "llmoin-desktop"
PREFIX = Path("opt") / PACKAGE

# Shared libraries the bundle takes from the system (Qt's xcb platform plugin, OpenGL,
# fonts, D-Bus). PyInstaller reports the xcb ones as missing when they are not installed.
DEPENDS = [
    "libc6 (>= 2.31)",
    "libgl1",
    "libegl1",
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libglib2.0-0",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
]

DESCRIPTION = """\
Souveräner KI-Assistent für die öffentliche Verwaltung
 LLMoin Desktop fasst Dokumente zusammen, entwirft Schreiben, übersetzt in
 einfache Sprache und beantwortet Fragen zu eigenen Dokumenten mit Quellen.
 Die Sprachmodelle (GGUF) laufen lokal über llama.cpp; im lokalen Betrieb
 baut die Anwendung keine Netzwerkverbindung auf.
 .
 Modelle sind nicht enthalten: die IT legt sie in den Modellordner
 (Richtlinie models_dir). Richtlinien: /etc/xdg/llmoin-desktop/policy.toml."""


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return str(tomllib.load(fh)["project"]["version"])


def debian_arch() -> str:
    try:
        out = subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, "amd64")


def control_text(version: str, arch: str, installed_kb: int) -> str:
    """The DEBIAN/control file (fields in Debian policy order)."""
    if not re.fullmatch(r"[0-9][A-Za-z0-9.+~-]*", version):
        raise ValueError(f"not a Debian version: {version!r}")
    fields = {
        "Package": PACKAGE,
        "Version": version,
        "Section": "utils",
        "Priority": "optional",
        "Architecture": arch,
        "Maintainer": "LLMoin Desktop <it-support@example.org>",
        "Installed-Size": str(installed_kb),
        "Depends": ", ".join(DEPENDS),
        "Homepage": "https://example.org/llmoin-desktop",
        "Description": DESCRIPTION,
    }
    return "".join(f"{k}: {v}\n" for k, v in fields.items())


POSTINST = """#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
    command -v update-mime-database >/dev/null 2>&1 && update-mime-database /usr/share/mime || true
fi
exit 0
"""

# Nothing in users' homes is touched on remove or purge: that is the clerks' work.
POSTRM = """#!/bin/sh
set -e
if [ "$1" = "remove" ] || [ "$1" = "purge" ]; then
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
fi
exit 0
"""


def stage(bundle: Path, root: Path, version: str, arch: str) -> Path:
    """Lay out the package tree under ``root``; returns it."""
    if root.exists():
        shutil.rmtree(root)
    target = root / PREFIX
    shutil.copytree(bundle, target, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / PACKAGE).symlink_to(Path("/") / PREFIX / PACKAGE)
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy2(HERE / f"{PACKAGE}.desktop", apps / f"{PACKAGE}.desktop")
    mime = root / "usr" / "share" / "mime" / "packages"  # .llmoin-task files (task sharing)
    mime.mkdir(parents=True)
    shutil.copy2(HERE / f"{PACKAGE}-mime.xml", mime / f"{PACKAGE}.xml")
    icons = root / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
    icons.mkdir(parents=True)
    shutil.copy2(INSTALLERS / "assets" / "llmoin.svg", icons / f"{PACKAGE}.svg")
    doc = root / "usr" / "share" / "doc" / PACKAGE
    (doc / "examples").mkdir(parents=True)
    shutil.copy2(INSTALLERS / "policy" / "policy.example.toml", doc / "examples" / "policy.toml")
    (doc / "copyright").write_text(
        "LLMoin Desktop — Apache-2.0. Bundled third-party components keep their own licences\n"
        "(Qt/PySide6: LGPL-3.0; llama.cpp: MIT; chromadb: Apache-2.0).\n",
        encoding="utf-8",
    )
    installed_kb = (
        sum(p.lstat().st_size for p in root.rglob("*") if p.is_file() or p.is_symlink()) // 1024
    )
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(control_text(version, arch, installed_kb), encoding="utf-8")
    for name, text in (("postinst", POSTINST), ("postrm", POSTRM)):
        script = debian / name
        script.write_text(text, encoding="utf-8")
        script.chmod(0o755)
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    return root


def build_deb(bundle: Path, out_dir: Path, *, compress: str = "xz") -> Path:
    if not (bundle / PACKAGE).is_file():
        raise FileNotFoundError(f"no bundle at {bundle} (run installers/build.py first)")
    version, arch = project_version(), debian_arch()
    root = stage(bundle, out_dir / "deb-root", version, arch)
    deb = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", f"-Z{compress}", "--build", str(root), str(deb)],
        check=True,
    )
    shutil.rmtree(root)
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bundle", type=Path, default=INSTALLERS / "build" / "dist" / PACKAGE, help="bundle folder"
    )
    parser.add_argument("--out", type=Path, default=INSTALLERS / "build")
    parser.add_argument(
        "--compress", default="xz", choices=["xz", "zstd", "gzip", "none"], help="dpkg-deb -Z"
    )
    args = parser.parse_args(argv)
    try:
        deb = build_deb(args.bundle, args.out, compress=args.compress)
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"deb={deb} size_mb={deb.stat().st_size / 2**20:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
