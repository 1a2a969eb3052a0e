"""The .deb builder: control metadata, layout, and a package dpkg-deb itself reads back.

Uses a tiny stand-in bundle folder (the real one is built by the slow bundle test), so the
packaging logic is checked in a second; the package is then inspected with dpkg-deb.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BUILDER = Path(__file__).resolve().parents[1] / "installers" / "linux" / "build_deb.py"


def _builder():  # noqa: ANN202 - module loaded from a path
    spec = importlib.util.spec_from_file_location("build_deb", BUILDER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_deb"] = module
    spec.loader.exec_module(module)
    return module


def _fields(control: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    last = ""
    for line in control.splitlines():
        if line.startswith(" "):
            fields[last] += "\n" + line
        else:
            last, _, value = line.partition(": ")
            fields[last] = value
    return fields


def test_control_file_has_the_fields_dpkg_and_apt_need() -> None:
    deb = _builder()
    fields = _fields(deb.control_text("0.1.0", "amd64", 123456))
    for key in ("Package", "Version", "Architecture", "Maintainer", "Installed-Size", "Depends"):
        assert fields[key], key
    assert fields["Package"] == "llmoin-desktop"
    assert fields["Installed-Size"] == "123456"
    # Qt's xcb platform plugin needs these; PyInstaller does not bundle them.
    for lib in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"):
        assert lib in fields["Depends"]
    summary, *long_lines = fields["Description"].splitlines()
    assert summary and len(summary) < 80 and all(line.startswith(" ") for line in long_lines)
    with pytest.raises(ValueError):
        deb.control_text("v1 beta", "amd64", 1)


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb not installed")
def test_builds_a_package_that_dpkg_deb_reads(tmp_path: Path) -> None:
    deb = _builder()
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    exe = bundle / "llmoin-desktop"
    exe.write_text("#!/bin/sh\necho stand-in\n")
    exe.chmod(0o755)
    (bundle / "_internal" / "marker.txt").write_text("x")
    package = deb.build_deb(bundle, tmp_path / "out", compress="gzip")
    assert package.name == f"llmoin-desktop_{deb.project_version()}_{deb.debian_arch()}.deb"

    info = subprocess.run(["dpkg-deb", "--info", str(package)], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    field = subprocess.run(
        ["dpkg-deb", "--field", str(package), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Package: llmoin-desktop" in field and "libxcb-cursor0" in field
    contents = subprocess.run(
        ["dpkg-deb", "--contents", str(package)], capture_output=True, text=True, check=True
    ).stdout
    for path in (
        "./opt/llmoin-desktop/llmoin-desktop",
        "./opt/llmoin-desktop/_internal/marker.txt",
        "./usr/bin/llmoin-desktop -> /opt/llmoin-desktop/llmoin-desktop",
        "./usr/share/applications/llmoin-desktop.desktop",
        "./usr/share/icons/hicolor/scalable/apps/llmoin-desktop.svg",
        "./usr/share/doc/llmoin-desktop/examples/policy.toml",
        "./usr/share/mime/packages/llmoin-desktop.xml",
    ):
        assert path in contents, path
    assert "root/root" in contents and "/etc/" not in contents  # policy stays IT's
    assert "rwxr-xr-x root/root" in next(
        line
        for line in contents.splitlines()
        if line.endswith("/opt/llmoin-desktop/llmoin-desktop")
    )
    # Maintainer scripts never touch users' homes.
    extract = tmp_path / "control"
    subprocess.run(["dpkg-deb", "--control", str(package), str(extract)], check=True)
    postrm = (extract / "postrm").read_text()
    assert "/home" not in postrm and "rm -" not in postrm


def test_desktop_entry_is_valid_and_starts_the_installed_program() -> None:
    entry = BUILDER.parent / "llmoin-desktop.desktop"
    lines = entry.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    values = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    assert values["Type"] == "Application"
    assert values["Exec"] == "/usr/bin/llmoin-desktop %f"  # %f: a double-clicked .llmoin-task
    assert values["MimeType"] == "application/x-llmoin-task;"
    assert values["Icon"] == "llmoin-desktop"
    validator = shutil.which("desktop-file-validate")
    if validator:
        result = subprocess.run([validator, str(entry)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
