"""The model check as a terminal table, one self-contained HTML file and key=value lines.

The HTML has no scripts, no external styles or images, so IT can file it (or print it) for the
data-protection officer and the works council as it is; the key=value block inside it and the
``.txt`` beside it carry the same facts for scripts and inventories.
"""

from __future__ import annotations

import html
from pathlib import Path

from llmoin_desktop import __version__
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.modelcheck.run import ModelCheckReport


def mark(ok: bool | None) -> str:
    return {True: _("bestanden"), False: _("NICHT bestanden"), None: _("Hinweis")}[ok]


def key_values(report: ModelCheckReport) -> dict[str, str]:
    """Flat facts: model, one entry per check (pass/fail/info) and every measured figure."""
    out: dict[str, str] = {
        "model": Path(report.model_path).name,
        "params": report.params.replace(" ", ""),
        "quantization": report.quantization,
        "file_mb": str(report.file_mb),
    }
    for row in report.rows:
        out[row.key] = {True: "pass", False: "fail", None: "info"}[row.ok]
    for key, value in report.metrics.items():
        out[key] = f"{value:g}" if isinstance(value, float) else str(value)
    return out


def key_value_line(report: ModelCheckReport) -> str:
    return " ".join(f"{k}={v.replace(' ', '_') or '-'}" for k, v in key_values(report).items())


def metric_lines(report: ModelCheckReport) -> list[tuple[str, str]]:
    m = report.metrics
    return [
        (_("Eingabe lesen"), tr("{n} Token/s", n=m.get("prompt_tokens_per_s", 0))),
        (_("Text erzeugen"), tr("{n} Token/s", n=m.get("gen_tokens_per_s", 0))),
        (_("Arbeitsspeicher (Spitze)"), tr("{n} MB", n=m.get("peak_rss_mb", 0))),
        (
            _("Kontext genutzt"),
            tr(
                "{used} von {max} Token",
                used=int(m.get("context_used_tokens", 0)),
                max=int(m.get("context_tokens", 0)),
            ),
        ),
        (_("Dauer der Prüfung"), tr("{n} s", n=m.get("check_s", 0))),
    ]


def text_table(report: ModelCheckReport) -> str:
    """The table the CLI prints (plain text, fixed columns)."""
    head = [
        tr("Modellprüfung: {name}", name=report.model_name),
        tr(
            "{params} Parameter, {quant}, {mb} MB – {machine}",
            params=report.params or "?",
            quant=report.quantization or "?",
            mb=report.file_mb,
            machine=report.machine,
        ),
        "",
    ]
    w_task = max([len(r.task) for r in report.rows] + [8])
    w_check = max([len(r.check) for r in report.rows] + [8])
    w_mark = max(len(mark(x)) for x in (True, False, None))
    lines = [
        f"{r.task:<{w_task}}  {r.check:<{w_check}}  {mark(r.ok):<{w_mark}}  {r.detail}".rstrip()
        for r in report.rows
    ]
    figures = [f"{label}: {value}" for label, value in metric_lines(report)]
    summary = tr(
        "{passed} Prüfungen bestanden, {failed} nicht bestanden.",
        passed=report.passed,
        failed=report.failed,
    )
    return "\n".join([*head, *lines, "", *figures, "", summary])


CSS = """
body { font-family: system-ui, Segoe UI, sans-serif; margin: 2em; color: #1b2a3a; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #b8c2cc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #e8f1fb; }
td.pass { color: #1d6b2f; font-weight: 600; } td.fail { color: #a3231f; font-weight: 600; }
pre { background: #f7f8f9; border: 1px solid #d5dbe1; padding: 8px; white-space: pre-wrap; }
"""


def html_report(report: ModelCheckReport) -> str:
    e = html.escape
    rows = "\n".join(
        f"<tr><td>{e(r.task)}</td><td>{e(r.check)}</td>"
        f'<td class="{ {True: "pass", False: "fail", None: "info"}[r.ok] }">{e(mark(r.ok))}</td>'
        f"<td>{e(r.detail)}</td></tr>"
        for r in report.rows
    )
    figures = "\n".join(
        f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>" for label, value in metric_lines(report)
    )
    outputs = "\n".join(
        f"<h3>{e(title)}</h3>\n<pre>{e(text)}</pre>" for title, text in report.outputs.items()
    )
    kv = "\n".join(f"{k}={v}" for k, v in key_values(report).items())
    summary = tr(
        "{passed} Prüfungen bestanden, {failed} nicht bestanden.",
        passed=report.passed,
        failed=report.failed,
    )
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<title>{e(tr("Modellprüfung: {name}", name=report.model_name))}</title>
<style>{CSS}</style></head><body>
<h1>{e(tr("Modellprüfung: {name}", name=report.model_name))}</h1>
<table>
<tr><th>{e(_("Datei"))}</th><td>{e(report.model_path)}</td></tr>
<tr><th>{e(_("Parameter"))}</th><td>{e(report.params)}</td></tr>
<tr><th>{e(_("Quantisierung"))}</th><td>{e(report.quantization)}</td></tr>
<tr><th>{e(_("Dateigröße"))}</th><td>{report.file_mb} MB</td></tr>
<tr><th>{e(_("Rechner"))}</th><td>{e(report.machine)}</td></tr>
<tr><th>{e(_("Geprüft am"))}</th><td>{e(report.started)}</td></tr>
<tr><th>{e(_("Programmversion"))}</th><td>LLMoin Desktop {e(__version__)}</td></tr>
</table>
<p>{e(_("Geprüft wird, was sich ohne Urteil über die Formulierung prüfen lässt: Länge, Sprache, Aufbau, gefundene Fristen und Beträge, Quellenangaben. Die Texte stehen unten zur eigenen Durchsicht. Alle Daten blieben auf diesem Rechner."))}</p>
<h2>{e(_("Ergebnis"))}</h2>
<p><strong>{e(summary)}</strong></p>
<table><tr><th>{e(_("Aufgabe"))}</th><th>{e(_("Prüfung"))}</th><th>{e(_("Ergebnis"))}</th><th>{e(_("Gemessen"))}</th></tr>
{rows}
</table>
<h2>{e(_("Leistung auf diesem Rechner"))}</h2>
<table>{figures}</table>
<h2>{e(_("Texte des Modells"))}</h2>
{outputs}
<h2>{e(_("Maschinenlesbar (Schlüssel=Wert)"))}</h2>
<pre>{e(kv)}</pre>
</body></html>
"""


def write_report(report: ModelCheckReport, path: Path) -> tuple[Path, Path]:
    """``FILE.html`` and ``FILE.txt`` (key=value lines) beside it."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        path = path.with_name(path.name + ".html")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_report(report), encoding="utf-8")
    kv_path = path.with_suffix(".txt")
    kv_path.write_text(
        "\n".join(f"{k}={v}" for k, v in key_values(report).items()) + "\n", encoding="utf-8"
    )
    return path, kv_path
