"""Build the PyInstaller one-folder bundle (all platforms), optionally with one GGUF model.

    python installers/build.py                      # -> installers/build/dist/llmoin-desktop/
    python installers/build.py --model m.gguf       # ships the model in _internal/models/
    python installers/build.py --self-test          # build, then run the bundle's --self-test

Run it with the Python of the environment that has the app installed (``.venv``): PyInstaller
freezes exactly that environment, including its llama-cpp-python build (CPU, CUDA or Metal;
see docs/gpu.md). Output goes under installers/build/ (ignored by git) unless --out is given.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "pyinstaller" / "llmoin-desktop.spec"
NAME = "llmoin-desktop"


def bundle_executable(dist: Path) -> Path:
    """The executable inside a built one-folder bundle (or the .app on macOS)."""
    folder = dist / NAME
    exe = folder / (NAME + ".exe" if sys.platform == "win32" else NAME)
    return exe


def build(out: Path, model: Path | None = None, *, clean: bool = False) -> Path:
    """Run PyInstaller; returns the bundle folder. Raises CalledProcessError on failure."""
    env = {**os.environ, "LLMOIN_BUNDLE_NAME": NAME}
    if model is not None:
        env["LLMOIN_BUNDLE_MODEL"] = str(model.resolve())
    else:
        env.pop("LLMOIN_BUNDLE_MODEL", None)
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(out / "dist"),
        "--workpath",
        str(out / "work"),
        str(SPEC),
    ]
    if clean:
        cmd.insert(3, "--clean")
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)
    return out / "dist" / NAME


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "build", help="build folder")
    parser.add_argument("--model", type=Path, help="bundle this GGUF file (offline sites)")
    parser.add_argument("--clean", action="store_true", help="drop PyInstaller's cache first")
    parser.add_argument("--self-test", action="store_true", help="run the bundle's --self-test")
    args = parser.parse_args(argv)
    if args.model is not None and not args.model.is_file():
        print(f"Model not found: {args.model}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    folder = build(args.out, args.model, clean=args.clean)
    print(
        f"bundle={folder} size_mb={folder_size(folder) / 2**20:.0f} build_s={time.perf_counter() - t0:.0f}"
    )
    if args.self_test:
        exe = bundle_executable(args.out / "dist")
        return subprocess.run([str(exe), "--self-test"], check=False).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
