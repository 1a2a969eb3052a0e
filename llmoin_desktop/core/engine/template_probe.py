"""Trial renders beyond the basics of ``chat_templates.detect_profile``: a template's own
thinking markers, the reason a template refuses in words, and whether its control markers
are tokens of the model's vocabulary.

Why: a real model writes its thinking in whatever format its template renders for
``reasoning_content``; we learn that format by rendering an assistant turn with a probe
thinking (never by model name) so an unknown format still ends up on the thinking side and
never in a letter, the export or the history. A template's Python error ("'NoneType' object
is not iterable") means nothing to a clerk: the message says what the template expected and
the technical line goes to the log and ``doctor``. A template whose markers are not tokens of
the vocabulary (converted and merged models) makes the model write them as text: we say so
in ``models``, the model check and the model picker.
"""

from __future__ import annotations

import logging
import mmap
import re
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmoin_desktop.core.engine.stop_strings import is_control_marker, markers_in
from llmoin_desktop.core.errors import ModelError
from llmoin_desktop.core.i18n import _, tr

log = logging.getLogger(__name__)  # the technical line of a refusal (log, doctor)

_PROBE_U = "LLMOIN-PROBE-USER"
_PROBE_A = "LLMOIN-PROBE-ANSWER"
_PROBE_R = "LLMOIN-PROBE-THINKING"


def thinking_pair(
    render: Callable[..., str], known: dict[str, str], reserved: tuple[str, ...] = ()
) -> tuple[str, str] | None:
    """(open, close) markers the template writes around an assistant turn's thinking, if they
    are not one of the ``known`` pairs; None when it renders none or a known one.

    Rendered twice (``reasoning_content`` and ``thinking``, the two names templates use)."""
    user = {"role": "user", "content": _PROBE_U}
    for key in ("reasoning_content", "thinking"):
        msg = {"role": "assistant", "content": _PROBE_A, key: _PROBE_R}
        try:
            text = render([user, msg], add_generation_prompt=False)
        except Exception:
            continue
        if _PROBE_R not in text or _PROBE_A not in text:
            continue
        r_at, a_at = text.index(_PROBE_R), text.index(_PROBE_A)
        if a_at < r_at:
            continue
        before = text[text.index(_PROBE_U) + len(_PROBE_U) : r_at]
        between = text[r_at + len(_PROBE_R) : a_at]
        if any(o in before and c in between for o, c in known.items()):
            return None
        opens, closes = markers_in(before), markers_in(between)
        if any(m in reserved for m in (*opens[-1:], *closes[:1])):
            return None  # harmony-style channels: the splitter's own state machine
        if opens and closes:
            return before[before.rindex(opens[-1]) :].strip(), closes[0]
        return ("", "")  # thinking rendered without markers: a format we cannot split
    return None


def explain_template_error(message: str, *, technical: bool) -> str:
    """The reason a template refused, in words a clerk or IT can act on.

    The template's own ``raise_exception`` text is kept (it is written for people); a Python
    error inside the template becomes what the template expected."""
    if not technical:
        return message.strip()[:200]
    low = message.lower()
    undefined = re.search(r"'([A-Za-z_][\w.]*)' is undefined", message)
    if "nonetype" in low and ("iterable" in low or "concatenate" in low or "subscriptable" in low):
        return _(
            "die Vorlage erwartet Angaben, die eine Text-Anfrage nicht hat (etwa eine Liste von "
            "Werkzeugen oder Bildern)"
        )
    if undefined:
        return tr("die Vorlage erwartet den Wert „{name}“", name=undefined.group(1))
    if "templatesyntaxerror" in low or "unexpected" in low or "expected token" in low:
        return _("die Vorlage ist kein gültiges Jinja (Schreibfehler in der Vorlage)")
    return _("die Vorlage erwartet ein anderes Nachrichtenformat als einfache Text-Nachrichten")


# --------------------------------------------------------------------------------------
# Vocabulary check
# --------------------------------------------------------------------------------------
def missing_in_vocab(markers: list[str], has_token: Callable[[str], bool]) -> list[str]:
    """Control markers of the template that are no single token of the vocabulary."""
    return [m for m in markers if is_control_marker(m) and not has_token(m)]


def vocab_mismatch_note(missing: list[str]) -> str:
    """The line shown in ``models``, the model check and the model picker."""
    if not missing:
        return ""
    return tr(
        "Chat-Vorlage passt nicht zum Vokabular (unbekannte Steuerzeichen: {markers}); "
        "Antworten werden an den Zeichen der Vorlage abgeschnitten",
        markers=", ".join(missing[:4]),
    )


_GGUF_STRING = 8
_GGUF_ARRAY = 9
_SCALAR_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def vocab_tokens(path: Path | str, wanted: set[str]) -> set[str]:
    """Which of ``wanted`` are tokens in the GGUF's ``tokenizer.ggml.tokens`` (no weights
    are read; only strings of a wanted length are decoded, so a 250k vocabulary takes
    milliseconds). An unreadable file gives an empty set (the load reports it)."""
    if not wanted:
        return set()
    lengths = {len(w.encode("utf-8")) for w in wanted}
    raw_wanted = {w.encode("utf-8") for w in wanted}
    found: set[str] = set()
    try:
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            pos = 8
            (n_tensors, n_kv) = struct.unpack_from("<QQ", mm, pos)
            pos += 16
            for _ in range(n_kv):
                (klen,) = struct.unpack_from("<Q", mm, pos)
                key = bytes(mm[pos + 8 : pos + 8 + klen])
                pos += 8 + klen
                (vtype,) = struct.unpack_from("<I", mm, pos)
                pos += 4
                if key == b"tokenizer.ggml.tokens" and vtype == _GGUF_ARRAY:
                    _etype, count = struct.unpack_from("<IQ", mm, pos)
                    pos += 12
                    for _i in range(count):
                        (slen,) = struct.unpack_from("<Q", mm, pos)
                        if slen in lengths:
                            token = bytes(mm[pos + 8 : pos + 8 + slen])
                            if token in raw_wanted:
                                found.add(token.decode("utf-8"))
                        pos += 8 + slen
                    return found
                pos = _skip_value(mm, pos, vtype)
    except (OSError, ValueError, struct.error):
        return set()
    return found


def _skip_value(mm: mmap.mmap, pos: int, vtype: int) -> int:
    if vtype in _SCALAR_SIZES:
        return pos + _SCALAR_SIZES[vtype]
    if vtype == _GGUF_STRING:
        (n,) = struct.unpack_from("<Q", mm, pos)
        return pos + 8 + n
    if vtype == _GGUF_ARRAY:
        etype, count = struct.unpack_from("<IQ", mm, pos)
        pos += 12
        if etype in _SCALAR_SIZES:
            return pos + _SCALAR_SIZES[etype] * count
        for _i in range(count):
            pos = _skip_value(mm, pos, etype)
        return pos
    raise ValueError(f"unknown GGUF value type {vtype}")


def template_vocab_missing(llm: Any, profile: Any) -> list[str]:
    """At load: the template's control markers that the loaded vocabulary does not know as
    one token (llama.cpp's own tokenizer decides)."""

    def has_token(marker: str) -> bool:
        try:
            ids = llm.tokenize(marker.encode("utf-8"), add_bos=False, special=True)
        except Exception:  # a tokenizer error: no verdict
            return True
        return len(ids) == 1

    return missing_in_vocab(profile.markers.controls, has_token)


def template_refusal(model_name: str, exc: Exception) -> ModelError:
    """A request the template rejects: the reason in words, the raw line as detail (log,
    ``doctor``)."""
    technical = bool(getattr(exc, "technical", False))
    log.info("chat template of %s refused a request: %s", model_name, exc)
    return ModelError(
        tr(
            "Das Gesprächsformat des Modells „{name}“ lehnt diese Anfrage ab: {reason}",
            name=model_name,
            reason=explain_template_error(str(exc), technical=technical),
        ),
        detail=str(exc),
    )
