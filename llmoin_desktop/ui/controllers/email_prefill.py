"""Task forms: when an e-mail is chosen as the document, fill the fields it answers.

"Entwurf schreiben → Antwort" with a citizen's e-mail: recipient, subject and "Ihr Schreiben
vom" appear in the form as soon as the mail is chosen (dropped, browsed or typed), so the clerk
sees and can change them before starting. Only empty fields marked ``from_email`` in the task
file are filled (core/tasks/email_fill.py); the mail is parsed in the sandbox, off the GUI
thread. The runner fills the same fields again if the form was submitted before this finished.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from llmoin_desktop.core.tasks.email_fill import fill_from_email, wants_email
from llmoin_desktop.ui.workers import WorkerPool


class EmailPrefill(QObject):
    filled = Signal(dict)  # field name → value that was filled in

    def __init__(self, page: Any, pool: WorkerPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.form = page.form
        self.pool = pool
        self._last = ""
        self.form.valuesChanged.connect(self.check)
        page.file_dropped.connect(lambda _path: self.check())  # set_values() emits nothing

    def check(self) -> bool:
        spec, values = self.form.spec, self.form.values()
        doc_field = spec.document_field
        if doc_field is None:
            return False
        path = str(values.get(doc_field.name) or "").strip()
        if not path or path == self._last or not wants_email(spec, values):
            return False
        self._last = path

        def parse() -> Any:
            from llmoin_desktop.core.documents import parse_document

            return parse_document(path)

        # A broken mail is reported when the task runs; here it simply fills nothing.
        self.pool.call(parse, self._apply, lambda _error: None, name="email-prefill")
        return True

    def _apply(self, doc: Any) -> None:
        values = self.form.values()
        doc_field = self.form.spec.document_field
        if doc_field is None or str(values.get(doc_field.name) or "").strip() != self._last:
            return  # another file was chosen meanwhile
        filled = fill_from_email(self.form.spec, values, doc)
        changes = {k: v for k, v in filled.items() if values.get(k) != v}
        if changes:
            self.form.set_values(changes)
            self.filled.emit(changes)
