"""Parsing in child processes with a time limit, a memory limit and a hard kill.

pypdf and friends can loop forever or allocate gigabytes on a hostile file, and no Python
code can interrupt that from the inside. So every file is parsed by a worker process
(``worker.py``): we wait for its answer with a deadline and kill it when the deadline passes.
Starting Python costs about a second here, so workers stay alive across files and are only
restarted after a crash, a timeout or a number of files.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmoin_desktop.core import i18n
from llmoin_desktop.core.documents.errors import (
    Damaged,
    DocumentError,
    FileUnreadable,
    ParseTimeout,
    TooLarge,
    error_from_kind,
)
from llmoin_desktop.core.documents.model import Block, Document
from llmoin_desktop.core.errors import Cancelled, LLMoinError
from llmoin_desktop.core.i18n import _
from llmoin_desktop.core.jobs import CancelToken

MAX_FILE_MB = 200  # larger files are rejected before parsing (TooLarge)
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MEMORY_MB = 1536  # address-space cap per worker (POSIX); pypdf peaks well below
# The longest budget a worker may claim for one step (one OCR page): a hostile file must
# not buy itself unlimited time by announcing it.
MAX_STEP_BUDGET_S = 600.0
FILES_PER_WORKER = 200  # recycle workers so one huge file's heap does not linger


def worker_command() -> list[str]:
    """How to start a worker: ``-m`` from a checkout/install, a flag in a frozen bundle.

    A PyInstaller bundle cannot run ``-m``; its entry point must call
    ``llmoin_desktop.core.documents.worker.main(sys.argv[2:])`` for ``--document-worker``.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable, "--document-worker"]
    return [sys.executable, "-m", "llmoin_desktop.core.documents.worker"]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONIOENCODING"] = "utf-8"
    return env


class _WorkerDied(Exception):
    def __init__(self, detail: str, code: int | None = None) -> None:
        super().__init__(detail)
        self.code = code


class _Worker:
    """One child process and the thread that reads its answers."""

    def __init__(self, memory_mb: int, background: bool = False) -> None:
        self.memory_mb = memory_mb
        self.background = background  # below normal priority (issue 24: indexing)
        self.proc: subprocess.Popen[bytes] | None = None
        self.answers: queue.Queue[bytes | None] = queue.Queue()
        self.files = 0
        self.killed_on_purpose = False
        self._lock = threading.Lock()

    def _start(self) -> None:
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        extra: list[str] = []
        if self.background:
            from llmoin_desktop.core.priority import background_popen_kwargs

            flags |= int(background_popen_kwargs().get("creationflags", 0))
            extra = ["--background"]
        self.proc = subprocess.Popen(
            [*worker_command(), "--memory-mb", str(self.memory_mb), *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_child_env(),
            creationflags=flags,
        )
        self.answers = queue.Queue()
        self.files = 0
        self.killed_on_purpose = False
        threading.Thread(
            target=self._read, args=(self.proc, self.answers), daemon=True, name="doc-worker-read"
        ).start()

    @staticmethod
    def _read(proc: subprocess.Popen[bytes], answers: queue.Queue[bytes | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            answers.put(line)
        answers.put(None)

    def request(
        self,
        payload: dict[str, Any],
        timeout_s: float,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> dict[str, Any]:
        """Send one request; raises TimeoutError (worker killed) or _WorkerDied.

        ``timeout_s`` is the longest silence, not the longest parse: every progress line
        (one per page) starts it again, so a 1,500-page file that keeps going is read
        completely and a stalled one is stopped after ``timeout_s``.
        """
        if self.proc is None or self.proc.poll() is not None or self.files >= FILES_PER_WORKER:
            self.kill()
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        self.files += 1
        try:
            self.proc.stdin.write(json.dumps(payload).encode("ascii") + b"\n")
            self.proc.stdin.flush()
        except OSError as exc:
            self.kill()
            raise _WorkerDied(repr(exc)) from exc
        wait = timeout_s
        while True:
            try:
                line = self.answers.get(timeout=wait)
            except queue.Empty:
                self.kill()
                raise TimeoutError from None
            if line is None or not line.startswith(b'{"progress"'):
                break
            if on_progress is not None:
                # A broken progress line or listener must never cost the file itself.
                with contextlib.suppress(Exception):
                    message = json.loads(line)
                    step, total, text = message["progress"]
                    on_progress(int(step), int(total), str(text))
            # The worker may announce a longer budget for its next step (an OCR page).
            try:
                budget = float(json.loads(line).get("budget") or 0)
            except (ValueError, TypeError, AttributeError):
                budget = 0.0
            wait = max(timeout_s, min(budget, MAX_STEP_BUDGET_S))
        if line is None:
            code = self.proc.wait() if self.proc else None
            self.kill()
            raise _WorkerDied(f"exit code {code}", code)
        answer: dict[str, Any] = json.loads(line)
        if answer.get("restart"):
            self.kill()
        return answer

    def kill(self, on_purpose: bool = False) -> None:
        with self._lock:
            proc, self.proc = self.proc, None
            if on_purpose:
                self.killed_on_purpose = True
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout):
            if stream:
                with contextlib.suppress(OSError):
                    stream.close()


def ocr_settings() -> dict[str, Any]:
    """OCR on/off and languages from the settings (policy included) for the worker."""
    from llmoin_desktop.core.documents.scan_text import cache_dir

    options: dict[str, Any] = {"cache_dir": str(cache_dir())}
    try:
        from llmoin_desktop.core.settings.config import SettingsStore

        settings = SettingsStore().load()
        options.update(enabled=settings.ocr_enabled, languages=settings.ocr_languages)
    except Exception:  # noqa: BLE001 - unreadable settings: the defaults (on, deu+eng)
        pass
    return options


def _document_from_dict(data: dict[str, Any]) -> Document:
    blocks = [Block(**b) for b in data.pop("blocks", [])]
    known = {f.name for f in dataclasses.fields(Document)}
    return Document(blocks=blocks, **{k: v for k, v in data.items() if k in known})


@dataclass
class ParseOutcome:
    """What happened to one file of a batch: a document, or an error with a clerk message."""

    path: str
    document: Document | None = None
    error: LLMoinError | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.document is not None

    @property
    def status(self) -> str:
        """``indexed``, ``cancelled`` or the error's ``kind`` (``password_protected``, …)."""
        if self.document is not None:
            return "indexed"
        if isinstance(self.error, Cancelled):
            return "cancelled"
        return getattr(self.error, "kind", "error")

    @property
    def message(self) -> str:
        if self.error is not None:
            return self.error.user_message
        return "; ".join(self.document.warnings) if self.document else ""


class DocumentParser:
    """A small pool of sandbox workers; thread-safe; reuse one for many files.

    ``parse`` raises typed :class:`DocumentError`s; ``parse_many``/``iter_parse`` never raise
    for a bad file, they report it in its :class:`ParseOutcome`.
    """

    def __init__(
        self,
        *,
        workers: int = 1,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        memory_mb: int = DEFAULT_MEMORY_MB,
        max_file_mb: float = MAX_FILE_MB,
        background: bool = False,
    ) -> None:
        """``background``: the workers (and their OCR threads) run below normal priority,
        for indexing and watched folders; an interactive task keeps normal priority."""
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.max_file_mb = max_file_mb
        self._idle: list[_Worker] = [_Worker(memory_mb, background) for _ in range(self.workers)]
        self._all = list(self._idle)
        self._cond = threading.Condition()
        self._busy: set[_Worker] = set()

    # Worker pool ----------------------------------------------------------------------
    def _acquire(self) -> _Worker:
        with self._cond:
            while not self._idle:
                self._cond.wait()
            worker = self._idle.pop()
            self._busy.add(worker)
            return worker

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            self._busy.discard(worker)
            self._idle.append(worker)
            self._cond.notify()

    def _kill_busy(self) -> None:
        with self._cond:
            busy = list(self._busy)
        for worker in busy:
            worker.kill(on_purpose=True)

    def close(self) -> None:
        """Stop all worker processes (they are restarted if the parser is used again)."""
        for worker in self._all:
            worker.kill()

    def __enter__(self) -> DocumentParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Parsing --------------------------------------------------------------------------
    def _check_file(self, path: Path) -> None:
        try:
            st = path.stat()
        except OSError as exc:
            raise FileUnreadable(path, detail=repr(exc)) from exc
        if not path.is_file():
            raise FileUnreadable(path, detail="not a regular file")
        if st.st_size > self.max_file_mb * 1024 * 1024:
            raise TooLarge(path, detail=f"{self.max_file_mb:g}")

    def parse(
        self,
        path: str | Path,
        *,
        timeout_s: float | None = None,
        cancel: CancelToken | None = None,
        loader: str | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> Document:
        """Parse one file in a worker. ``loader`` ("module:function") replaces the default
        loader inside the worker; tests use it to prove that hangs and crashes are contained.
        ``on_progress(step, total, text)`` sees the worker's per-page progress
        ("Texterkennung: Seite 3 von 12"); ``timeout_s`` is the longest time without progress.
        """
        p = Path(path).resolve()
        self._check_file(p)
        if cancel is not None:
            cancel.raise_if_cancelled()
        payload = {
            "path": str(p),
            "lang": i18n.language(),
            "loader": loader,
            "ocr": ocr_settings(),
        }
        worker = self._acquire()
        active = [True]
        if cancel is not None:
            # Stop kills this file's worker at once (a page in Tesseract or pypdf cannot be
            # interrupted from outside); the next file gets a fresh worker.
            cancel.on_cancel(lambda: worker.kill(on_purpose=True) if active[0] else None)
        try:
            answer = worker.request(
                payload, self.timeout_s if timeout_s is None else timeout_s, on_progress
            )
        except TimeoutError:
            raise ParseTimeout(p, detail=f"stalled:{timeout_s or self.timeout_s:g}") from None
        except _WorkerDied as exc:
            if worker.killed_on_purpose or (cancel is not None and cancel.cancelled):
                raise Cancelled(_("Abgebrochen.")) from None
            # A parser that dies without an answer hit the memory cap or crashed in C code.
            # SIGABRT is what C++ code (Tesseract, pdfium) does when an allocation fails under
            # the cap, SIGKILL what the system's out-of-memory killer does: name the memory.
            if exc.code in (-6, -9):
                raise TooLarge(p, detail="memory") from None
            raise Damaged(p, detail=f"parser process died: {exc}") from None
        finally:
            active[0] = False
            self._release(worker)
        if answer.get("ok"):
            return _document_from_dict(answer["document"])
        raise error_from_kind(str(answer.get("kind")), p, str(answer.get("detail") or ""))

    def iter_parse(
        self,
        paths: Iterable[str | Path],
        *,
        cancel: CancelToken | None = None,
        timeout_s: float | None = None,
        loader: str | None = None,
        on_progress: Callable[[str, int, int, str], None] | None = None,
    ) -> Iterator[ParseOutcome]:
        """Outcomes in completion order, one per path; on cancel the rest come as cancelled.
        ``on_progress(path, step, total, text)`` reports pages inside each file."""
        for _index, outcome in self._run(
            paths, cancel=cancel, timeout_s=timeout_s, loader=loader, on_progress=on_progress
        ):
            yield outcome

    def _run(
        self,
        paths: Iterable[str | Path],
        *,
        cancel: CancelToken | None,
        timeout_s: float | None,
        loader: str | None,
        on_progress: Callable[[str, int, int, str], None] | None = None,
    ) -> Iterator[tuple[int, ParseOutcome]]:
        todo = [str(p) for p in paths]
        active = [True]
        if cancel is not None:
            cancel.on_cancel(lambda: self._kill_busy() if active[0] else None)

        def one(path: str) -> ParseOutcome:
            started = time.perf_counter()
            if cancel is not None and cancel.cancelled:
                return ParseOutcome(path, error=Cancelled(_("Abgebrochen.")))
            try:
                report = None
                if on_progress is not None:

                    def report(step: int, total: int, text: str) -> None:
                        on_progress(path, step, total, text)

                doc = self.parse(
                    path, cancel=cancel, timeout_s=timeout_s, loader=loader, on_progress=report
                )
                return ParseOutcome(path, document=doc, seconds=time.perf_counter() - started)
            except (DocumentError, Cancelled) as exc:
                return ParseOutcome(path, error=exc, seconds=time.perf_counter() - started)
            except Exception as exc:  # noqa: BLE001 - a bad file never stops the batch
                err = Damaged(path, detail=f"{type(exc).__name__}: {exc}")
                return ParseOutcome(path, error=err, seconds=time.perf_counter() - started)

        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="doc-parse")
        try:
            futures = {pool.submit(one, p): i for i, p in enumerate(todo)}
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            active[0] = False
            pool.shutdown(wait=True, cancel_futures=True)

    def parse_many(
        self,
        paths: Iterable[str | Path],
        *,
        cancel: CancelToken | None = None,
        on_outcome: Callable[[ParseOutcome], None] | None = None,
        timeout_s: float | None = None,
    ) -> list[ParseOutcome]:
        """All outcomes in the order of ``paths``; ``on_outcome`` sees each as it finishes."""
        order = [str(p) for p in paths]
        results: dict[int, ParseOutcome] = {}
        for index, outcome in self._run(order, cancel=cancel, timeout_s=timeout_s, loader=None):
            results[index] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
        return [results[i] for i in range(len(order))]


_shared: dict[tuple[int, bool], DocumentParser] = {}
_shared_lock = threading.Lock()


def default_workers() -> int:
    """Two workers at most: parsing competes with the model and the UI for few cores."""
    return max(1, min(2, (os.cpu_count() or 2) - 1))


def shared_parser(memory_mb: int = DEFAULT_MEMORY_MB, background: bool = False) -> DocumentParser:
    """The process-wide parser (workers stay warm between calls; closed at exit).

    ``background``: a second pool below normal priority for indexing (issue 24)."""
    with _shared_lock:
        parser = _shared.get((memory_mb, background))
        if parser is None:
            parser = DocumentParser(
                workers=default_workers(), memory_mb=memory_mb, background=background
            )
            _shared[(memory_mb, background)] = parser
        return parser


@atexit.register
def _close_shared() -> None:
    for parser in _shared.values():
        parser.close()


def parse_document(
    path: str | Path,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    *,
    cancel: CancelToken | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> Document:
    """Parse one file in the sandbox; raises a :class:`DocumentError` subclass on failure."""
    return shared_parser(memory_mb).parse(
        path, timeout_s=timeout_s, cancel=cancel, on_progress=on_progress
    )


def parse_documents(
    paths: Iterable[str | Path],
    *,
    cancel: CancelToken | None = None,
    on_outcome: Callable[[ParseOutcome], None] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> list[ParseOutcome]:
    """Parse many files; never raises for a bad file (see :class:`ParseOutcome`)."""
    return shared_parser(memory_mb).parse_many(
        paths, cancel=cancel, on_outcome=on_outcome, timeout_s=timeout_s
    )
