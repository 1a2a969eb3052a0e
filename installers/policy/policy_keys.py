"""Every policy key with its Group Policy presentation, German and English texts, an example.

One table feeds the ADMX/ADML templates (generate_admx.py), the example policy.toml check
and the key list in docs/rollout.md; tests/test_installer_policy.py fails when a key of
``core/settings/config.py: Settings`` is missing here.

Registry types (read by ``core/settings/policy_registry.py``, converted by ``config.coerce``):
text/enum → REG_SZ, decimal/boolean → REG_DWORD, multitext → REG_MULTI_SZ (lines joined),
lists → REG_SZ with commas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REGISTRY_KEY = r"Software\Policies\LLMoin\Desktop"
DEFAULTS_SUBKEY = "Defaults"

GROUPS: dict[str, tuple[str, str]] = {
    # id: (German, English)
    "model": ("Modell und Rechenleistung", "Model and performance"),
    "tasks": ("Aufgaben", "Tasks"),
    "data": ("Daten, Vorlagen und Speicherorte", "Data, templates and locations"),
    "ui": ("Oberfläche und Nutzung", "Interface and use"),
    "server": ("Server-Betrieb", "Server operation"),
}


@dataclass(frozen=True)
class PolicyKey:
    key: str
    group: str
    kind: str  # text | multitext | decimal | boolean | enum | list
    de: str
    en: str
    de_help: str
    en_help: str
    example: object  # TOML value for the example policy and the docs
    minimum: int = 0
    maximum: int = 2_000_000
    options: tuple[tuple[str, str, str], ...] = field(default=())  # (value, German, English)


KEYS: tuple[PolicyKey, ...] = (
    PolicyKey(
        "models_dir",
        "model",
        "text",
        "Modellordner",
        "Models folder",
        "Ordner mit den GGUF-Modelldateien, die die IT bereitstellt (lokaler Pfad oder "
        "Netzwerkfreigabe, auch Unterordner werden gelesen). Zusätzlich bleibt der Ordner "
        "„models“ im Datenordner des Benutzers. Beispiel: C:\\LLMoin\\Modelle",
        "Folder with the GGUF model files provided by IT (local path or network share; "
        'sub-folders are read too). The user\'s own "models" folder in the data folder '
        "stays. Example: C:\\LLMoin\\Modelle",
        "/srv/llmoin/modelle",
    ),
    PolicyKey(
        "default_model",
        "model",
        "text",
        "Standardmodell",
        "Default model",
        "Das Modell, das beim Start geladen wird: Anzeigename, Dateiname oder vollständiger "
        "Pfad. Nicht konfiguriert: das erste nutzbare Modell. Beispiel: "
        "qwen2.5-3b-instruct-q4_k_m.gguf",
        "The model loaded at start: display name, file name or full path. Not configured: "
        "the first usable model. Example: qwen2.5-3b-instruct-q4_k_m.gguf",
        "qwen2.5-3b-instruct-q4_k_m.gguf",
    ),
    PolicyKey(
        "n_ctx",
        "model",
        "decimal",
        "Kontextlänge (Token)",
        "Context length (tokens)",
        "Wie viel Text das Modell auf einmal sieht. 0 = automatisch (trainierte Länge des "
        "Modells, höchstens 32.768, begrenzt durch freien Arbeitsspeicher). Im Server-Betrieb: "
        "Kontext des Servers, falls er ihn nicht meldet. Beispiel: 8192",
        "How much text the model sees at once. 0 = automatic (the model's trained length, at "
        "most 32,768, limited by free memory). In server mode: the server's context if it does "
        "not report it. Example: 8192",
        8192,
        maximum=1_048_576,
    ),
    PolicyKey(
        "n_gpu_layers",
        "model",
        "decimal",
        "Schichten auf der Grafikkarte",
        "Layers on the GPU",
        "Wie viele Schichten des Modells auf die Grafikkarte ausgelagert werden (nur bei einer "
        "CUDA-/Metal-/Vulkan-Version). Nicht konfiguriert: alle Schichten (-1). 0 = nur "
        "Prozessor. Beispiel: 0",
        "How many model layers are offloaded to the GPU (CUDA/Metal/Vulkan builds only). Not "
        "configured: all layers (-1). 0 = CPU only. Example: 0",
        0,
        maximum=1000,
    ),
    PolicyKey(
        "n_threads",
        "model",
        "decimal",
        "Rechenkerne",
        "CPU threads",
        "Anzahl der Rechenkerne für das Modell. 0 = das Programm entscheidet: so viele Kerne, "
        "wie gerade frei sind (weniger, sobald andere Programme rechnen; so bricht das Tempo "
        "auf einem ausgelasteten PC nicht ein). Ein fester Wert schaltet diese Anpassung ab. "
        "Beispiel: 4 (lässt auf einem 8-Kern-PC Luft für andere Fachanwendungen)",
        "Number of CPU threads for the model. 0 = the app decides: as many cores as are free "
        "right now (fewer while other programs compute, so speed does not collapse on a busy "
        "PC). A fixed value switches this off. Example: 4 (leaves room for other applications "
        "on an 8-core PC)",
        4,
        maximum=256,
    ),
    PolicyKey(
        "idle_unload_minutes",
        "model",
        "decimal",
        "Modell entladen nach Minuten ohne Nutzung",
        "Unload the model after idle minutes",
        "Gibt den Arbeitsspeicher frei, wenn das Modell so lange nicht benutzt wurde; die "
        "nächste Anfrage lädt es wieder. 0 = nie entladen. Standard: 10. Beispiel: 15",
        "Frees the memory when the model was not used for this long; the next request loads "
        "it again. 0 = never unload. Default: 10. Example: 15",
        15,
        maximum=10_080,
    ),
    PolicyKey(
        "max_tokens",
        "model",
        "decimal",
        "Höchstlänge einer Antwort (Token)",
        "Maximum answer length (tokens)",
        "Obergrenze für die Länge einer Antwort des Modells. Standard: 1024. Beispiel: 1500",
        "Upper limit for the length of one answer. Default: 1024. Example: 1500",
        1500,
        minimum=16,
        maximum=32_768,
    ),
    PolicyKey(
        "long_read_mode",
        "model",
        "enum",
        "Lange Dokumente: Voreinstellung gründlich oder schnell",
        "Long documents: default thorough or quick",
        "Wie eine Zusammenfassung eines langen Dokuments gelesen wird, solange die Person im "
        "Formular nichts anderes wählt: schnell (Kernstellen, siehe „Lange Dokumente "
        "überfliegen ab Token“) oder gründlich (alles lesen). Das Formular zeigt die "
        "erwartete Dauer beider Wege. Standard: schnell. Beispiel: gruendlich",
        "How a summary of a long document is read unless the clerk chooses otherwise on the "
        'form: quick (key passages, see "Skim long documents above tokens") or thorough '
        "(read everything). The form shows the expected time of both. Default: quick. "
        "Example: gruendlich",
        "gruendlich",
        options=(
            ("schnell", "schnell (Kernstellen)", "quick (key passages)"),
            ("gruendlich", "gründlich (alles lesen)", "thorough (read everything)"),
        ),
    ),
    PolicyKey(
        "long_read_tokens",
        "model",
        "decimal",
        "Lange Dokumente überfliegen ab Token (0 = alles lesen)",
        "Skim long documents above tokens (0 = read everything)",
        "Zusammenfassungen sehr langer Dokumente lesen von jedem Absatz nur den Anfang, wenn "
        "das Dokument mehr Token hat. 0 = immer alles lesen (mit GPU oder Server empfohlen). "
        "Standard: 16000. Beispiel: 0",
        "Summaries of very long documents read only the beginning of each paragraph when the "
        "document has more tokens. 0 = always read everything (recommended with a GPU or a "
        "server). Default: 16000. Example: 0",
        0,
        maximum=1_000_000,
    ),
    PolicyKey(
        "temperature",
        "model",
        "text",
        "Kreativität (Temperatur)",
        "Creativity (temperature)",
        "Zahl zwischen 0 und 2 mit Punkt als Dezimaltrennzeichen; niedrig = sachlich und "
        "wiederholbar. Standard: 0.3. Beispiel: 0.2",
        "Number between 0 and 2 with a dot as decimal separator; low = factual and "
        "repeatable. Default: 0.3. Example: 0.2",
        0.2,
    ),
    PolicyKey(
        "thinking_tasks",
        "model",
        "boolean",
        "Denken des Modells bei Aufgaben",
        "Model thinking in tasks",
        "Nur für Modelle, deren Chat-Vorlage das Nachdenken abschalten lässt (z. B. Qwen3): "
        "ob sie bei geführten Aufgaben vor der Antwort nachdenken. Kostet auf einem PC ohne "
        "Grafikkarte viel Zeit. Standard: aus. Beispiel: false",
        "Only for models whose chat template can switch thinking off (e.g. Qwen3): whether "
        "they think before answering in guided tasks. Costs much time on a PC without a "
        "graphics card. Default: off. Example: false",
        False,
    ),
    PolicyKey(
        "thinking_chat",
        "model",
        "boolean",
        "Denken des Modells im freien Chat",
        "Model thinking in free chat",
        "Wie thinking_tasks, aber für den freien Chat. Standard: an. Beispiel: true",
        "Like thinking_tasks, but for the free chat. Default: on. Example: true",
        True,
    ),
    PolicyKey(
        "thinking_max_tokens",
        "model",
        "decimal",
        "Höchstlänge des Nachdenkens (Token)",
        "Maximum length of thinking (tokens)",
        "Denkende Modelle (DeepSeek-R1, Qwen3, gpt-oss …) dürfen so viele Token nachdenken; "
        "danach beendet das Programm das Nachdenken und das Modell antwortet. Zählt nicht zur "
        "Antwortlänge (max_tokens). 0 = sofort antworten. Standard: 1024. Beispiel: 512",
        "Reasoning models (DeepSeek-R1, Qwen3, gpt-oss …) may think this many tokens; then "
        "the app ends the thinking and the model answers. Not counted in the answer length "
        "(max_tokens). 0 = answer at once. Default: 1024. Example: 512",
        512,
        maximum=100_000,
    ),
    PolicyKey(
        "chat_template_fallback",
        "model",
        "text",
        "Chat-Vorlage für Modelle ohne Vorlage",
        "Chat template for models without one",
        "Für ältere GGUF-Dateien ohne eingebaute Chat-Vorlage: ein mitgeliefertes Format "
        "(chatml, llama3, mistral, gemma, phi3) oder der Pfad einer Jinja-Vorlagendatei. "
        "Nicht konfiguriert: solche Modelle werden nicht verwendet. Beispiel: chatml",
        "For older GGUF files without a built-in chat template: a bundled format (chatml, "
        "llama3, mistral, gemma, phi3) or the path of a Jinja template file. Not configured: "
        "such models are not used. Example: chatml",
        "chatml",
    ),
    PolicyKey(
        "allowed_tasks",
        "tasks",
        "list",
        "Erlaubte Aufgaben",
        "Allowed tasks",
        "Kennungen der Aufgaben, die angezeigt werden, durch Kommas getrennt. Nicht "
        "konfiguriert: alle. Kennungen: zusammenfassen, entwurf, einfache_sprache, extrahieren, "
        "dokumente_fragen und die der zusätzlichen Aufgaben. Beispiel: "
        "zusammenfassen,einfache_sprache",
        "Ids of the tasks that are shown, separated by commas. Not configured: all. Ids: "
        "zusammenfassen, entwurf, einfache_sprache, extrahieren, dokumente_fragen and those of "
        "the extra tasks. Example: zusammenfassen,einfache_sprache",
        ["zusammenfassen", "einfache_sprache"],
    ),
    PolicyKey(
        "hidden_tasks",
        "tasks",
        "list",
        "Ausgeblendete Aufgaben",
        "Hidden tasks",
        "Kennungen von Aufgaben, die nicht angezeigt werden, durch Kommas getrennt. "
        "Beispiel: extrahieren",
        "Ids of tasks that are not shown, separated by commas. Example: extrahieren",
        ["extrahieren"],
    ),
    PolicyKey(
        "extra_tasks_dir",
        "tasks",
        "text",
        "Zusätzlicher Aufgabenordner",
        "Extra tasks folder",
        "Ordner mit eigenen Aufgabendateien (*.toml, Format siehe docs/tasks.md) der "
        "Organisation; eine Datei mit gleicher Kennung ersetzt die mitgelieferte Aufgabe. "
        "Beispiel: \\\\fileserver\\llmoin\\aufgaben",
        "Folder with the organisation's own task files (*.toml, format in docs/tasks.md); a "
        "file with the same id replaces the bundled task. Example: "
        "\\\\fileserver\\llmoin\\aufgaben",
        "/srv/llmoin/aufgaben",
    ),
    PolicyKey(
        "department_tasks_dir",
        "tasks",
        "text",
        "Aufgabenordner der Abteilung",
        "Department tasks folder",
        "Gemeinsamer Ordner (meist eine Netzwerkfreigabe) für Aufgaben, die Beschäftigte mit dem "
        "Aufgaben-Editor erstellt haben. Sie erscheinen bei allen im Abschnitt „Aufgaben der "
        "Abteilung“ mit Autorin, Version und Datum; die neueste Version gilt. Wer hineinschreiben "
        "darf, regelt „Aufgaben veröffentlichen“. Beispiel: \\\\fileserver\\abteilung\\aufgaben",
        "Shared folder (usually a network share) for tasks staff built with the task editor. "
        'They appear for everybody under "Department tasks" with author, version and date; the '
        'newest version wins. Who may write into it is set by "Publish tasks". Example: '
        "\\\\fileserver\\abteilung\\aufgaben",
        "/srv/llmoin/abteilung-aufgaben",
    ),
    PolicyKey(
        "task_publishing",
        "tasks",
        "enum",
        "Aufgaben veröffentlichen",
        "Publish tasks",
        "Wer eigene Aufgaben in den Aufgabenordner der Abteilung veröffentlichen darf: niemand "
        "(die IT legt die Dateien selbst ab), alle, oder ausgewählte Personen (Anmeldenamen in "
        "„Aufgaben-Redaktion“). Standard: niemand.",
        "Who may publish own tasks into the department tasks folder: nobody (IT copies the "
        'files itself), everybody, or selected people (login names in "Task editors"). '
        "Default: nobody.",
        "ausgewaehlte",
        options=(
            ("niemand", "Niemand (nur die IT)", "Nobody (IT only)"),
            ("alle", "Alle", "Everybody"),
            ("ausgewaehlte", "Ausgewählte Personen", "Selected people"),
        ),
    ),
    PolicyKey(
        "task_editors",
        "tasks",
        "list",
        "Aufgaben-Redaktion",
        "Task editors",
        "Anmeldenamen (durch Kommas getrennt), die Aufgaben für die Abteilung veröffentlichen "
        "dürfen, wenn „Aufgaben veröffentlichen“ auf „Ausgewählte Personen“ steht. Beispiel: "
        "mmuster, eschmidt",
        'Login names (comma-separated) allowed to publish department tasks when "Publish tasks" '
        'is "Selected people". Example: mmuster, eschmidt',
        ["mmuster", "eschmidt"],
    ),
    PolicyKey(
        "governance_rules_file",
        "tasks",
        "text",
        "Zusätzliche Regeln der Hochrisiko-Prüfung",
        "Extra rules of the high-risk check",
        "TOML-Datei mit weiteren Regeln für die Prüfung eigener Aufgaben (Format wie "
        "resources/governance/hochrisiko.toml, siehe docs/tasks.md); eine Regel mit gleicher id "
        'ersetzt die mitgelieferte, level = "aus" schaltet sie ab. Beispiel: '
        "\\\\fileserver\\llmoin\\regeln.toml",
        "TOML file with further rules for checking own tasks (format as "
        "resources/governance/hochrisiko.toml, see docs/tasks.md); a rule with the same id "
        'replaces the bundled one, level = "aus" switches it off. Example: '
        "\\\\fileserver\\llmoin\\regeln.toml",
        "/srv/llmoin/regeln.toml",
    ),
    PolicyKey(
        "governance_warning_blocks_publishing",
        "tasks",
        "boolean",
        "Hochrisiko-Warnung verhindert Veröffentlichen",
        "High-risk warning prevents publishing",
        "Aktiviert: Eigene Aufgaben, bei denen die Prüfung einen Hochrisiko-Bereich der "
        "KI-Verordnung meldet, können nicht in den Abteilungsordner veröffentlicht werden "
        "(speichern für sich selbst geht mit Hinweis). Gesperrte Aufgaben gehen nie. "
        "Standard: aktiviert.",
        "Enabled: own tasks for which the check reports a high-risk area of the AI Act cannot "
        "be published into the department folder (saving for oneself works, with a note). "
        "Blocked tasks never can. Default: enabled.",
        True,
    ),
    PolicyKey(
        "own_tasks",
        "tasks",
        "boolean",
        "Eigene Aufgaben erlauben",
        "Allow own tasks",
        "Aktiviert: Beschäftigte können mit dem Aufgaben-Editor eigene Aufgaben anlegen und "
        "Aufgabendateien importieren. Deaktiviert: kein Editor, kein Import, der Ordner mit "
        "eigenen Aufgaben wird nicht gelesen. Bei gesperrtem freiem Chat müssen eigene "
        "Aufgaben eine feste Anweisung behalten. Standard: erlaubt.",
        "Enabled: staff can build their own tasks with the task editor and import task files. "
        "Disabled: no editor, no import, the own tasks folder is not read. With free chat "
        "switched off, own tasks must keep a fixed instruction. Default: allowed.",
        False,
    ),
    PolicyKey(
        "allowed_models",
        "model",
        "list",
        "Erlaubte Modelle",
        "Allowed models",
        "Nur diese Modelle dürfen geladen werden (Oberfläche und Kommandozeile): "
        "GGUF-Dateinamen oder SHA-256-Prüfsummen, durch Kommas getrennt. Leer: alle Modelle "
        "in den Modellordnern. Beispiel: mistral-7b-instruct-v0.3.Q4_K_M.gguf",
        "Only these models may be loaded (GUI and command line): GGUF file names or SHA-256 "
        "checksums, separated by commas. Empty: every model in the model folders. Example: "
        "mistral-7b-instruct-v0.3.Q4_K_M.gguf",
        ["mistral-7b-instruct-v0.3.Q4_K_M.gguf"],
    ),
    PolicyKey(
        "free_chat",
        "tasks",
        "boolean",
        "Freies Chatten erlauben",
        "Allow free chat",
        "Aktiviert: neben den geführten Aufgaben gibt es einen freien Chat mit dem Modell. "
        "Deaktiviert: nur geführte Aufgaben. Standard: erlaubt.",
        "Enabled: besides the guided tasks there is a free chat with the model. Disabled: "
        "guided tasks only. Default: allowed.",
        False,
    ),
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
