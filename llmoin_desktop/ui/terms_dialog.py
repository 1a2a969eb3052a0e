"""The terms of use at first start (and after IT changed them): accept, or the app quits.

"Zustimmen" only becomes active once the clerk ticks that she has read the terms, so Enter on
an open dialog cannot accept them by accident.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from llmoin_desktop.core.errors import SettingsError
from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.settings.config import SettingsStore
from llmoin_desktop.core.terms import Terms, accept, current_terms, needs_acceptance
from llmoin_desktop.ui.a11y import name
from llmoin_desktop.ui.plain_text import PlainLabel


class TermsDialog(QDialog):
    def __init__(self, terms: Terms, parent: QWidget | None = None, *, changed: bool = False):
        super().__init__(parent)
        self.terms = terms
        self.setObjectName("termsDialog")
        self.setWindowTitle(_("Nutzungsbedingungen"))
        name(self, _("Nutzungsbedingungen"))
        self.setMinimumSize(640, 520)
        layout = QVBoxLayout(self)
        intro = PlainLabel(
            _("Die Nutzungsbedingungen wurden geändert. Bitte lesen und bestätigen Sie sie erneut.")
            if changed
            else _("Bitte lesen Sie die Nutzungsbedingungen, bevor Sie LLMoin Desktop nutzen.")
        )
        intro.setObjectName("termsIntro")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.text = QPlainTextEdit(terms.text)
        self.text.setObjectName("termsText")
        self.text.setReadOnly(True)
        self.text.setTabChangesFocus(True)
        name(self.text, _("Text der Nutzungsbedingungen"))
        layout.addWidget(self.text, 1)
        self.read_box = QCheckBox(
            _("Ich habe die Nutzungsbedingungen gelesen und stimme ihnen zu.")
        )
        self.read_box.setObjectName("termsRead")
        name(self.read_box, _("Ich habe die Nutzungsbedingungen gelesen und stimme ihnen zu."))
        layout.addWidget(self.read_box)
        self.error = PlainLabel("")
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.decline_button = QPushButton(_("Ablehnen und beenden"))
        self.decline_button.setObjectName("termsDecline")
        name(self.decline_button, _("Ablehnen und beenden"))
        self.accept_button = QPushButton(_("Zustimmen"))
        self.accept_button.setObjectName("primaryButton")
        name(self.accept_button, _("Zustimmen"), _("Erst nach dem Häkchen möglich"))
        self.accept_button.setEnabled(False)
        row.addWidget(self.decline_button)
        row.addStretch(1)
        row.addWidget(self.accept_button)
        layout.addLayout(row)
        self.read_box.toggled.connect(self.accept_button.setEnabled)
        self.accept_button.clicked.connect(self._accept)
        self.decline_button.clicked.connect(self.reject)
        self.text.setFocus()

    def _accept(self) -> None:
        try:
            accept(self.terms)
        except SettingsError as exc:
            self.error.setText(exc.user_message)
            self.error.show()
            return
        self.accept()


def ensure_terms_accepted(store: SettingsStore, parent: QWidget | None = None) -> bool:
    """True when the current terms are (now) accepted; False when the clerk declined."""
    if not needs_acceptance(store):
        return True
    from llmoin_desktop.core.terms import accepted_version
    from llmoin_desktop.ui.appearance import font_scale
    from llmoin_desktop.ui.style import window_sheet

    dialog = TermsDialog(current_terms(store), parent, changed=bool(accepted_version()))
    dialog.setStyleSheet(window_sheet(store.settings.high_contrast, font_scale(store.settings)))
    return dialog.exec() == QDialog.DialogCode.Accepted
