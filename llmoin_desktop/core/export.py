"""DOCX export on the organisation's letterhead (python-docx).

Letters follow DIN 5008 (form B): return-address line and address field on the left, the
information block (Ihr Zeichen, Unser Zeichen, Datum) on the right, then subject, salutation,
text, closing. Summaries and extractions get a title, the source file name and the date;
Markdown tables become real Word tables. The file is built in memory and moved into place
in one step, so a cancelled job or a full disk never leaves half a file.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmoin_desktop.core.errors import LLMoinError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.jobs import CancelToken
from llmoin_desktop.core.paths import resources_dir
from llmoin_desktop.core.settings.config import Settings
from llmoin_desktop.core.tasks.tables import parse_markdown_table

DEFAULT_TEMPLATE = "briefkopf.docx"
_SALUTATION = re.compile(r"^(sehr geehrte|liebe|guten tag|hallo)\b", re.I)
_CLOSING = re.compile(
    r"^(mit freundlichen grüßen|freundliche grüße|viele grüße|mit besten grüßen|beste grüße)", re.I
)


class ExportError(LLMoinError):
    """The DOCX could not be written (template broken, disk full, no permission)."""


@dataclass
class LetterInfo:
    address: str = ""
    subject: str = ""
    your_reference: str = ""
    our_reference: str = ""


@dataclass
class ExportContent:
    title: str
    body: str
    kind: str = "prose"  # prose | list | table | letter
    sources: list[str] = field(default_factory=list)
    date: _dt.date = field(default_factory=_dt.date.today)
    letter: LetterInfo | None = None
    # Fact check: (figure, comment) pairs that become Word comments (core/factcheck).
    comments: list[tuple[str, str]] = field(default_factory=list)


def content_from_result(spec: Any, result: Any, text: str | None = None) -> ExportContent:
    """Map a task result (and the clerk's edited text) to what goes into the document."""
    values = result.values
    exp = getattr(spec, "export", {}) or {}
    title = spec.t(spec.title)
    if "title_field" in exp:
        f = spec.field(exp["title_field"])
        opt = f.option(str(values.get(f.name))) if f else None
        if opt:
            title = spec.t(opt.label)
    letter = None
    if result.output_kind == "letter":
        letter = LetterInfo(
            address=str(values.get(exp.get("address", ""), "") or ""),
            subject=str(values.get(exp.get("subject", ""), "") or ""),
            your_reference=str(values.get(exp.get("your_reference", ""), "") or ""),
            our_reference=str(values.get(exp.get("reference", ""), "") or ""),
        )
    body = text if text is not None else result.text
    from llmoin_desktop.core.factcheck.docx_marks import comments_for_text

    return ExportContent(
        title=title,
        body=body,
        kind=result.output_kind,
        sources=list(result.sources),
        letter=letter,
        comments=comments_for_text(
            getattr(result, "factcheck", None), body, getattr(result, "coverage", "")
        ),
    )


def template_path(settings: Settings | None = None) -> Path:
    if settings and settings.letterhead_template:
        return Path(settings.letterhead_template).expanduser()
    return resources_dir() / "templates" / DEFAULT_TEMPLATE


def _open_template(path: Path) -> Any:
    import docx

    try:
        return docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises BadZipFile, KeyError, …
        raise ExportError(
            tr("Die Briefkopf-Vorlage {path} ist nicht lesbar: {error}", path=path, error=exc)
        ) from exc


def _clear_body(doc: Any) -> str:
    """Remove the template's body (keeping page setup); return its first line as return address."""
    body = doc.element.body
    first = next((p.text.strip() for p in doc.paragraphs if p.text.strip()), "")
    for child in list(body):
        if child.tag.endswith("}sectPr"):
            continue
        body.remove(child)
    return first


_INLINE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__|~~(.+?)~~")


def _add_inline(paragraph: Any, text: str) -> None:
    """``**bold**`` from Markdown becomes a bold run, ``~~gestrichen~~`` a struck-through one
    (the synopsis marks insertions and deletions so); everything else is plain text."""
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos : m.start()])
        if m.group(3) is not None:
            paragraph.add_run(m.group(3)).font.strike = True
        else:
            paragraph.add_run(m.group(1) or m.group(2)).bold = True
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def _style(doc: Any, name: str, fallback: str = "Normal") -> str:
    try:
        doc.styles[name]  # noqa: B018 - existence check
        return name
    except KeyError:
        return fallback


def _add_table(doc: Any, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    if _style(doc, "Table Grid", "") == "Table Grid":
        table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header, strict=False):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            cell.text = ""
            _add_inline(cell.paragraphs[0], text)  # bold / struck words in a synopsis cell


def _add_markdown(doc: Any, text: str) -> None:
    """Paragraphs, bullet/numbered lists, ``#`` headings and pipe tables → Word elements."""
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    para: list[str] = []

    def flush() -> None:
        if para:
            _add_inline(doc.add_paragraph(), " ".join(s.strip() for s in para))
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.count("|") >= 2:
            j = i
            while j < len(lines) and lines[j].strip().count("|") >= 2:
                j += 1
            parsed = parse_markdown_table("\n".join(lines[i:j]))
            if parsed:
                flush()
                _add_table(doc, *parsed)
                i = j
                continue
        if not stripped or stripped == "---":
            flush()
        elif m := re.match(r"^(#{1,4})\s+(.*)$", stripped):
            flush()
            doc.add_paragraph(
                m.group(2), style=_style(doc, f"Heading {min(len(m.group(1)) + 1, 3)}")
            )
        elif m := re.match(r"^[-*•]\s+(.*)$", stripped):
            flush()
            _add_inline(doc.add_paragraph(style=_style(doc, "List Bullet")), m.group(1))
        elif m := re.match(r"^\d+[.)]\s+(.*)$", stripped):
            flush()
            _add_inline(doc.add_paragraph(style=_style(doc, "List Number")), m.group(1))
        else:
            para.append(stripped)
        i += 1
    flush()


def _split_letter(body: str) -> tuple[str, str, str]:
    """Model text → (salutation, text, closing); defaults when the model left them out."""
    lines = body.strip().split("\n")
    salutation = _("Sehr geehrte Damen und Herren,")
    closing = _("Mit freundlichen Grüßen")
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and _SALUTATION.match(lines[0].strip()):
        salutation = lines.pop(0).strip()
    for idx in range(len(lines) - 1, -1, -1):
        if _CLOSING.match(lines[idx].strip()):
            closing = "\n".join(x.strip() for x in lines[idx:] if x.strip())
            lines = lines[:idx]
            break
    return salutation, "\n".join(lines).strip(), closing


def _letter(doc: Any, content: ExportContent, return_line: str) -> None:
    from docx.shared import Mm, Pt

    letter = content.letter or LetterInfo()
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(85), Mm(75)
    left.text = ""
    p = left.paragraphs[0]
    if return_line:
        run = p.add_run(return_line)
        run.font.size = Pt(7)
        run.underline = True
        p = left.add_paragraph()
    p.add_run(letter.address.strip() or "")
    info = [
        (_("Ihr Zeichen"), letter.your_reference),
        (_("Unser Zeichen"), letter.our_reference),
        (_("Datum"), content.date.strftime("%d.%m.%Y")),
    ]
    right.text = ""
    first = True
    for label, value in info:
        if not value:
            continue
        rp = right.paragraphs[0] if first else right.add_paragraph()
        first = False
        lr = rp.add_run(f"{label}: ")
        lr.font.size = Pt(8)
        rp.add_run(value).font.size = Pt(10)
    # DIN 5008: two blank lines between the address block and the subject.
    doc.add_paragraph()
    doc.add_paragraph()
    if letter.subject:
        doc.add_paragraph().add_run(letter.subject).bold = True
        doc.add_paragraph()
    salutation, text, closing = _split_letter(content.body)
    doc.add_paragraph(salutation)
    _add_markdown(doc, text)
    doc.add_paragraph()
    for line in closing.split("\n"):
        doc.add_paragraph(line)


def _report(doc: Any, content: ExportContent) -> None:
    doc.add_paragraph(content.title, style=_style(doc, "Heading 1"))
    meta = []
    if content.sources:
        meta.append(tr("Quelle: {names}", names=", ".join(content.sources)))
    meta.append(tr("Datum: {date}", date=content.date.strftime("%d.%m.%Y")))
    p = doc.add_paragraph(" · ".join(meta))
    for run in p.runs:
        run.italic = True
    _add_markdown(doc, content.body)


def _ai_note(doc: Any) -> None:
    from docx.shared import Pt

    note = _("Mit KI-Unterstützung erstellt (LLMoin Desktop). Inhalt bitte prüfen.")
    for section in doc.sections:
        p = section.footer.add_paragraph()
        run = p.add_run(note)
        run.font.size = Pt(7)
        run.italic = True


def build_docx(
    content: ExportContent, *, settings: Settings | None = None, template: Path | None = None
) -> bytes:
    """The finished document as bytes (nothing touches the target folder yet)."""
    path = template or template_path(settings)
    doc = _open_template(path)
    return_line = _clear_body(doc)
    if content.kind == "letter":
        _letter(doc, content, return_line)
    else:
        _report(doc, content)
    if settings is None or settings.export_ai_note:
        _ai_note(doc)
    if content.comments and (settings is None or settings.factcheck_export_comments):
        from llmoin_desktop.core.factcheck.docx_marks import add_comments

        add_comments(doc, content.comments)  # the clerk's choice: comments or no marks
    doc.core_properties.title = content.title
    doc.core_properties.author = "LLMoin Desktop"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_atomic(data: bytes, out: Path, cancel: CancelToken | None = None) -> Path:
    """Temp file in the target folder, fsync, then one rename: all or nothing."""
    out = Path(out).expanduser()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as exc:
        raise ExportError(
            tr(
                "Der Ordner {path} ist nicht beschreibbar: {error}",
                path=out.parent,
                error=exc.strerror or exc,
            )
        ) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if cancel is not None:
            cancel.raise_if_cancelled()
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(
            tr(
                "Die Datei {name} konnte nicht gespeichert werden (Datenträger voll oder schreibgeschützt?): {error}",
                name=out.name,
                error=exc.strerror or exc,
            )
        ) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def export_docx(
    content: ExportContent,
    out: Path,
    *,
    settings: Settings | None = None,
    template: Path | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    return write_atomic(build_docx(content, settings=settings, template=template), out, cancel)
