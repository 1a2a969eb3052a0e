"""A small, defensive GGUF header reader.

We read the metadata and tensor table ourselves (instead of letting llama.cpp try) because a
malformed file can abort the whole process inside the C library. Reading is bounds-checked
against the file size, so a truncated or hostile file raises :class:`GGUFError` and never
allocates more than the file holds. Tensor data is never touched, so this takes milliseconds.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32

# GGUF metadata value types.
_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9

# ggml tensor types: (elements per block, bytes per block). Unknown types skip the size check.
GGML_BLOCKS: dict[int, tuple[int, int]] = {
    0: (1, 4),
    1: (1, 2),
    2: (32, 18),
    3: (32, 20),
    6: (32, 22),
    7: (32, 24),
    8: (32, 34),
    9: (32, 36),
    10: (256, 84),
    11: (256, 110),
    12: (256, 144),
    13: (256, 176),
    14: (256, 210),
    15: (256, 292),
    16: (256, 66),
    17: (256, 74),
    18: (256, 98),
    19: (256, 50),
    20: (32, 18),
    21: (256, 110),
    22: (256, 82),
    23: (256, 136),
    24: (1, 1),
    25: (1, 2),
    26: (1, 4),
    27: (1, 8),
    28: (1, 8),
    29: (256, 56),
    30: (1, 2),
    34: (256, 54),
    35: (256, 66),
    39: (32, 17),
}

# general.file_type → the name people know from file names.
FILE_TYPES = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4",
}

# Arrays we never need in full (the tokenizer's vocabulary): skipped, only their length kept.
_SKIP_ARRAY_VALUES = (
    "tokenizer.ggml.tokens",
    "tokenizer.ggml.scores",
    "tokenizer.ggml.token_type",
    "tokenizer.ggml.merges",
)


class GGUFError(Exception):
    """Why the file is not a usable GGUF; ``kind`` is missing/not_gguf/version/truncated/corrupt."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int

    @property
    def n_elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def n_bytes(self) -> int | None:
        block = GGML_BLOCKS.get(self.ggml_type)
        if block is None:
            return None
        per_block, size = block
        return (self.n_elements + per_block - 1) // per_block * size


@dataclass
class GGUFHeader:
    version: int
    metadata: dict[str, Any]
    tensors: list[TensorInfo] = field(default_factory=list)
    data_offset: int = 0
    file_size: int = 0
    array_lengths: dict[str, int] = field(default_factory=dict)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    @property
    def n_params(self) -> int:
        return sum(t.n_elements for t in self.tensors)

    @property
    def context_length(self) -> int:
        return int(self.metadata.get(f"{self.architecture}.context_length", 0) or 0)

    @property
    def chat_template(self) -> str:
        return str(self.metadata.get("tokenizer.chat_template", "") or "")

    @property
    def quantization(self) -> str:
        ft = self.metadata.get("general.file_type")
        if isinstance(ft, int) and ft in FILE_TYPES:
            return FILE_TYPES[ft]
        # Fall back to the most common tensor type by bytes.
        counts: dict[int, int] = {}
        for t in self.tensors:
            counts[t.ggml_type] = counts.get(t.ggml_type, 0) + t.n_elements
        if not counts:
            return "?"
        return f"type{max(counts, key=lambda k: counts[k])}"


class _Cursor:
    def __init__(self, buf: mmap.mmap | bytes, size: int) -> None:
        self.buf, self.size, self.pos = buf, size, 0

    def need(self, n: int) -> None:
        if n < 0 or self.pos + n > self.size:
            raise GGUFError("truncated", "Die Datei endet mitten im Kopf (unvollständig).")

    def unpack(self, fmt: str) -> Any:
        n = struct.calcsize(fmt)
        self.need(n)
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += n
        return value

    def string(self) -> str:
        length = self.unpack("<Q")
        self.need(length)
        raw = bytes(self.buf[self.pos : self.pos + length])
        self.pos += length
        return raw.decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        length = self.unpack("<Q")
        self.need(length)
        self.pos += length

    def value(self, vtype: int, *, keep: bool = True) -> Any:
        if vtype in _SCALARS:
            return self.unpack(_SCALARS[vtype])
        if vtype == _STRING:
            if keep:
                return self.string()
            self.skip_string()
            return None
        if vtype == _ARRAY:
            etype = self.unpack("<I")
            count = self.unpack("<Q")
            if etype in _SCALARS:
                width = struct.calcsize(_SCALARS[etype])
                self.need(count * width)
                if not keep:
                    self.pos += count * width
                    return count
                values = list(
                    struct.unpack_from(f"<{count}{_SCALARS[etype][1]}", self.buf, self.pos)
                )
                self.pos += count * width
                return values
            if etype == _STRING:
                # Each element is at least 8 bytes long: reject absurd counts before looping.
                self.need(count * 8)
                if not keep:
                    for _ in range(count):
                        self.skip_string()
                    return count
                return [self.string() for _ in range(count)]
            if etype == _ARRAY:
                self.need(count * 12)
                return [self.value(_ARRAY, keep=keep) for _ in range(count)]
            raise GGUFError("corrupt", f"Unbekannter Array-Typ {etype}.")
        raise GGUFError("corrupt", f"Unbekannter Werttyp {vtype}.")


def read_header(path: Path | str) -> GGUFHeader:
    """Parse and validate the header; raises GGUFError with a ``kind`` for the UI to explain."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError as exc:
        raise GGUFError("missing", "Die Datei existiert nicht.") from exc
    except OSError as exc:
        raise GGUFError("missing", f"Die Datei kann nicht gelesen werden: {exc.strerror}") from exc
    if size < 24:
        raise GGUFError(
            "not_gguf" if size < 4 else "truncated", "Die Datei ist zu klein für ein Modell."
        )
    try:
        with p.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return _parse(mm, size)
    except GGUFError:
        raise
    except (OSError, ValueError, struct.error, OverflowError, MemoryError) as exc:
        raise GGUFError("corrupt", f"Die Modelldatei ist beschädigt ({exc}).") from exc


def _parse(mm: mmap.mmap, size: int) -> GGUFHeader:
    cur = _Cursor(mm, size)
    cur.need(4)
    if bytes(mm[0:4]) != GGUF_MAGIC:
        raise GGUFError("not_gguf", "Die Datei ist kein GGUF-Modell.")
    cur.pos = 4
    version = cur.unpack("<I")
    if version not in SUPPORTED_VERSIONS:
        raise GGUFError("version", f"GGUF-Version {version} wird nicht unterstützt.")
    n_tensors = cur.unpack("<Q")
    n_kv = cur.unpack("<Q")
    # Real models have a few thousand tensors and a few dozen keys; reading stays bounds-checked.
    if n_tensors > 1_000_000 or n_kv > 100_000:
        raise GGUFError("corrupt", "Der Dateikopf nennt unmögliche Anzahlen (beschädigt).")
    metadata: dict[str, Any] = {}
    array_lengths: dict[str, int] = {}
    for _ in range(n_kv):
        key = cur.string()
        vtype = cur.unpack("<I")
        if key in _SKIP_ARRAY_VALUES and vtype == _ARRAY:
            array_lengths[key] = cur.value(vtype, keep=False)
            continue
        metadata[key] = cur.value(vtype)
    tensors: list[TensorInfo] = []
    for _ in range(n_tensors):
        name = cur.string()
        n_dims = cur.unpack("<I")
        if n_dims > 8:
            raise GGUFError("corrupt", f"Tensor {name} hat {n_dims} Dimensionen (beschädigt).")
        shape = tuple(cur.unpack("<Q") for _ in range(n_dims))
        ggml_type = cur.unpack("<I")
        offset = cur.unpack("<Q")
        tensors.append(TensorInfo(name, shape, ggml_type, offset))
    alignment = int(metadata.get("general.alignment", DEFAULT_ALIGNMENT) or DEFAULT_ALIGNMENT)
    if alignment <= 0 or alignment & (alignment - 1):
        raise GGUFError("corrupt", f"Ungültige Ausrichtung {alignment}.")
    data_offset = (cur.pos + alignment - 1) // alignment * alignment
    header = GGUFHeader(version, metadata, tensors, data_offset, size, array_lengths)
    _check_tensor_data(header)
    return header


def _check_tensor_data(header: GGUFHeader) -> None:
    """Every tensor's bytes must lie inside the file: this is how truncation shows."""
    data_size = header.file_size - header.data_offset
    for t in header.tensors:
        n_bytes = t.n_bytes() or 0
        if t.offset + n_bytes > data_size:
            raise GGUFError(
                "truncated",
                "Die Modelldatei ist unvollständig (abgebrochener Download oder Kopiervorgang?).",
            )
