"""Hostile files for the security bench and tests (issue 18), built in a temp folder.

Each builder writes a small file that is expensive to open: a PDF page of 30000 pt (10.6 m),
an .odt whose few hundred bytes expand to gigabytes of text, a zip bomb. Nothing here is
downloaded; the files are made from bytes at run time.
"""

from __future__ import annotations

import zipfile
from pathlib import Path


def pdf_with_page(path: Path, width: float, height: float, text: str = "Seite") -> Path:
    """A one-page PDF with a MediaBox of ``width`` × ``height`` pt (valid xref, ~600 bytes)."""
    stream = f"BT /F1 24 Tf 72 72 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:g} {height:g}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode("ascii"),
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))
    return path


def odt_text_bomb(path: Path, megabytes: int = 2000) -> Path:
    """An .odt whose content.xml is ``megabytes`` MB of one repeated paragraph (deflates to
    a few MB at most; the loader would build that much text)."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        b' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        b"<office:body><office:text>"
    )
    tail = b"</office:text></office:body></office:document-content>"
    para = b"<text:p>" + b"A" * (1024 * 1024 - 17) + b"</text:p>"  # 1 MB per paragraph
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")  # stored
        with z.open("content.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            for _ in range(megabytes):
                fh.write(para)
            fh.write(tail)
    return path


def docx_zip_bomb(path: Path, megabytes: int = 2000) -> Path:
    """A .docx whose document.xml inflates to ``megabytes`` MB of text in one paragraph."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0"?><w:document {ns}><w:body><w:p><w:r><w:t>'.encode())
            chunk = b"B" * (1024 * 1024)
            for _ in range(megabytes):
                fh.write(chunk)
            fh.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return path


class OpenWatch:
    """Which files in a folder were opened (Linux inotify), to prove that showing a hostile
    string never made the app read ``<img src=…>``. Elsewhere ``available`` is False.

    ``with OpenWatch(folder) as watch: …; watch.opened()`` → names opened since the start."""

    IN_ACCESS = 0x001
    IN_OPEN = 0x020
    IN_NONBLOCK = 0o4000

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.fd = -1
        self._names: set[str] = set()
        self.available = False

    def __enter__(self) -> OpenWatch:
        import ctypes
        import ctypes.util
        import sys

        if not sys.platform.startswith("linux"):
            return self
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self.fd = libc.inotify_init1(self.IN_NONBLOCK)
        if self.fd >= 0:
            wd = libc.inotify_add_watch(
                self.fd, str(self.folder).encode(), self.IN_OPEN | self.IN_ACCESS
            )
            self.available = wd >= 0
        return self

    def opened(self) -> set[str]:
        import os
        import struct

        while self.available and self.fd >= 0:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            offset = 0
            while offset + 16 <= len(data):
                _wd, _mask, _cookie, length = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16 : offset + 16 + length].split(b"\0", 1)[0]
                self._names.add(name.decode("utf-8", "replace"))
                offset += 16 + length
        return set(self._names)

    def __exit__(self, *exc: object) -> None:
        import os

        self.opened()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def bait_image(folder: Path, name: str = "koeder.png") -> Path:
    """A small real PNG that hostile markup points at (an app that renders the markup would
    open it; OpenWatch sees that)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\x00\x00" * 1  # one red pixel, filter byte 0
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    path = Path(folder) / name
    path.write_bytes(png)
    return path


def hostile_strings(image: Path) -> list[str]:
    """Markup a clerk could receive in a task title, a file name, a document or a server
    answer: an image from a path or share, a link, a file URL, an entity."""
    return [
        f'Bescheid <img src="{image}"> prüfen',
        f'<a href="file://{image}">Anhang</a> öffnen',
        f"<img src=file://{image}>",
        f"file://{image}",
        "&lt;b&gt;fett&lt;/b&gt; <b>fett</b>",
    ]
