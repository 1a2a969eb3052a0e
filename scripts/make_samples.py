"""Write the Word sample for trainer mode (resources/samples/Vermerk_Parkraumkonzept.docx).

Usage: .venv/bin/python scripts/make_samples.py
The text is ours (fictional town, fictional meeting); rerun after editing it here.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.shared import Pt

OUT = Path(__file__).resolve().parents[1] / "resources" / "samples" / "Vermerk_Parkraumkonzept.docx"

PARAGRAPHS = [
    ("Stadt Musterstadt – Fachbereich Ordnung und Verkehr", "meta"),
    ("Az.: 32.1-PK/2025-17          Musterstadt, 24. April 2025", "meta"),
    ("Vermerk", "title"),
    ("Betreff: Besprechung zum Parkraumkonzept Innenstadt am 23. April 2025", "bold"),
    (
        "Teilnehmende: Frau Schulz (FB 32, Leitung), Herr Öztürk (FB 32), Frau Weber "
        "(FB 61 Stadtplanung), Herr Krämer (Werbegemeinschaft Innenstadt e. V.).",
        "text",
    ),
    ("1. Anlass", "heading"),
    (
        "In der Innenstadt fehlen nach Zählungen vom März 2025 werktags zwischen 10 und 14 Uhr "
        "rund 140 Stellplätze. Anwohnende beschweren sich über Falschparken in den "
        "Wohnstraßen; der Einzelhandel befürchtet weniger Kundschaft, wenn Parkgebühren steigen.",
        "text",
    ),
    ("2. Ergebnisse der Besprechung", "heading"),
    (
        "a) Anwohnerparken: In der Lindenstraße und im Ahornweg soll eine Bewohnerparkzone "
        "eingerichtet werden. FB 32 prüft bis zum 31. Mai 2025 die rechtlichen Voraussetzungen.",
        "text",
    ),
    (
        "b) Parkgebühren: Die Gebühr auf dem Marktplatz bleibt vorerst bei 1,50 Euro je Stunde. "
        "Eine Erhöhung wird erst nach der Auswertung der Zählung im Herbst erneut beraten.",
        "text",
    ),
    (
        "c) Parkhaus am Bahnhof: Die Werbegemeinschaft schlägt vor, die erste Stunde kostenfrei "
        "anzubieten. FB 61 klärt die Kosten mit dem Betreiber; Ergebnis bis 15. Juni 2025.",
        "text",
    ),
    ("3. Weiteres Vorgehen", "heading"),
    (
        "Die Ergebnisse werden dem Ausschuss für Verkehr in der Sitzung am 3. Juli 2025 "
        "vorgestellt. Frau Schulz bereitet die Vorlage vor. Nächster Besprechungstermin: "
        "5. Juni 2025, 10 Uhr, Rathaus, Raum 2.14.",
        "text",
    ),
    ("gez. Öztürk", "text"),
]


def main() -> None:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    for text, kind in PARAGRAPHS:
        if kind == "title":
            doc.add_heading(text, level=1)
        elif kind == "heading":
            doc.add_heading(text, level=2)
        else:
            run = doc.add_paragraph().add_run(text)
            run.bold = kind == "bold"
            if kind == "meta":
                run.font.size = Pt(9)
    doc.core_properties.author = "Stadt Musterstadt (Übungstext)"
    doc.core_properties.title = "Vermerk Parkraumkonzept"
    doc.save(str(OUT))
    print(OUT)


if __name__ == "__main__":
    main()
