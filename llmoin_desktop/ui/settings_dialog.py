"""Settings dialog: every layered setting, with the keys IT locked shown greyed out.

The editor for a key is chosen from the type of its default (bool → check box, int → spin
box, …), so a new setting in ``core.settings.config.Settings`` appears here without UI code; only its
label and group come from ``SETTING_LABELS``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.errors import SettingsError
from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.settings.config import SETTING_KEYS, SettingsStore
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel, verbatim


def setting_labels() -> dict[str, tuple[str, str]]:
    """key → (group, label). Keys not listed go to "Erweitert" under their own name."""
    general, model, tasks, look, remote = (
        _("Allgemein"),
        _("Modell"),
        _("Aufgaben"),
        _("Darstellung"),
        _("Server und Speicherorte"),
    )
    return {
        "language": (general, _("Sprache")),
        "free_chat": (general, _("Freies Chatten mit dem Modell erlauben")),
        "usage_terms_text": (general, _("Nutzungsbedingungen")),
        "export_ai_note": (general, _("Hinweis „KI-erzeugt“ in Exporten")),
        "factcheck_export_comments": (
            general,
            _("Nicht belegte Angaben als Kommentar in Word-Exporten"),
        ),
        "factcheck_confirm_export": (
            general,
            _("Vor Kopieren/Export nicht belegter Angaben nachfragen"),
        ),
        "factcheck_chat": (general, _("Angaben im freien Chat prüfen")),
        "ocr_enabled": (general, _("Texterkennung (OCR) für Scans und Fotos")),
        "ocr_languages": (general, _("Sprachen der Texterkennung (z. B. deu+eng)")),
        "history_enabled": (general, _("Ergebnisse im Verlauf speichern")),
        "history_retention_days": (general, _("Verlauf aufbewahren (Tage, 0 = unbegrenzt)")),
        "default_model": (model, _("Standardmodell")),
        "models_dir": (model, _("Modellordner")),
        "n_ctx": (model, _("Kontextlänge (0 = automatisch)")),
        "n_gpu_layers": (model, _("Schichten auf der Grafikkarte (-1 = alle)")),
        "n_threads": (model, _("Rechenkerne (0 = automatisch)")),
        "idle_unload_minutes": (model, _("Modell entladen nach Minuten ohne Nutzung")),
        "max_tokens": (model, _("Höchstlänge einer Antwort (Token)")),
        "long_read_tokens": (model, _("Lange Dokumente überfliegen ab Token (0 = alles lesen)")),
        "long_read_mode": (model, _("Lange Dokumente: Voreinstellung")),
        "temperature": (model, _("Kreativität (Temperatur)")),
        "thinking_tasks": (model, _("Denkende Modelle: bei Aufgaben nachdenken lassen")),
        "thinking_chat": (model, _("Denkende Modelle: im freien Chat nachdenken lassen")),
        "thinking_max_tokens": (model, _("Höchstlänge des Nachdenkens (Token)")),
        "chat_template_fallback": (model, _("Chat-Vorlage für Modelle ohne Vorlage")),
        "allowed_tasks": (tasks, _("Erlaubte Aufgaben (leer = alle)")),
        "hidden_tasks": (tasks, _("Ausgeblendete Aufgaben")),
        "extra_tasks_dir": (tasks, _("Zusätzlicher Aufgabenordner")),
        "department_tasks_dir": (tasks, _("Aufgabenordner der Abteilung")),
        "task_publishing": (tasks, _("Aufgaben veröffentlichen (niemand, alle, ausgewaehlte)")),
        "task_editors": (tasks, _("Aufgaben-Redaktion (Anmeldenamen)")),
        "governance_rules_file": (tasks, _("Zusätzliche Regeln der Hochrisiko-Prüfung")),
        "governance_warning_blocks_publishing": (
            tasks,
            _("Hochrisiko-Warnung verhindert Veröffentlichen"),
        ),
        "own_tasks": (tasks, _("Eigene Aufgaben erlauben (Aufgaben-Editor, Import)")),
        "allowed_models": (model, _("Erlaubte Modelle (Dateinamen oder SHA-256, leer = alle)")),
        "font_scale": (look, _("Schriftgröße (%)")),
        "high_contrast": (look, _("Hoher Kontrast")),
        "backend": (remote, _("Das Modell läuft auf")),
        "remote_url": (remote, _("Server-Adresse")),
        "remote_model": (remote, _("Modell auf dem Server")),
        "library_server": (remote, _("Bibliotheks-Server")),
        "library_server_token": (remote, _("Schlüssel des Bibliotheks-Servers")),
        "embedding_model": (remote, _("Einbettungsmodell für die Suche")),
        "watched_folders": (remote, _("Überwachte Ordner der Bibliothek (durch Kommas getrennt)")),
        "ask_search_terms": (tasks, _("Suchbegriffe vom Modell (Dokumente fragen)")),
        "remote_api_key": (remote, _("Zugangsschlüssel für den Server")),
        "remote_timeout_s": (remote, _("Wartezeit auf den Server (Sekunden)")),
        "data_dir": (remote, _("Datenordner")),
        "letterhead_template": (remote, _("Briefkopf-Vorlage (DOCX)")),
    }


def choices() -> dict[str, list[tuple[str, str]]]:
    """Keys with a fixed set of values get a drop-down (value, visible text)."""
    return {
        "language": [("de", "Deutsch"), ("en", "English")],
        "backend": [("local", _("diesem PC")), ("remote", _("einem Server der Organisation"))],
        "long_read_mode": [
            ("schnell", _("schnell (Kernstellen)")),
            ("gruendlich", _("gründlich (alles lesen)")),
        ],
        "ask_search_terms": [
            ("auto", _("automatisch (ab 1 Mrd. Parameter)")),
            ("on", _("immer")),
            ("off", _("nie")),
        ],
    }


class SettingsDialog(QDialog):
    def __init__(self, store: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(_("Einstellungen"))
        self.setMinimumSize(720, 560)
        name(self, _("Einstellungen"))
        self.editors: dict[str, QWidget] = {}
        self.error_label = PlainLabel("")
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        outer = QVBoxLayout(self)
        if store.policy_locked:
            hint = PlainLabel(_("Ausgegraute Einstellungen sind vom Administrator festgelegt."))
            hint.setObjectName("policyHint")
            hint.setWordWrap(True)
            outer.addWidget(hint)
        for problem in store.problems:
            problem_label = PlainLabel(problem)
            problem_label.setObjectName("errorText")
            problem_label.setWordWrap(True)
            outer.addWidget(problem_label)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # A frame, not a Tab stop: focus goes straight to the first setting, and the area
        # scrolls to whichever editor has focus.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        name(scroll, _("Einstellungen"))
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        groups: dict[str, QFormLayout] = {}
        labels = setting_labels()
        group_order: list[str] = []
        for key in SETTING_KEYS:
            group = labels.get(key, (_("Erweitert"), key))[0]
            if group not in group_order:
                group_order.append(group)
        # Keys grouped in the order the groups appear, so Tab goes through one group, then the
        # next, as the eye reads (not back and forth between groups).
        ordered = sorted(
            SETTING_KEYS, key=lambda k: group_order.index(labels.get(k, (_("Erweitert"),))[0])
        )
        for key in ordered:
            group, label_text = labels.get(key, (_("Erweitert"), key))
            if group not in groups:
                box = QGroupBox(group)
                groups[group] = QFormLayout(box)
                groups[group].setFieldGrowthPolicy(
                    QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow
                )
                inner_layout.addWidget(box)
            editor = self._editor(key, getattr(store.settings, key))
            locked = store.is_locked(key)
            label = PlainLabel(label_text)  # no word wrap: wrapped form labels get clipped
            label.setBuddy(editor)
            accessible = label_text
            if locked:
                editor.setEnabled(False)
                note = _("vom Administrator festgelegt")
                editor.setToolTip(verbatim(note))
                label.setText(f"{label_text}\n({note})")
                label.setEnabled(False)
                accessible = f"{label_text} ({note})"
            name(editor, accessible)
            self.editors[key] = editor
            groups[group].addRow(label, editor)
        self.model_check_button: QPushButton | None = None
        if _("Modell") in groups:  # IT checks the loaded model from here (issue 12)
            self.model_check_button = QPushButton(_("Modell prüfen …"))
            name(self.model_check_button, _("Modell prüfen"))
            self.model_check_button.clicked.connect(self._open_model_check)
            groups[_("Modell")].addRow("", self.model_check_button)
        inner_layout.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.error_label)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(_("Speichern"))
        name(save, _("Speichern"))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Abbrechen"))
        name(cancel, _("Abbrechen"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        chain = [self.editors[k] for k in ordered if self.editors[k].isEnabled()]
        if self.model_check_button is not None:
            chain.append(self.model_check_button)
        chain += [save, cancel]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _open_model_check(self) -> None:
        from llmoin_desktop.ui.model_check_dialog import open_model_check

        self.model_check = open_model_check(self)

    def _editor(self, key: str, value: Any) -> QWidget:
        options = choices()
        if key in options:
            combo = QComboBox()
            for data, text in options[key]:
                combo.addItem(text, data)
            index = combo.findData(value)
            combo.setCurrentIndex(max(index, 0))
            return combo
        if isinstance(value, bool):
            box = QCheckBox()
            box.setChecked(value)
            return box
        if isinstance(value, int):
            from llmoin_desktop.core.settings.config_validation import numeric_range

            spin = QSpinBox()
            spin.setRange(*numeric_range(key, -1, 1_000_000))  # the validation table's range
            spin.setValue(value)
            return spin
        if isinstance(value, float):
            dspin = QDoubleSpinBox()
            dspin.setRange(0.0, 2.0)
            dspin.setSingleStep(0.1)
            dspin.setValue(value)
            return dspin
        line = QLineEdit(", ".join(value) if isinstance(value, list) else str(value))
        if key.endswith(("_api_key", "_token")):
            line.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)  # not shown to onlookers
        return line

    def value(self, key: str) -> Any:
        editor = self.editors[key]
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox | QDoubleSpinBox):
            return editor.value()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    def changed(self) -> dict[str, Any]:
        from llmoin_desktop.core.settings.config import coerce

        out: dict[str, Any] = {}
        for key in self.editors:
            if self.store.is_locked(key):
                continue
            try:
                new = coerce(key, self.value(key))
            except SettingsError:
                new = self.value(key)
            if new != getattr(self.store.settings, key):
                out[key] = new
        return out

    def save(self) -> None:
        try:
            for key, value in self.changed().items():
                self.store.set(key, value, save=False)
            self.store.save()
        except SettingsError as exc:
            self.error_label.setText(exc.user_message)
            self.error_label.show()
            return
        self.accept()

    def locked_editors(self) -> dict[str, QWidget]:
        return {k: w for k, w in self.editors.items() if self.store.is_locked(k)}
