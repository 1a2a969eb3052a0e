"""The policy keys of the groups "Modell und Rechenleistung" and "Aufgaben" (part of the table
in policy_keys.py, split off so neither file is a wall of data)."""

from __future__ import annotations

from policy_key import PolicyKey

MODEL_AND_TASK_KEYS: tuple[PolicyKey, ...] = (
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
)
