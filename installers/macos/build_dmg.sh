#!/usr/bin/env bash
# macOS: Metal build of llama-cpp-python, PyInstaller .app, optional signing, DMG.
#
#   installers/macos/build_dmg.sh                 # uses .venv, writes installers/build/LLMoin-Desktop-<v>.dmg
#   REBUILD_LLAMA=1 installers/macos/build_dmg.sh # first recompile llama-cpp-python with Metal
#   CODESIGN_IDENTITY="Developer ID Application: …" NOTARY_PROFILE=llmoin installers/macos/build_dmg.sh
#
# Needs: Xcode command line tools, Python 3.11+ venv with the app installed (pip install -e .),
# PyInstaller in that venv. Apple Silicon recommended (Metal); on Intel Macs the CPU build runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-.venv/bin/python}"
VERSION="$("$PY" -c 'import tomllib;print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
OUT=installers/build
APP="$OUT/dist/LLMoin Desktop.app"
DMG="$OUT/LLMoin-Desktop-$VERSION.dmg"

if [[ "${REBUILD_LLAMA:-0}" == "1" ]]; then
  CMAKE_ARGS="-DGGML_METAL=on" "$PY" -m pip install --force-reinstall --no-cache-dir "llama-cpp-python>=0.3.16"
fi
"$PY" - <<'PY'
from llama_cpp import llama_cpp as lc
info = lc.llama_print_system_info().decode()
print("llama.cpp GPU offload:", bool(lc.llama_supports_gpu_offload()), "|", info[:200])
PY

"$PY" installers/build.py --out "$OUT" ${BUNDLE_MODEL:+--model "$BUNDLE_MODEL"}
test -d "$APP" || { echo "PyInstaller did not produce $APP" >&2; exit 1; }

# Check the frozen app before packaging it (offscreen: no window appears).
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/llmoin-desktop" --self-test ${SELFTEST_MODEL:+--model "$SELFTEST_MODEL"}

if [[ -n "${CODESIGN_IDENTITY:-}" ]]; then
  codesign --force --deep --options runtime --timestamp --sign "$CODESIGN_IDENTITY" "$APP"
  codesign --verify --deep --strict "$APP"
fi

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
mkdir -p "$STAGE/Richtlinien"
cp installers/policy/policy.example.toml "$STAGE/Richtlinien/policy.toml.beispiel"
rm -f "$DMG"
hdiutil create -volname "LLMoin Desktop" -srcfolder "$STAGE" -ov -format UDZO "$DMG"

if [[ -n "${CODESIGN_IDENTITY:-}" && -n "${NOTARY_PROFILE:-}" ]]; then
  codesign --sign "$CODESIGN_IDENTITY" --timestamp "$DMG"
  xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple "$DMG"
fi
echo "dmg=$DMG size_mb=$(( $(stat -f%z "$DMG") / 1048576 ))"
