"""The app as Orca sees it: an AT-SPI client that walks every view and drives it by keyboard.

Run by tests/test_atspi.py with the SYSTEM python (``/usr/bin/python3``), because pyatspi and
its GObject bindings come from Debian's python3-pyatspi / gir1.2-atspi-2.0 and are not on PyPI
in a form that builds without the GObject development files. It talks to the running app only
over AT-SPI (D-Bus) and sends keys with xdotool (XTEST) — no import of the app, no Qt.

Output: one JSON object per line. ``{"view": …}`` lines per view, then one ``{"summary": …}``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import unicodedata

import pyatspi
from gi.repository import GLib

APP_NAME = "LLMoin Desktop"
INTERACTIVE_ROLES = {
    pyatspi.ROLE_PUSH_BUTTON,
    pyatspi.ROLE_TOGGLE_BUTTON,
    pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON,
    pyatspi.ROLE_COMBO_BOX,
    pyatspi.ROLE_ENTRY,
    pyatspi.ROLE_PASSWORD_TEXT,
    pyatspi.ROLE_SPIN_BUTTON,
    pyatspi.ROLE_LIST,
    pyatspi.ROLE_TABLE,
    pyatspi.ROLE_TREE,
    pyatspi.ROLE_PAGE_TAB_LIST,
    pyatspi.ROLE_SLIDER,
    pyatspi.ROLE_MENU_ITEM,
}
CONTAINERS_NOT_WALKED = {pyatspi.ROLE_TABLE, pyatspi.ROLE_LIST, pyatspi.ROLE_TREE}


def log(obj: dict) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def norm(text: str) -> str:
    """Visible labels vs names: case, mnemonics (&), "…", arrows, "*" and spaces do not count."""
    text = unicodedata.normalize("NFKC", text or "").replace("&", "").lower()
    text = re.sub(r"[…←→✔*:()\[\]]|\.\.\.", " ", text)
    return " ".join(text.split())


class Recorder:
    """Collects the events a screen reader acts on: focus, announcements, text changes."""

    def __init__(self) -> None:
        self.focus = None
        self.focus_log: list[str] = []
        self.announcements: list[dict] = []
        self.inserts: list[tuple[str, int]] = []
        self.deletes: list[tuple[str, int]] = []
        self.delete_log: list[tuple[str, int, int]] = []
        self.sources: dict[str, object] = {}  # the object each text change came from, by name
        pyatspi.Registry.registerEventListener(
            self.on_event,
            "object:state-changed:focused",
            "object:announcement",
            "object:text-changed:insert",
            "object:text-changed:delete",
        )

    def on_event(self, event) -> None:  # noqa: ANN001
        try:
            kind = event.type
            if kind.startswith("object:state-changed:focused"):
                if event.detail1:
                    self.focus = event.source
                    self.focus_log.append(describe(event.source))
                elif self.focus is not None and event.source == self.focus:
                    self.focus = None
            elif kind.startswith("object:announcement"):
                self.announcements.append(
                    {"text": str(event.any_data), "politeness": event.detail1}
                )
            elif kind.startswith("object:text-changed:insert"):
                self.inserts.append((event.source.name or "", len(str(event.any_data))))
                self.sources[event.source.name or ""] = event.source
            elif kind.startswith("object:text-changed:delete"):
                self.deletes.append((event.source.name or "", len(str(event.any_data))))
                self.delete_log.append((event.source.name or "", event.detail1, event.detail2))
        except Exception:  # noqa: BLE001 - an object that died meanwhile
            pass


def pump(seconds: float) -> None:
    """Let events arrive (the GLib loop pyatspi's D-Bus connection runs on)."""
    ctx = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        while ctx.pending():
            ctx.iteration(False)
        time.sleep(0.01)


def wait_for(condition, timeout: float) -> bool:  # noqa: ANN001
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        pump(0.05)
    return condition()


def key(*keys: str) -> None:
    subprocess.run(["xdotool", "key", "--clearmodifiers", *keys], check=True)


def type_text(text: str) -> None:
    subprocess.run(["xdotool", "type", "--delay", "5", text], check=True)


def describe(acc) -> str:  # noqa: ANN001
    try:
        return f"{acc.getRoleName()}:{acc.name}"
    except Exception:  # noqa: BLE001
        return "?"


def states(acc):  # noqa: ANN001, ANN201
    try:
        return acc.getState()
    except Exception:  # noqa: BLE001
        return None


def showing(acc) -> bool:  # noqa: ANN001
    s = states(acc)
    return s is not None and s.contains(pyatspi.STATE_SHOWING) and s.contains(pyatspi.STATE_VISIBLE)


def walk(root, max_nodes: int = 3000) -> list:  # noqa: ANN001
    """Showing objects under ``root`` (cells of tables and lists are not walked one by one)."""
    out, todo = [], [root]
    while todo and len(out) < max_nodes:
        acc = todo.pop(0)
        try:
            if not showing(acc):
                continue
            out.append(acc)
            if acc.getRole() in CONTAINERS_NOT_WALKED:
                continue
            todo.extend(acc[i] for i in range(acc.childCount))
        except Exception:  # noqa: BLE001
            continue
    return out


def find_app(timeout: float = 90.0):  # noqa: ANN201
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and app.name == APP_NAME and app.childCount:
                return app
        pump(0.5)
    raise SystemExit(f"app {APP_NAME!r} did not appear on the AT-SPI bus")


def active_window(app):  # noqa: ANN001, ANN201
    windows = [app[i] for i in range(app.childCount)]
    for w in windows:
        s = states(w)
        if s is not None and s.contains(pyatspi.STATE_ACTIVE):
            return w
    return windows[-1] if windows else None


def focused_in(root):  # noqa: ANN001, ANN201
    for acc in walk(root):
        s = states(acc)
        if s is not None and s.contains(pyatspi.STATE_FOCUSED):
            return acc
    return None


def current_focus(rec: Recorder, app):  # noqa: ANN001, ANN201
    acc = rec.focus
    s = states(acc) if acc is not None else None
    if s is not None and s.contains(pyatspi.STATE_FOCUSED) and s.contains(pyatspi.STATE_SHOWING):
        return acc
    window = active_window(app)
    return focused_in(window) if window is not None else None


def labels_of(acc) -> list[str]:  # noqa: ANN001
    out = []
    try:
        for rel in acc.getRelationSet():
            if rel.getRelationType() == pyatspi.RELATION_LABELLED_BY:
                targets = [rel.getTarget(i) for i in range(rel.getNTargets())]
                # the visible label beside the field; a group box (panel) is its group's title
                out.extend(t.name or "" for t in targets if t.getRole() == pyatspi.ROLE_LABEL)
    except Exception:  # noqa: BLE001
        pass
    return [t for t in out if t.strip()]


def interactive(objs: list) -> list:
    out = []
    for acc in objs:
        s = states(acc)
        if s is None or not s.contains(pyatspi.STATE_SENSITIVE):
            continue
        try:
            if acc.parent is not None and acc.parent.getRole() == pyatspi.ROLE_COMBO_BOX:
                continue  # the text field of an editable combo box: the combo carries the name
        except Exception:  # noqa: BLE001
            pass
        if acc.getRole() in INTERACTIVE_ROLES or s.contains(pyatspi.STATE_FOCUSABLE):
            out.append(acc)
    return out


class Session:
    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app
        self.rec = Recorder()
        self.views: list[dict] = []
        self.expectations: list[dict] = []
        self.checks: dict[str, object] = {}

    # One view -------------------------------------------------------------------------
    def check_view(self, view: str, root=None, tab: bool = True) -> dict:  # noqa: ANN001
        pump(0.6)
        root = root if root is not None else active_window(self.app)
        objs = walk(root)
        inter = interactive(objs)
        unnamed = [describe(a) for a in inter if not (a.name or "").strip()]
        mismatch = []
        for acc in inter:
            if acc.getRole() == pyatspi.ROLE_COMBO_BOX:
                # Qt on Linux names a combo box by its current value and points to its label
                # with labelled-by (QAccessibleComboBox); Orca reads "label, value". The label
                # relation itself is the check here.
                if not labels_of(acc) and not (acc.name or "").strip():
                    unnamed.append(describe(acc))
                continue
            for label in labels_of(acc):
                if norm(label) and norm(label) not in norm(acc.name):
                    mismatch.append(f"{describe(acc)} (Beschriftung {label!r})")
        result = {
            "view": view,
            "interactive": len(inter),
            "unnamed": unnamed,
            "label_mismatch": mismatch,
            "traps": 0,
            "focus_lost": 0,
            "tab_stops": 0,
        }
        if tab:
            focusable = [a for a in inter if states(a).contains(pyatspi.STATE_FOCUSABLE)]
            stops, trapped, lost = self.tab_cycle(len(focusable) + 12)
            result.update(
                tab_stops=len(stops), traps=int(trapped), focus_lost=lost, tab_order=stops
            )
        self.views.append(result)
        log(result)
        return result

    def tab_cycle(self, limit: int) -> tuple[list[str], bool, int]:
        """Tab until focus comes back to where it started. Not back within ``limit`` presses
        (more than the view has stops): a trap. No focused object after a press: focus lost."""
        pump(0.3)
        start = current_focus(self.rec, self.app)
        lost = 0
        if start is None:
            key("Tab")
            pump(0.4)
            start = current_focus(self.rec, self.app)
            if start is None:
                return [], False, 1
        first = start.path
        stops = [describe(start)]
        for _ in range(limit):
            before = len(self.rec.focus_log)
            key("Tab")
            wait_for(lambda b=before: len(self.rec.focus_log) > b, 3.0)  # a slow CI machine
            pump(0.05)
            acc = current_focus(self.rec, self.app)
            if acc is None:
                lost += 1
                continue
            if acc.path == first:
                return stops, False, lost
            stops.append(describe(acc))
        return stops, True, lost

    # Helpers --------------------------------------------------------------------------
    def find(self, role: int, name_part: str, root=None):  # noqa: ANN001, ANN201
        root = root if root is not None else active_window(self.app)
        for acc in walk(root):
            try:
                if acc.getRole() == role and norm(name_part) in norm(acc.name):
                    return acc
            except Exception:  # noqa: BLE001
                continue
        return None

    def focus_on(self, acc) -> None:  # noqa: ANN001
        acc.queryComponent().grabFocus()
        pump(0.4)

    def expect_announcement(self, label: str, pattern: str, since: int, timeout: float) -> bool:
        end = time.monotonic() + timeout
        rx = re.compile(pattern, re.IGNORECASE)
        while time.monotonic() < end:
            if any(rx.search(a["text"]) for a in self.rec.announcements[since:]):
                self.expectations.append({"what": label, "ok": True})
                return True
            pump(0.2)
        self.expectations.append({"what": label, "ok": False, "pattern": pattern})
        log(
            {
                "missing_announcement": label,
                "pattern": pattern,
                "seen": [a["text"] for a in self.rec.announcements[since:]][-8:],
            }
        )
        return False

    def focus_kept(self, label: str) -> bool:
        pump(0.5)
        acc = current_focus(self.rec, self.app)
        ok = acc is not None
        self.checks[f"focus after {label}"] = describe(acc) if ok else None
        return ok

    def back_to_gallery(self) -> None:
        key("alt+Home")
        pump(0.6)


def focus_main() -> None:
    """Give the main window the X input focus. Xvfb runs no window manager, so nothing
    activates a window on start or after a dialog closed — a desktop's window manager does
    that; without it there would be no focused object at all, whatever the app does."""
    subprocess.run(
        [
            "xdotool",
            "search",
            "--onlyvisible",
            "--name",
            "^LLMoin Desktop$",
            "windowfocus",
            "--sync",
        ],
        check=False,
        capture_output=True,
        timeout=20,
    )
    pump(0.8)


def tile_names(session: Session) -> list[str]:
    """The task tiles: enabled push buttons in the gallery (not "Aufgabe importieren …",
    which opens the file dialog)."""
    window = active_window(session.app)
    gallery = None
    for acc in walk(window):
        if acc.name == "Aufgabenübersicht" and acc.getRole() != pyatspi.ROLE_PUSH_BUTTON:
            gallery = acc
            break
    names = []
    for acc in walk(gallery if gallery is not None else window):
        s = states(acc)
        if (
            acc.getRole() == pyatspi.ROLE_PUSH_BUTTON
            and s.contains(pyatspi.STATE_SENSITIVE)
            and "importieren" not in (acc.name or "")
        ):
            names.append((acc.name, is_tile(acc)))
    return names


def is_tile(acc) -> bool:  # noqa: ANN001
    """Qt's AT-SPI id is the object path; tiles are "…taskTile" (Enter must open them)."""
    try:
        return str(acc.accessibleId).endswith("taskTile")
    except Exception:  # noqa: BLE001
        return True


def open_tile(session: Session, title: str, press: str = "Return") -> bool:
    """Focus the tile, press Enter (not Space: Enter must open a tile too)."""
    session.back_to_gallery()
    tile = session.find(pyatspi.ROLE_PUSH_BUTTON, title)
    if tile is None:
        return False
    session.focus_on(tile)
    key(press)
    pump(0.8)
    gallery = [a for a in walk(active_window(session.app)) if a.name == "Aufgabenübersicht"]
    return not gallery  # the gallery gave way to the task's page


def run_task(session: Session, title: str, text: str, wait_done: float) -> None:
    """Ctrl+Enter from a form field, Esc to stop, focus checked at each point; then a full
    run until "Fertig" is announced and the result pane's text arrives as insertions."""
    if not open_tile(session, title):
        session.checks[f"{title}: geöffnet"] = False
        return
    field = session.find(pyatspi.ROLE_TEXT, "Text einfügen") or session.find(
        pyatspi.ROLE_TEXT, "Text"
    )
    if field is None:
        session.checks[f"{title}: Textfeld"] = False
        return
    session.focus_on(field)
    mark = len(session.rec.announcements)
    key("ctrl+Return")  # nothing filled in: the error must be spoken
    session.expect_announcement(f"{title}: Fehlermeldung angesagt", r"Fehler", mark, 10)
    session.focus_kept(f"{title}: Fehlermeldung")
    session.focus_on(field)
    type_text(text)
    pump(0.3)
    mark = len(session.rec.announcements)
    key("ctrl+Return")
    session.expect_announcement(
        f"{title}: Start angesagt", r"vorbereitet|schreib|wird|Teil", mark, 20
    )
    session.focus_kept(f"{title}: Strg+Enter")
    key("Escape")
    session.expect_announcement(f"{title}: Angehalten angesagt", r"Angehalten|Fertig", mark, 30)
    session.focus_kept(f"{title}: Stopp")
    # a full run: Tab order from Erzeugen, Space, and the end announced
    run_button = session.find(pyatspi.ROLE_PUSH_BUTTON, "Erzeugen")
    if run_button is not None:
        session.focus_on(run_button)
    mark = len(session.rec.announcements)
    inserts = len(session.rec.inserts)
    key("space")
    session.focus_kept(f"{title}: Leertaste auf Erzeugen")
    session.expect_announcement(f"{title}: Fertig angesagt", r"Fertig", mark, wait_done)
    session.focus_kept(f"{title}: nach dem Lauf")
    result_inserts = [n for name, n in session.rec.inserts[inserts:] if name == "Ergebnis"]
    session.checks[f"{title}: Ergebnis als Einfügungen"] = len(result_inserts)


def ask(session: Session, question: str, wait_done: float) -> None:
    if not open_tile(session, "Dokumente fragen"):
        session.checks["Dokumente fragen: geöffnet"] = False
        return
    session.check_view("Dokumente fragen (vor dem Lauf)", tab=False)
    field = session.find(pyatspi.ROLE_TEXT, "Frage")
    if field is None:
        session.checks["Dokumente fragen: Frage-Feld"] = False
        return
    session.focus_on(field)
    type_text(question)
    mark = len(session.rec.announcements)
    ins, dels = len(session.rec.inserts), len(session.rec.deletes)
    key("ctrl+Return")
    session.focus_kept("Dokumente fragen: Strg+Enter")
    ok = session.expect_announcement(
        "Dokumente fragen: Ende angesagt", r"Fertig|Fehler|Hinweis", mark, wait_done
    )
    pump(0.5)
    answer_ins = [n for name, n in session.rec.inserts[ins:] if name == "Antwort"]
    answer_del = [n for name, n in session.rec.deletes[dels:] if name == "Antwort"]
    answer = session.rec.sources.get("Antwort")
    length = -1
    if answer is not None:
        try:
            length = answer.queryText().characterCount
        except Exception:  # noqa: BLE001
            length = -2
    session.checks["answer"] = {
        "object": describe(answer) if answer is not None else None,
        "finished": ok,
        "chars": length,
        "insert_events": len(answer_ins),
        "inserted_chars": sum(answer_ins),
        "delete_events": len(answer_del),
        "deleted_chars": sum(answer_del),
        # the start of the answer, already heard, deleted again (whitespace at most)
        "head_deleted": max(
            [n for name, off, n in session.rec.delete_log[dels:] if name == "Antwort" and off == 0]
            or [0]
        ),
    }
    log({"answer": session.checks["answer"], "deletes": session.rec.delete_log[-6:]})
    session.focus_kept("Dokumente fragen: nach dem Lauf")


def empty_library_error(session: Session) -> None:
    """Asking an empty library: the error banner/message must be announced (assertive)."""
    if not open_tile(session, "Dokumente fragen"):
        return
    field = session.find(pyatspi.ROLE_TEXT, "Frage")
    if field is None:
        return
    session.focus_on(field)
    type_text("Was gilt?")
    mark = len(session.rec.announcements)
    key("ctrl+Return")
    session.expect_announcement("Fehlermeldung angesagt", r"Fehler|Hinweis", mark, 20)
    session.focus_kept("Dokumente fragen: Fehlermeldung")


def dialogs(session: Session) -> None:
    session.back_to_gallery()
    key("ctrl+m")
    pump(1.5)
    window = active_window(session.app)
    session.check_view("Modell wählen", window)
    key("Escape")
    pump(0.6)
    focus_main()
    key("ctrl+comma")
    pump(1.5)
    session.check_view("Einstellungen", active_window(session.app))
    key("Escape")
    pump(0.6)
    focus_main()


def help_menu(session: Session) -> None:
    session.back_to_gallery()
    before = len(session.rec.focus_log)
    key("F1")
    pump(1.0)
    items = [f for f in session.rec.focus_log[before:] if f.startswith("menu item")]
    session.checks["F1: aktiver Eintrag"] = items[-1] if items else None
    session.views.append(
        {
            "view": "Hilfe-Menü (F1)",
            "interactive": len(items),
            "unnamed": [],
            "label_mismatch": [],
            "traps": 0,
            "focus_lost": 0 if items else 1,
            "tab_stops": 0,
        }
    )
    log(session.views[-1])
    mark = len(session.rec.announcements)
    key("Return")  # the first entry: the guided tour
    session.expect_announcement("Einführung: Schritt 1", r"Schritt 1 von", mark, 10)
    session.check_view("Einführung (Schritt 1)", tab=False)
    mark = len(session.rec.announcements)
    key("alt+w")
    session.expect_announcement("Einführung: Schritt 2", r"Schritt 2 von", mark, 10)
    mark = len(session.rec.announcements)
    tile = session.find(pyatspi.ROLE_PUSH_BUTTON, "Zusammenfassen")
    if tile is not None:
        session.focus_on(tile)
        key("Return")
        session.expect_announcement("Einführung: Übung erledigt", r"✔", mark, 10)
    exit_button = session.find(pyatspi.ROLE_PUSH_BUTTON, "Beenden")
    if exit_button is not None:
        exit_button.queryAction().doAction(0)
    pump(0.6)


def main() -> int:
    scenario = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    app = find_app()
    session = Session(app)
    pump(2.0)
    focus_main()
    session.check_view("Übersicht")
    for title, tile in tile_names(session) if not scenario.get("only_runs") else []:
        # tiles open with Enter; other buttons there ("Neue Aufgabe") with Space, as buttons do
        if open_tile(session, title, "Return" if tile else "space"):
            session.check_view(title)
        else:
            session.checks[f"{title}: {'Enter' if tile else 'Leertaste'} öffnet"] = False
    if not scenario.get("only_runs"):  # a quicker run while debugging the runs
        key("ctrl+l")
        session.check_view("Bibliothek")
        key("ctrl+h")
        session.check_view("Verlauf")
        dialogs(session)
        help_menu(session)
    if scenario.get("empty_library"):
        empty_library_error(session)
    if scenario.get("task"):
        run_task(
            session,
            scenario["task"],
            scenario.get("text", "Bitte kurz."),
            scenario.get("wait", 120),
        )
    if scenario.get("question"):
        ask(session, scenario["question"], scenario.get("wait", 120))
    missing = [e["what"] for e in session.expectations if not e["ok"]]
    summary = {
        "views": len(session.views),
        "unnamed": sum(len(v["unnamed"]) for v in session.views),
        "label_mismatch": sum(len(v["label_mismatch"]) for v in session.views),
        "traps": sum(v["traps"] for v in session.views),
        "focus_lost": sum(v["focus_lost"] for v in session.views)
        + sum(1 for v in session.checks.values() if v is None),
        "announcements": len(session.rec.announcements),
        "announcements_missing": len(missing),
        "missing": missing,
        "checks": session.checks,
        "announced": [a["text"] for a in session.rec.announcements][:60],
    }
    log({"summary": summary})
    return 0


if __name__ == "__main__":
    sys.exit(main())
