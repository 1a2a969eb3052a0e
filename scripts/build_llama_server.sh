#!/usr/bin/env bash
# Builds llama.cpp's own `llama-server` (parallel slots, continuous batching) from the llama.cpp
# sources inside the llama-cpp-python source package of the version this venv runs, so the server
# and the app's in-process engine are the same llama.cpp. Used by bench/library_server.py
# (--server llama-server) and tests/test_llama_server_parallel.py; IT builds it the same way
# or takes llama.cpp's release binaries (docs/rollout.md, section 2).
#
#   scripts/build_llama_server.sh [DEST]     (default ~/.cache/llmoin-bench/llama-server)
#
# ~12 min on 2 cores; a static binary (no shared libraries beside it), CPU only. For a GPU
# server add -DGGML_CUDA=ON to CMAKE_ARGS.
set -euo pipefail
PY=${PY:-.venv/bin/python}
DEST=${1:-$HOME/.cache/llmoin-bench/llama-server}
VER=$("$PY" -c "import importlib.metadata as m; print(m.version('llama-cpp-python'))")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$PY" -m pip download --quiet "llama-cpp-python==$VER" --no-binary :all: --no-deps -d "$WORK"
tar xzf "$WORK"/llama_cpp_python-*.tar.gz -C "$WORK"
SRC=$(echo "$WORK"/llama_cpp_python-*/vendor/llama.cpp)
cmake -S "$SRC" -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF ${CMAKE_ARGS:-} > "$WORK/cmake.log"
cmake --build "$WORK/build" --target llama-server -j"$(nproc)" > "$WORK/build.log"
mkdir -p "$DEST/bin"
cp "$WORK/build/bin/llama-server" "$DEST/bin/llama-server"
echo "$VER" > "$DEST/llama-cpp-python-version"
"$DEST/bin/llama-server" --version 2>&1 | head -2
echo "llama-server=$DEST/bin/llama-server"
