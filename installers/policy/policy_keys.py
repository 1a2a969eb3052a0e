"""Every policy key with its Group Policy presentation, German and English texts, an example.

One table feeds the ADMX/ADML templates (generate_admx.py), the example policy.toml check
and the key list in docs/rollout.md; tests/test_installer_policy.py fails when a key of
``core/settings/config.py: Settings`` is missing here.

Registry types (read by ``core/settings/policy_registry.py``, converted by ``config.coerce``):
text/enum → REG_SZ, decimal/boolean → REG_DWORD, multitext → REG_MULTI_SZ (lines joined),
lists → REG_SZ with commas.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # siblings, however this is loaded

from policy_key import DEFAULTS_SUBKEY, GROUPS, REGISTRY_KEY, PolicyKey  # noqa: E402
from policy_keys_model_tasks import MODEL_AND_TASK_KEYS  # noqa: E402

__all__ = ["DEFAULTS_SUBKEY", "GROUPS", "KEYS", "REGISTRY_KEY", "PolicyKey"]

# Data, templates and locations; interface and use; server operation.
_PLACE_UI_SERVER_KEYS: tuple[PolicyKey, ...] = (
    PolicyKey(
        "data_dir",
        "data",
        "text",
        "Datenordner",
        "Data folder",
        "Wo Verlauf, Dokumentbibliothek und der eigene Modellordner liegen. Nicht "
        "konfiguriert: %LOCALAPPDATA%\\LLMoin\\llmoin-desktop (Windows), "
        "~/.local/share/llmoin-desktop (Linux). Umgebungsvariablen werden nicht ersetzt; "
        "der Ordner muss je Benutzer verschieden sein (z. B. als Standard unter "
        "„Voreinstellungen“ oder per Benutzerrichtlinie). Beispiel: D:\\LLMoin-Daten",
        "Where history, document library and the user's own models folder live. Not "
        "configured: %LOCALAPPDATA%\\LLMoin\\llmoin-desktop (Windows), "
        "~/.local/share/llmoin-desktop (Linux). Environment variables are not expanded; "
        "the folder must differ per user. Example: D:\\LLMoin-Daten",
        "/daten/llmoin",
    ),
    PolicyKey(
        "letterhead_template",
        "data",
        "text",
        "Briefkopf-Vorlage (DOCX)",
        "Letterhead template (DOCX)",
        "Word-Vorlage der Organisation, in die Ergebnisse beim Export als DOCX eingesetzt "
        "werden. Beispiel: \\\\fileserver\\vorlagen\\briefkopf.docx",
        "The organisation's Word template into which results are placed on DOCX export. "
        "Example: \\\\fileserver\\vorlagen\\briefkopf.docx",
        "/srv/llmoin/vorlagen/briefkopf.docx",
    ),
    PolicyKey(
        "embedding_model",
        "data",
        "text",
        "Einbettungsmodell für die Dokumentsuche",
        "Embedding model for document search",
        "GGUF-Einbettungsmodell (z. B. ein mehrsprachiges BERT-Modell) für die Suche in "
        "Dokumenten. Nicht konfiguriert: das mitgelieferte mehrsprachige Modell. Beispiel: "
        "multilingual-e5-small-q8_0.gguf",
        "GGUF embedding model (e.g. a multilingual BERT model) for searching documents. Not "
        "configured: the bundled multilingual model. Example: multilingual-e5-small-q8_0.gguf",
        "multilingual-e5-small-q8_0.gguf",
    ),
    PolicyKey(
        "ask_search_terms",
        "tasks",
        "enum",
        "Suchbegriffe vom Modell (Dokumente fragen)",
        "Search terms from the model (Ask your documents)",
        "Vor der Suche nennt das Sprachmodell die Fachbegriffe zur Frage; die Bibliothek sucht "
        "auch nach ihnen (hilft bei Fragen in Alltagssprache, kostet eine kurze Antwort des "
        "Modells). Automatisch: bei Modellen ab 1 Mrd. Parametern und bei Server-Modellen. "
        "Standard: automatisch.",
        "Before searching, the language model names the technical terms for the question; the "
        "library searches for them as well (helps with questions in everyday language, costs "
        "one short model answer). Automatic: for models from 1 bn parameters and for server "
        "models. Default: automatic.",
        "auto",
        options=(
            ("auto", "Automatisch", "Automatic"),
            ("on", "Immer", "Always"),
            ("off", "Nie", "Never"),
        ),
    ),
    PolicyKey(
        "export_ai_note",
        "data",
        "boolean",
        "Hinweis „KI-erzeugt“ in Exporten",
        '"AI-generated" note in exports',
        "Aktiviert: exportierte Dokumente tragen einen Hinweis, dass der Text mit KI erstellt "
        "wurde. Standard: aktiviert.",
        "Enabled: exported documents carry a note that the text was produced with AI. "
        "Default: enabled.",
        True,
    ),
    PolicyKey(
        "factcheck_confirm_export",
        "data",
        "boolean",
        "Rückfrage vor Export ungeprüfter Angaben",
        "Confirm export of unsupported facts",
        "Aktiviert: enthält ein Ergebnis Zahlen, Daten, Fristen, Paragrafen oder Namen, die "
        "nicht in der Quelle stehen, fragt das Programm vor dem Kopieren und vor dem Export "
        "nach. Standard: deaktiviert.",
        "Enabled: when a result holds figures, dates, deadlines, § references or names not "
        "found in its source, the app asks before it is copied or exported. Default: disabled.",
        False,
    ),
    PolicyKey(
        "factcheck_chat",
        "data",
        "boolean",
        "Angaben im freien Chat prüfen",
        "Check facts in free chat",
        "Aktiviert: auch Antworten im freien Chat werden mit angehängten Dokumenten "
        "abgeglichen. Deaktiviert: die Prüfung gilt nur für geführte Aufgaben und „Dokumente "
        "fragen“. Standard: aktiviert.",
        "Enabled: free-chat answers are also checked against attached documents. Disabled: "
        "the check applies to guided tasks and document questions only. Default: enabled.",
        True,
    ),
    PolicyKey(
        "factcheck_export_comments",
        "data",
        "boolean",
        "Ungeprüfte Angaben als Word-Kommentar",
        "Unsupported facts as Word comments",
        "Aktiviert: Angaben, die nicht in der Quelle stehen, erscheinen in der Word-Datei als "
        "Kommentar „Nicht in der Quelle gefunden: …“. Deaktiviert: ohne Markierung. Standard: "
        "aktiviert.",
        'Enabled: facts not found in the source appear in the Word file as a comment "Not '
        'found in the source: …". Disabled: no marks. Default: enabled.',
        True,
    ),
    PolicyKey(
        "language",
        "ui",
        "enum",
        "Sprache der Oberfläche",
        "Interface language",
        "Sprache der Oberfläche und der Meldungen. Standard: Deutsch.",
        "Language of the interface and messages. Default: German.",
        "de",
        options=(("de", "Deutsch", "German"), ("en", "Englisch", "English")),
    ),
    PolicyKey(
        "usage_terms_text",
        "ui",
        "multitext",
        "Nutzungsbedingungen",
        "Terms of use",
        "Text der Nutzungsbedingungen, die jede Person vor der ersten Nutzung bestätigt; "
        "bei geändertem Text wird erneut gefragt. Nicht konfiguriert: der mitgelieferte "
        "Text. Beispiel: Ergebnisse vor der Verwendung prüfen. Keine Verschlusssachen "
        "eingeben.",
        "Text of the terms of use that everyone confirms before first use; a changed text "
        "is asked again. Not configured: the bundled text. Example: Check results before "
        "use. Do not enter classified information.",
        "Ergebnisse vor der Verwendung prüfen.\nKeine Verschlusssachen eingeben.",
    ),
    PolicyKey(
        "font_scale",
        "ui",
        "decimal",
        "Schriftgröße (%)",
        "Font size (%)",
        "Schriftgröße der Oberfläche in Prozent (50–200). Standard: 100. Beispiel: 125",
        "Interface font size in percent (50–200). Default: 100. Example: 125",
        125,
        minimum=50,
        maximum=200,
    ),
    PolicyKey(
        "high_contrast",
        "ui",
        "boolean",
        "Hoher Kontrast",
        "High contrast",
        "Aktiviert: Darstellung mit hohem Kontrast. Standard: aus.",
        "Enabled: high-contrast display. Default: off.",
        True,
    ),
    PolicyKey(
        "backend",
        "server",
        "enum",
        "Wo das Modell läuft",
        "Where the model runs",
        "Lokal: das Modell läuft auf diesem PC (keine Netzwerkverbindung). Server: ein "
        "OpenAI-kompatibler Server der Organisation (vLLM, llama.cpp-Server, Ollama), "
        "Adresse unter „Server-Adresse“. Standard: lokal.",
        "Local: the model runs on this PC (no network connection). Server: an "
        "OpenAI-compatible server of the organisation (vLLM, llama.cpp server, Ollama), "
        'address under "Server address". Default: local.',
        "remote",
        options=(
            ("local", "Lokal auf diesem PC", "Locally on this PC"),
            ("remote", "Server der Organisation", "Organisation's server"),
        ),
    ),
    PolicyKey(
        "remote_url",
        "server",
        "text",
        "Server-Adresse",
        "Server address",
        "Basisadresse des OpenAI-kompatiblen Servers; /v1 ist optional. Nur per Richtlinie "
        "gesetzte Server im Netz werden kontaktiert. Beispiel: http://ki.amt.intern:8000",
        "Base address of the OpenAI-compatible server; /v1 is optional. Only servers set by "
        "policy are contacted on the network. Example: http://ki.amt.intern:8000",
        "http://ki.amt.intern:8000",
    ),
    PolicyKey(
        "remote_model",
        "server",
        "text",
        "Modell auf dem Server",
        "Model on the server",
        "Modellkennung auf dem Server (wie in /v1/models). Nicht konfiguriert: das erste "
        "Modell des Servers. Beispiel: qwen2.5-7b-instruct",
        "Model id on the server (as listed by /v1/models). Not configured: the server's first "
        "model. Example: qwen2.5-7b-instruct",
        "qwen2.5-7b-instruct",
    ),
    PolicyKey(
        "remote_api_key",
        "server",
        "text",
        "API-Schlüssel des Servers",
        "Server API key",
        "Wird als „Authorization: Bearer …“ gesendet. Achtung: Werte unter "
        "HKLM\\Software\\Policies sind für alle Benutzer des PCs lesbar; einen Schlüssel "
        "verwenden, der nur für diesen Server gilt.",
        'Sent as "Authorization: Bearer …". Note: values under HKLM\\Software\\Policies '
        "are readable by every user of the PC; use a key that is valid for this server only.",
        "sk-abteilung-42",
    ),
    PolicyKey(
        "remote_timeout_s",
        "server",
        "decimal",
        "Wartezeit auf den Server (Sekunden)",
        "Server timeout (seconds)",
        "Längste Stille des Servers, bevor „antwortet zu langsam“ gemeldet wird. Standard: "
        "120. Beispiel: 180",
        'Longest silence from the server before "responds too slowly" is shown. Default: '
        "120. Example: 180",
        180,
        minimum=5,
        maximum=3600,
    ),
    PolicyKey(
        "library_server",
        "server",
        "text",
        "Server der gemeinsamen Dokumentbibliothek",
        "Shared document library server",
        "Chroma-Server (chroma run) mit der gemeinsamen Dokumentbibliothek der Abteilung. "
        "Jeder Rechner hält eine Kopie zum Suchen und gleicht sie beim Öffnen und bei „Neu "
        "einlesen“ ab; eingelesene Dokumente (Text und Suchvektoren) gehen an den Server. "
        "Optional nach der Adresse der Name der Sammlung (Standard: llmoin_library). Alle "
        "Rechner brauchen dasselbe Einbettungsmodell. Nicht konfiguriert: Bibliothek nur auf "
        "diesem Rechner. Beispiel: http://chroma.amt.intern:8000/recht",
        "Chroma server (chroma run) holding the department's shared document library. Every "
        "PC keeps a copy for searching and syncs it on opening and on re-scan; indexed "
        "documents (text and search vectors) are sent to the server. Optionally the "
        "collection name after the address (default: llmoin_library). All PCs need the same "
        "embedding model. Not configured: library on this PC only. Example: "
        "http://chroma.amt.intern:8000/recht",
        "http://chroma.amt.intern:8000",
    ),
    PolicyKey(
        "library_server_token",
        "server",
        "text",
        "Schlüssel des Bibliotheks-Servers",
        "Library server token",
        "Schlüssel, den der Bibliotheks-Server verlangt (Chromas Token-Anmeldung; vor "
        "„chroma run“ prüft ihn ein Reverse-Proxy, siehe Einführungshandbuch); wird als "
        "„X-Chroma-Token“ nur an den per Richtlinie gesetzten Server gesendet, nie in "
        "Benutzerdateien gespeichert. Achtung: Werte unter HKLM\\Software\\Policies sind für alle Benutzer "
        "des PCs lesbar; einen Schlüssel verwenden, der nur für diesen Server gilt.",
        "Key the library server requires (Chroma's token authentication; in front of "
        '"chroma run" a reverse proxy checks it, see the rollout guide); sent as '
        '"X-Chroma-Token" only to the server set by policy, never stored in user files. Note: values under HKLM\\Software\\Policies are readable '
        "by every user of the PC; use a token that is valid for this server only.",
        "bibliothek-7f3a9c",
    ),
    PolicyKey(
        "watched_folders",
        "data",
        "list",
        "Überwachte Ordner der Dokumentbibliothek",
        "Watched document library folders",
        "Ordner (z. B. Abteilungsablage auf einer Netzwerkfreigabe), die die "
        "Dokumentbibliothek auf jedem Rechner enthält und überwacht: neue, geänderte, "
        "umbenannte und gelöschte Dateien werden im Hintergrund übernommen, beim Start wird "
        "nachgeholt, was sich bei geschlossenem Programm geändert hat. Ist ein Ordner nicht "
        "erreichbar, bleiben seine Dokumente erhalten (angezeigt als offline). Mehrere Ordner "
        "durch Kommas trennen. Beispiel: \\\\server\\ablage\\bauamt",
        "Folders (e.g. a department share) that every PC's document library holds and "
        "watches: new, changed, renamed and deleted files are picked up in the background, "
        "and what changed while the app was closed is caught up at start. A folder that "
        "cannot be reached keeps its documents (shown as offline). Separate several folders "
        "with commas. Example: \\\\server\\ablage\\bauamt",
        ["/srv/ablage/bauamt"],
    ),
    PolicyKey(
        "history_enabled",
        "data",
        "boolean",
        "Verlauf speichern",
        "Keep a history",
        "Aktiviert: fertige Ergebnisse werden im Verlauf auf diesem Rechner gespeichert "
        "(nur für das eigene Benutzerkonto lesbar). Deaktiviert: es wird nichts gespeichert "
        "und keine Verlaufsdatei angelegt. Standard: aktiviert.",
        "Enabled: finished results are kept in the history on this PC (readable by the "
        "user's own account only). Disabled: nothing is stored and no history file is "
        "created. Default: enabled.",
        True,
    ),
    PolicyKey(
        "history_retention_days",
        "data",
        "decimal",
        "Aufbewahrungsfrist des Verlaufs (Tage)",
        "History retention (days)",
        "Einträge im Verlauf, die länger als so viele Tage nicht geändert wurden, werden "
        "bei jedem Programmstart gelöscht (Speicherbegrenzung nach DSGVO). 0 = bis zum "
        "Löschen durch die Beschäftigten aufbewahren. Beispiel: 30",
        "History entries not changed for more than this many days are deleted at every "
        "start of the app (storage limitation, GDPR). 0 = kept until the user deletes them. "
        "Example: 30",
        30,
        maximum=36_500,
    ),
    PolicyKey(
        "ocr_enabled",
        "data",
        "boolean",
        "Texterkennung (OCR) für Scans und Fotos",
        "Text recognition (OCR) for scans and photos",
        "Eingescannte PDF-Seiten, Fax-TIFFs und Fotos von Briefen werden per Texterkennung "
        "(Tesseract, im Programm enthalten) gelesen; nichts verlässt den Rechner. "
        "Ausgeschaltet: solche Dateien werden mit einem Hinweis abgelehnt. Standard: an.",
        "Scanned PDF pages, fax TIFFs and photos of letters are read by text recognition "
        "(Tesseract, included in the app); nothing leaves the PC. Off: such files are "
        "rejected with a notice. Default: on.",
        True,
    ),
    PolicyKey(
        "ocr_languages",
        "data",
        "text",
        "Sprachen der Texterkennung",
        "Text recognition languages",
        "Tesseract-Sprachkürzel, mit + verbunden. Mitgeliefert sind deu (Deutsch) und eng "
        "(Englisch); weitere Sprachdaten (*.traineddata) müssen im Sprachdatenordner liegen. "
        "Standard: deu+eng",
        "Tesseract language codes joined by +. deu (German) and eng (English) ship with the "
        "app; other language data (*.traineddata) must be in the language data folder. "
        "Default: deu+eng",
        "deu+eng",
    ),
)

KEYS: tuple[PolicyKey, ...] = MODEL_AND_TASK_KEYS + _PLACE_UI_SERVER_KEYS
