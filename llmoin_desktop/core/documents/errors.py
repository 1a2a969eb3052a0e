"""Why a document could not be read, in words a clerk understands.

Each error names the file and says what the clerk can do. Errors cross the process boundary
of the parsing sandbox as ``(kind, filename, detail)`` and are rebuilt here with
:func:`error_from_kind`, so the message is translated in the parent's language and the
parent never unpickles anything a hostile file could have influenced.
"""

from __future__ import annotations

from pathlib import Path

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr


class DocumentError(LLMoinError):
    """A document was rejected; ``kind`` is a stable machine-readable reason."""

    kind = "damaged"

    def __init__(self, path: str | Path, *, detail: str = "", user_message: str = "") -> None:
        self.path = str(path)
        self.filename = Path(path).name
        self.detail = detail  # read by _message() before the base class stores it
        super().__init__(user_message or self._message(), detail=detail)

    def _message(self) -> str:
        return tr(
            "Die Datei „{name}“ ist beschädigt oder hat ein unbekanntes Format und kann nicht gelesen werden.",
            name=self.filename,
        )


class PasswordProtected(DocumentError):
    kind = "password_protected"

    def _message(self) -> str:
        return tr(
            "Die Datei „{name}“ ist mit einem Passwort geschützt. Bitte speichern Sie sie "
            "ohne Passwortschutz und fügen Sie sie erneut hinzu.",
            name=self.filename,
        )


class NoTextLayer(DocumentError):
    """A PDF with pages but no extractable text: a scan or images only."""

    kind = "no_text_layer"

    def _message(self) -> str:
        if self.detail == "ocr":
            return tr(
                "In der Datei „{name}“ wurde kein lesbarer Text gefunden, auch nicht per "
                "Texterkennung (nur Bilder ohne Schrift oder eine zu unscharfe Vorlage).",
                name=self.filename,
            )
        if self.detail == "ocr_off":
            return tr(
                "Die Datei „{name}“ enthält keinen Text, nur Bilder. Die Texterkennung (OCR) "
                "ist ausgeschaltet; sie lässt sich in den Einstellungen einschalten.",
                name=self.filename,
            )
        return tr(
            "Die Datei „{name}“ enthält keinen Text, nur Bilder (vermutlich eingescannt). "
            "Bitte lassen Sie sie zuerst mit Texterkennung (OCR) umwandeln.",
            name=self.filename,
        )


class Damaged(DocumentError):
    kind = "damaged"

    def _message(self) -> str:
        if self.detail == "truncated":
            return tr(
                "Die Datei „{name}“ ist unvollständig (abgeschnitten, z. B. durch einen "
                "abgebrochenen Download) und kann nicht gelesen werden.",
                name=self.filename,
            )
        if self.detail == "empty file":
            return tr("Die Datei „{name}“ ist leer (0 Byte).", name=self.filename)
        return super()._message()


class WrongFormat(DocumentError):
    """The content is not what the file name says (e.g. plain text named ``.docx``)."""

    kind = "wrong_format"

    def __init__(
        self, path: str | Path, *, actual: str = "", detail: str = "", user_message: str = ""
    ) -> None:
        self.actual = actual
        super().__init__(path, detail=detail or actual, user_message=user_message)

    def _message(self) -> str:
        expected = Path(self.path).suffix.lstrip(".").upper() or "?"
        actual = format_label(self.actual or self.detail)
        if actual:
            return tr(
                "Die Datei „{name}“ ist keine {expected}-Datei, obwohl ihr Name das sagt "
                "(Inhalt: {actual}). Bitte prüfen Sie die Datei oder benennen Sie sie richtig.",
                name=self.filename,
                expected=expected,
                actual=actual,
            )
        return tr(
            "Die Datei „{name}“ ist keine {expected}-Datei, obwohl ihr Name das sagt.",
            name=self.filename,
            expected=expected,
        )


class TooLarge(DocumentError):
    kind = "too_large"

    def _message(self) -> str:
        if self.detail.startswith("pixels:"):
            return tr(
                "Das Bild in der Datei „{name}“ ist zu groß ({size} Bildpunkte); so große "
                "Bilder werden nicht gelesen, um den Rechner zu schützen.",
                name=self.filename,
                size=self.detail.removeprefix("pixels:"),
            )
        if self.detail.startswith("text:"):
            millions = int(self.detail.removeprefix("text:") or 0) // 1_000_000
            return tr(
                "Die Datei „{name}“ enthält mehr als {millions} Millionen Zeichen Text (etwa "
                "{millions} MB) und wurde nicht übernommen. So viel Text kommt in echten "
                "Dokumenten nicht vor; die Datei ist vermutlich beschädigt oder manipuliert.",
                name=self.filename,
                millions=millions,
            )
        if self.detail == "memory":
            return tr(
                "Die Datei „{name}“ braucht beim Lesen zu viel Arbeitsspeicher und wurde "
                "übersprungen.",
                name=self.filename,
            )
        return tr(
            "Die Datei „{name}“ ist zu groß (höchstens {limit} MB).",
            name=self.filename,
            limit=self.detail or "?",
        )


class ParseTimeout(DocumentError):
    kind = "timeout"

    def _message(self) -> str:
        if self.detail.startswith("stalled:"):
            return tr(
                "Beim Lesen der Datei „{name}“ ging es {seconds} Sekunden lang nicht weiter; "
                "das Lesen wurde abgebrochen. Die Datei ist vermutlich beschädigt oder "
                "ungewöhnlich aufgebaut.",
                name=self.filename,
                seconds=self.detail.removeprefix("stalled:"),
            )
        return tr(
            "Das Lesen der Datei „{name}“ hat zu lange gedauert und wurde abgebrochen. "
            "Die Datei ist vermutlich beschädigt oder ungewöhnlich aufgebaut.",
            name=self.filename,
        )


class UnsupportedFormat(DocumentError):
    kind = "unsupported"

    def _message(self) -> str:
        # An optional extra that is not installed: said by ``detail``, so the message
        # survives the sandbox (errors cross it as kind + detail).
        if self.detail == "extract-msg not installed":
            return tr(
                "Die Outlook-Datei „{name}“ kann auf diesem Rechner nicht gelesen werden: Die "
                "Erweiterung für .msg-Dateien ist nicht installiert. Bitte speichern Sie die "
                "E-Mail in Outlook als .eml (oder drucken Sie sie als PDF) oder wenden Sie sich "
                "an die IT.",
                name=self.filename,
            )
        if self.detail == "pillow-heif not installed":
            return tr(
                "Das Foto „{name}“ ist im HEIC-Format (iPhone). Die Erweiterung für HEIC-Fotos "
                "ist auf diesem Rechner nicht installiert. Bitte speichern Sie das Foto als JPEG "
                "(auf dem iPhone: Einstellungen › Kamera › Formate › „Maximale Kompatibilität“) "
                "oder wenden Sie sich an die IT.",
                name=self.filename,
            )
        return tr(
            "Das Format der Datei „{name}“ wird nicht unterstützt. Möglich sind PDF, Word "
            "(.docx), OpenDocument (.odt, .ods, .odp), Excel (.xlsx), PowerPoint (.pptx), RTF, "
            "Text, Markdown, HTML, E-Mail (.eml, .msg) und Bilder von Scans und Fotos (PNG, "
            "JPEG, TIFF, BMP, WebP, HEIC, AVIF).",
            name=self.filename,
        )


class OldOfficeFormat(DocumentError):
    """An old binary Office file (.doc, .xls, .ppt): no maintained pure-Python reader exists,
    so we ask for the modern format instead of guessing (docs/formats.md)."""

    kind = "old_office"

    def _message(self) -> str:
        if self.detail == "xlsb":
            return tr(
                "Die Datei „{name}“ ist im binären Excel-Format (.xlsb). Bitte öffnen Sie sie in "
                "Excel oder LibreOffice und speichern Sie sie als XLSX; dann kann sie gelesen "
                "werden.",
                name=self.filename,
            )
        modern = {"xls": "XLSX", "ppt": "PPTX"}.get(self.detail, "DOCX")
        old = {"xls": "Excel", "ppt": "PowerPoint"}.get(self.detail, "Word")
        return tr(
            "Die Datei „{name}“ ist im alten {program}-Format. Bitte öffnen Sie sie in "
            "{program} oder LibreOffice und speichern Sie sie als {modern}; dann kann sie "
            "gelesen werden.",
            name=self.filename,
            program=old,
            modern=modern,
        )


class FileUnreadable(DocumentError):
    """Missing file, no permission, or a disk error; not the document's fault."""

    kind = "unreadable"

    def _message(self) -> str:
        return tr(
            "Die Datei „{name}“ konnte nicht geöffnet werden (nicht vorhanden oder keine "
            "Berechtigung).",
            name=self.filename,
        )


def format_label(code: str) -> str:
    """What a detected content format is called in a message (codes from ``detect``)."""
    labels = {
        "pdf": _("PDF-Dokument"),
        "docx": _("Word-Dokument (.docx)"),
        "doc": _("altes Word-Format (.doc)"),
        "ole": _("altes Office-Format"),
        "odt": _("OpenDocument-Text (.odt)"),
        "zip": _("ZIP-Archiv"),
        "txt": _("einfacher Text"),
        "html": _("Webseite (HTML)"),
        "eml": _("E-Mail"),
        "image": _("Bild"),
        "binary": _("unbekannte Binärdaten"),
    }
    return labels.get(code, code)


ERROR_KINDS: dict[str, type[DocumentError]] = {
    cls.kind: cls
    for cls in (
        PasswordProtected,
        NoTextLayer,
        Damaged,
        WrongFormat,
        TooLarge,
        ParseTimeout,
        UnsupportedFormat,
        FileUnreadable,
        OldOfficeFormat,
    )
}


def error_from_kind(kind: str, path: str | Path, detail: str = "") -> DocumentError:
    """Rebuild an error reported by the sandbox (unknown kinds count as damaged)."""
    cls = ERROR_KINDS.get(kind, Damaged)
    if cls is WrongFormat:
        return WrongFormat(path, actual=detail)
    return cls(path, detail=detail)
