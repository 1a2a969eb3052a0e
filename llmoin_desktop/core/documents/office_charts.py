"""Charts and SmartArt in Office files: the words and numbers a clerk reads on the slide.

A chart in a slide or a Word report carries its title, the series names, the category labels
and the values in its own part (``chartN.xml``, DrawingML Chart); SmartArt keeps its words in
``diagrams/dataN.xml``. Neither is in the slide's or paragraph's text, so a budget slide was
read as "Folie 3" and nothing else (issue 20, python-pptx's test files). Both are read here
with lxml from the part itself (entities and network off) and turned into a small table:

    Diagramm „Umsatz 2026“
    Kategorie | Sales | Kosten
    1st Qtr | 8,2 | 3,1
"""

from __future__ import annotations

from typing import Any

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
DGM_NS = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
_C, _A = f"{{{C_NS}}}", f"{{{A_NS}}}"
MAX_POINTS = 500  # category rows shown per chart; the rest is left out (a chart, not a table)


def _parse(blob: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(blob, parser)


def _texts(el: Any) -> str:
    return " ".join(" ".join((t.text or "") for t in el.iter(f"{_A}t")).split())


def _points(el: Any) -> dict[int, str]:
    out: dict[int, str] = {}
    if el is None:
        return out
    fmt = " ".join((f.text or "") for f in el.iter(f"{_C}formatCode")).lower()
    is_date = "y" in fmt and ("d" in fmt or "m" in fmt)
    for pt in el.iter(f"{_C}pt"):
        value = pt.find(f"{_C}v")
        try:
            idx = int(pt.get("idx", "0"))
        except ValueError:
            continue
        if value is not None and value.text is not None:
            text = value.text.strip()
            out[idx] = _serial_date(text) if is_date else _number(text)
    return out


def _serial_date(text: str) -> str:
    """Excel's day number (37261) → "05.01.2002" for categories formatted as dates."""
    import datetime as dt

    try:
        return (dt.date(1899, 12, 30) + dt.timedelta(days=float(text))).strftime("%d.%m.%Y")
    except (ValueError, OverflowError):
        return text


def _number(text: str) -> str:
    """ "8.2" → "8,2" (German decimal comma, as the chart shows it here); text stays."""
    try:
        value = float(text)
    except ValueError:
        return text
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}".replace(".", ",")


def chart_text(blob: bytes) -> str:
    """Title, series and categories of one chart part as lines ("" when it holds nothing)."""
    from llmoin_desktop.core.i18n import _, tr

    root = _parse(blob)
    chart = root.find(f"{_C}chart")
    if chart is None:
        return ""
    title_el = chart.find(f"{_C}title")
    title = _texts(title_el) if title_el is not None else ""
    series: list[tuple[str, dict[int, str], dict[int, str]]] = []
    for ser in chart.iter(f"{_C}ser"):
        tx = ser.find(f"{_C}tx")
        name = ""
        if tx is not None:
            name = " ".join(v.text or "" for v in tx.iter(f"{_C}v")).strip() or _texts(tx)
        cats = _points(ser.find(f"{_C}cat")) or _points(ser.find(f"{_C}xVal"))
        vals = _points(ser.find(f"{_C}val")) or _points(ser.find(f"{_C}yVal"))
        series.append((name, cats, vals))
    axis_titles = [
        _texts(t)
        for ax in chart.iter(f"{_C}valAx", f"{_C}catAx", f"{_C}dateAx")
        for t in ax.iter(f"{_C}title")
    ]
    lines = [tr("Diagramm „{title}“", title=title) if title else _("Diagramm")]
    if series:
        categories = sorted({i for _n, cats, vals in series for i in (*cats, *vals)})[:MAX_POINTS]
        lines.append(" | ".join([_("Kategorie"), *(n or "?" for n, _c, _v in series)]))
        for i in categories:
            label = next((cats[i] for _n, cats, _v in series if i in cats), str(i + 1))
            lines.append(" | ".join([label, *(vals.get(i, "") for _n, _c, vals in series)]))
    lines.extend(t for t in axis_titles if t)
    return "\n".join(lines) if (title or series) else ""


def smartart_text(blob: bytes) -> str:
    """The words of a SmartArt graphic (its data part), one item per line."""
    root = _parse(blob)
    items = []
    for pt in root.iter(f"{{{DGM_NS}}}pt"):
        text = _texts(pt)
        if text:
            items.append(text)
    return "\n".join(dict.fromkeys(items))


def related_blob(part: Any, rid: str) -> bytes | None:
    """The bytes of the part ``rid`` points to from ``part`` (python-docx/-pptx parts)."""
    try:
        rel = part.rels[rid]
        if rel.is_external:
            return None
        return bytes(rel.target_part.blob)
    except Exception:  # noqa: BLE001 - a broken relationship loses this chart only
        return None
