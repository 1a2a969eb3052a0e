"""The "Dokumente fragen" task kind (``runner = "library"`` in a task file).

Registers :func:`run_library_task` in ``runner.RUNNERS`` so the task goes through the same
form, validation, history, export and CLI as every other task. The answer itself comes from
:func:`core.tasks.ask.answer_question`; here we only turn form values into a search scope,
fill the task file's prompts, and turn the :class:`AskResult` into a :class:`TaskResult`
whose ``coverage`` is the sources list with the quoted passages (so the history entry, the
clipboard and the DOCX export all carry the sources, written by code, never by the model).

One library per folder per process (chromadb is not process-safe, and two clients on one
folder in one process corrupt each other): :func:`open_library` hands out a shared instance;
the GUI, the CLI and the runner all go through it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmoin_desktop.core.engine.backend import GenerationParams
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.library import INDEXED, Library, LibraryError, default_library_dir
from llmoin_desktop.core.library.embed import select_embedder
from llmoin_desktop.core.tasks import render, template
from llmoin_desktop.core.tasks.ask import AskResult, Citation, answer_question
from llmoin_desktop.core.tasks.runner import RUNNERS, Reporter, TaskResult, TaskRunner
from llmoin_desktop.core.tasks.search_terms import wanted as search_terms_wanted
from llmoin_desktop.core.tasks.spec import TaskInputError, TaskSpec

RUNNER_NAME = "library"
TASK_ID = "dokumente_fragen"
QUESTION_FIELD = "frage"
SCOPE_FIELD = "umfang"
SCOPE_SELECTED = "auswahl"
DOCUMENTS_FIELD = "dokumente"
MAX_ANSWER_TEMPERATURE = 0.3  # a cited answer should stay close to the sources
PASSAGES = 6  # passages searched for; as many as fit the context go to the model

_libraries: dict[Path, Library] = {}
_libraries_lock = threading.Lock()


# Shared libraries ----------------------------------------------------------------------------
def library_key(folder: str | Path | None = None) -> Path:
    return Path(folder or default_library_dir()).expanduser().resolve()


def server_options(url: str | None = None, store: Any = None) -> dict[str, Any]:
    """``Library.open`` arguments for the shared library: the ``library_server`` setting, or
    ``url`` (the CLI's --library-server). A server outside this PC counts as approved only
    when the address is the one IT's policy names (locked or as a default)."""
    from llmoin_desktop.core.settings.config import SettingsStore

    store = store if store is not None else SettingsStore()
    url = (store.settings.library_server if url is None else url).strip()
    policy = (
        store.policy_locked.get("library_server"),
        store.policy_defaults.get("library_server"),
    )
    approved = {str(p).strip().rstrip("/") for p in policy if p}
    from_policy = bool(url) and url.rstrip("/") in approved
    # IT's key goes only to IT's server (policy-only key: never from the clerk's files).
    token = str(store.settings.library_server_token or "") if from_policy else ""
    return {"server": url, "server_from_policy": from_policy, "server_token": token}


def open_library(folder: str | Path | None = None, **kwargs: Any) -> Library:
    """The process-wide Library for ``folder`` (default: the user's, or LLMOIN_LIBRARY_DIR).

    Opening checks (and, if needed, rebuilds) the vector index: call it off the GUI thread.
    ``kwargs`` (e.g. ``embedder=None``) only apply when the folder is opened the first time.
    Without a ``server`` argument the ``library_server`` setting decides whether the library
    is the department's shared one (then opening also syncs the local mirror). Without an
    ``embedder`` argument the ``embedding_model`` setting (a GGUF that IT provides, usually
    better than the built-in one) decides, else the built-in default is used.
    """
    key = library_key(folder)
    with _libraries_lock:
        lib = _libraries.get(key)
        if lib is None:
            if "server" not in kwargs or "embedder" not in kwargs:
                from llmoin_desktop.core.settings.config import SettingsStore

                store = SettingsStore()
                if "server" not in kwargs:
                    kwargs = {**server_options(store=store), **kwargs}
                if "embedder" not in kwargs:
                    kwargs["embedder"] = select_embedder(
                        store.settings.embedding_model, store.models_dirs()
                    )
            lib = Library.open(key, **kwargs)
            _libraries[key] = lib
        return lib


def opened_library(folder: str | Path | None = None) -> Library | None:
    """The shared Library if it is already open (never opens one)."""
    with _libraries_lock:
        return _libraries.get(library_key(folder))


def close_library(folder: str | Path | None = None) -> None:
    with _libraries_lock:
        lib = _libraries.pop(library_key(folder), None)
    if lib is not None:
        lib.close()


def close_all_libraries() -> None:
    with _libraries_lock:
        libs = list(_libraries.values())
        _libraries.clear()
    for lib in libs:
        lib.close()


# Form values ---------------------------------------------------------------------------------
def split_paths(text: str | list[str] | None) -> list[str]:
    """ "a.pdf\\nb.docx" or "a.pdf; b.docx" (CLI) or a list → clean path strings."""
    if not text:
        return []
    items = text if isinstance(text, list) else re.split(r"[\n;]+", str(text))
    return [str(Path(p.strip().strip('"')).expanduser()) for p in items if p and p.strip()]


def scope_from_values(values: dict[str, Any]) -> list[str] | None:
    """``None`` = whole library; else the chosen documents/folders."""
    if values.get(SCOPE_FIELD) != SCOPE_SELECTED:
        return None
    return split_paths(values.get(DOCUMENTS_FIELD))


def _in_scope(doc_path: str, scope: list[str]) -> bool:
    p = Path(doc_path)
    for item in scope:
        target = Path(item).expanduser().resolve()
        if p == target or target in p.parents:
            return True
    return False


def user_template_for(spec: TaskSpec, values: dict[str, Any]) -> str:
    """The task file's user prompt with every field filled in, as a ``str.format`` template
    that still has ``{quellen}`` and ``{frage}`` (what ``answer_question`` fills)."""
    q_mark, f_mark = "\x00QUELLEN\x00", "\x00FRAGE\x00"
    display, raw = render._variables(spec, values, {"quellen": q_mark})
    display[QUESTION_FIELD] = f_mark
    text = template.render(spec.user, display, raw)
    text = text.replace("{", "{{").replace("}", "}}")
    return text.replace(q_mark, "{quellen}").replace(f_mark, "{frage}")


def search_message_for(spec: TaskSpec, values: dict[str, Any]) -> str:
    """The task file's ``[prompt] search`` with the form values (the question) filled in."""
    display, raw = render._variables(spec, values, {})
    return template.render(spec.search, display, raw)


def search_terms_setting() -> str:
    """The ``ask_search_terms`` setting (auto / on / off); read per question, so a change in
    the settings dialog applies to the next question."""
    from llmoin_desktop.core.settings.config import SettingsStore

    return SettingsStore().settings.ask_search_terms


# Sources as text ------------------------------------------------------------------------------
def sources_markdown(citations: list[Citation], search_terms: str = "") -> str:
    """The sources block under the answer: a Markdown list (a Word list in the DOCX export).

    Sources the answer cites come with their quoted passage; passages the model was given but
    did not cite follow as "Weitere Fundstellen" (file and place only). If the model cited
    nothing, every source is listed with its quote."""
    cited = [c for c in citations if c.cited]
    main, rest = (cited, [c for c in citations if not c.cited]) if cited else (citations, [])
    lines = [_("Quellen:"), ""]
    for c in main:
        lines.append(f"- [{c.n}] {c.label()}")
        if c.quote:
            lines.append(f"  „{' '.join(c.quote.split())}“")
    if rest:
        lines += ["", _("Weitere Fundstellen:"), ""]
        lines += [f"- [{c.n}] {c.label()}" for c in rest]
    if search_terms:
        lines += ["", tr("Zusätzlich gesucht nach: {terms}", terms=search_terms)]
    return "\n".join(lines)


def to_task_result(spec: TaskSpec, values: dict[str, Any], ask: AskResult) -> TaskResult:
    names = list(dict.fromkeys(c.file_name for c in ask.citations))
    result = TaskResult(
        task_id=spec.id,
        values=values,
        answer=ask.answer,
        output_kind=spec.output_kind(values),
        sources=names,
        messages=list(ask.messages),
        citations=list(ask.citations),
    )
    if ask.citations:
        result.coverage = sources_markdown(ask.citations, ask.search_terms)
    result.stats.n_prompt = ask.n_prompt
    result.stats.n_generated = ask.n_generated
    result.stats.n_cached = ask.n_cached
    if ask.reasoning:
        result.stats.reasoning.append(ask.reasoning)
    result.stats.calls = 1 if ask.found else 0
    return result


# The runner ------------------------------------------------------------------------------------
def run_library_task(
    runner: TaskRunner,
    spec: TaskSpec,
    values: dict[str, Any],
    ctx: Reporter,
    *,
    library: Library | None = None,
    on_sources: Callable[[TaskResult], None] | None = None,
) -> TaskResult:
    """Validate, check the library and scope, answer with citations, stream the sources.

    ``on_sources`` (default: the ``sources_ready`` hook ``task_job`` puts on ``ctx``, as for
    every task) gets a result with the form values and the chosen passages as soon as the
    search is done, before the model writes: the GUI builds the fact check's index from it
    (``sources_for_result``, the very sources the final check uses) and checks the answer
    while it streams."""
    import time

    started = time.perf_counter()
    values = {**spec.defaults(), **values}
    problems = spec.validate(values)
    if problems:
        raise TaskInputError(" ".join(problems.values()))
    question = str(values.get(QUESTION_FIELD) or "").strip()
    if not question:
        raise TaskInputError(_("Bitte eine Frage eingeben."))
    ctx.progress(0, None, _("Bibliothek wird geöffnet …"))
    lib = library or open_library()
    indexed = lib.store.documents(INDEXED)
    if not indexed:
        raise LibraryError(
            _(
                "Die Bibliothek enthält noch keine lesbaren Dokumente. Bitte zuerst unter "
                "„Bibliothek“ Dateien oder Ordner hinzufügen."
            )
        )
    scope = scope_from_values(values)
    if scope is not None:
        if not scope:
            raise TaskInputError(_("Bitte mindestens ein Dokument auswählen."))
        if not any(_in_scope(d.path, scope) for d in indexed):
            raise TaskInputError(
                _(
                    "Die gewählten Dokumente sind nicht (oder nicht lesbar) in der Bibliothek. "
                    "Bitte andere Dokumente auswählen oder sie zuerst hinzufügen."
                )
            )
    params = GenerationParams(**vars(runner.params))
    params.temperature = min(params.temperature, MAX_ANSWER_TEMPERATURE)
    search_message = ""
    if spec.search and search_terms_wanted(search_terms_setting(), runner.backend):
        search_message = search_message_for(spec, values)
    on_sources = on_sources or getattr(ctx, "sources_ready", None)

    def on_passages(citations: list[Citation]) -> None:
        if on_sources is not None:
            early = AskResult(question=question, answer="", citations=citations)
            on_sources(to_task_result(spec, values, early))

    ask = answer_question(
        runner.backend,
        lib,
        question,
        ctx,
        scope=scope,
        k=PASSAGES,
        params=params,
        system=render.render_system(spec, values),
        user_template=user_template_for(spec, values),
        search_message=search_message,
        on_passages=on_passages,
    )
    result = to_task_result(spec, values, ask)
    if result.coverage:
        ctx.token("\n\n" + result.coverage)
    result.stats.wall_s = time.perf_counter() - started
    return result


def _registered(runner: TaskRunner, spec: TaskSpec, values: dict[str, Any], ctx: Reporter):  # noqa: ANN202
    return run_library_task(runner, spec, values, ctx)


RUNNERS[RUNNER_NAME] = _registered
