"""A small Outlook .msg writer (MS-OXMSG) for bench/fidelity.py and the tests.

Writes the OLE streams with extract-msg's own ``OleWriter`` (the reader under test is the
same package, but the property layout is built here from the specification): fixed-size
properties (times, numbers) in ``__properties_version1.0``, strings as ``__substg1.0_`` streams
in UTF-16 (Unicode items) or in the item's code page (non-Unicode items), and named
properties (contact e-mail, appointment place) through the ``__nameid_version1.0`` map.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PSETID_ADDRESS = "00062004-0000-0000-C000-000000000046"
PSETID_APPOINTMENT = "00062002-0000-0000-C000-000000000046"
PSETID_MEETING = "6ED8DA90-450B-101B-98DA-00AA003F1305"
PT_LONG, PT_BOOLEAN, PT_SYSTIME = 0x0003, 0x000B, 0x0040
PT_STRING8, PT_UNICODE, PT_BINARY = 0x001E, 0x001F, 0x0102


def filetime(value: datetime) -> int:
    """100-ns intervals since 1601-01-01 (UTC)."""
    epoch = datetime(1601, 1, 1, tzinfo=UTC)
    return int((value.astimezone(UTC) - epoch).total_seconds() * 10_000_000)


@dataclass
class MsgItem:
    """One item: ``strings`` by property id ("0037" subject …), ``times``/``longs`` likewise,
    ``named`` as (property set, numeric id, type, value)."""

    message_class: str = "IPM.Note"
    unicode: bool = True
    encoding: str = "cp1252"  # for non-Unicode items
    strings: dict[str, str] = field(default_factory=dict)
    times: dict[str, datetime] = field(default_factory=dict)
    longs: dict[str, int] = field(default_factory=dict)
    named: list[tuple[str, int, int, object]] = field(default_factory=list)
    attachments: Sequence[tuple[str, bytes]] = ()


def _fixed(tag: int, value: bytes) -> bytes:
    return struct.pack("<II", tag, 0x06) + value.ljust(8, b"\x00")


def write_msg_item(path: Path, item: MsgItem) -> Path:
    from extract_msg import OleWriter

    string_type = PT_UNICODE if item.unicode else PT_STRING8

    def encode(text: str) -> bytes:
        return text.encode("utf-16-le") if item.unicode else text.encode(item.encoding)

    writer = OleWriter()
    fixed: list[bytes] = []
    streams: list[tuple[str, bytes]] = []
    strings = {"001A": item.message_class, **item.strings}
    for prop, text in strings.items():
        data = encode(text)
        tag = (int(prop, 16) << 16) | string_type
        fixed.append(struct.pack("<II", tag, 0x06) + struct.pack("<I4x", len(data)))
        streams.append((f"__substg1.0_{prop}{string_type:04X}", data))
    for prop, value in item.times.items():
        fixed.append(_fixed((int(prop, 16) << 16) | PT_SYSTIME, struct.pack("<Q", filetime(value))))
    longs = dict(item.longs)
    if item.unicode:
        longs.setdefault("340D", 0x00040000)  # PR_STORE_SUPPORT_MASK: STORE_UNICODE_OK
    for prop, number in longs.items():
        fixed.append(_fixed((int(prop, 16) << 16) | PT_LONG, struct.pack("<i", number)))

    # Named properties: GUID stream, entry stream (8 bytes each), ids 0x8000 + index.
    guids: list[str] = []
    entries = b""
    for index, (pset, lid, ptype, value) in enumerate(item.named):
        if pset not in guids:
            guids.append(pset)
        guid_index = guids.index(pset) + 3  # 1: PS_MAPI, 2: PS_PUBLIC_STRINGS
        entries += struct.pack("<IHH", lid, guid_index << 1, index)
        prop_id = 0x8000 + index
        if ptype == PT_SYSTIME:
            assert isinstance(value, datetime)
            fixed.append(_fixed((prop_id << 16) | PT_SYSTIME, struct.pack("<Q", filetime(value))))
        elif ptype == PT_LONG:
            fixed.append(_fixed((prop_id << 16) | PT_LONG, struct.pack("<i", int(value))))  # type: ignore[call-overload]
        else:
            data = encode(str(value))
            tag = (prop_id << 16) | string_type
            fixed.append(struct.pack("<II", tag, 0x06) + struct.pack("<I4x", len(data)))
            streams.append((f"__substg1.0_{prop_id:04X}{string_type:04X}", data))

    n_att = len(item.attachments)
    header = struct.pack("<8xIIII8x", 0, n_att, 0, n_att)
    writer.addEntry("__properties_version1.0", header + b"".join(fixed))
    for name, data in streams:
        writer.addEntry(name, data)
    writer.addEntry("__nameid_version1.0", storage=True)
    writer.addEntry(
        "__nameid_version1.0/__substg1.0_00020102",
        b"".join(uuid.UUID(g).bytes_le for g in guids),
    )
    writer.addEntry("__nameid_version1.0/__substg1.0_00030102", entries)
    writer.addEntry("__nameid_version1.0/__substg1.0_00040102", b"")
    for index, (name, data) in enumerate(item.attachments):
        base = f"__attach_version1.0_#{index:08X}"
        writer.addEntry(base, storage=True)
        att_props = struct.pack("<8x") + _fixed(0x37050003, struct.pack("<i", 1))
        writer.addEntry(f"{base}/__properties_version1.0", att_props)
        for prop in ("3707", "3704", "3001"):
            writer.addEntry(f"{base}/__substg1.0_{prop}{string_type:04X}", encode(name))
        writer.addEntry(f"{base}/__substg1.0_37010102", data)
    writer.write(str(path))
    return path
