"""The facts of the sources, read once and looked up many times.

Building the index is the expensive part (every extractor over every page); a result is then
checked with dictionary look-ups, so a 2-page result against a 57-page law costs
milliseconds and the pane shows the marks right after the last token. The UI and the CLI keep
one index per set of sources and re-check refinements against it."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from itertools import product

from llmoin_desktop.core.factcheck import codes, periods, refs
from llmoin_desktop.core.factcheck.extract import extract
from llmoin_desktop.core.factcheck.model import SourceFact, SourceText
from llmoin_desktop.core.factcheck.names import law_identity, norm_word
from llmoin_desktop.core.factcheck.words import WORD_RE, content_words, snippet, stems_between

RefKey = tuple[str, str, str | None, str | None, str | None, str | None]


class FileText:
    """One source file's text (its pages joined) with the page of every offset."""

    def __init__(self, name: str, parts: list[SourceText]) -> None:
        self.name = name
        self.starts: list[int] = []
        self.pages: list[int | None] = []
        chunks: list[str] = []
        pos = 0
        for part in parts:
            self.starts.append(pos)
            self.pages.append(part.page)
            chunks.append(part.text)
            pos += len(part.text) + 2
        self.text = "\n\n".join(chunks)

    def page_at(self, pos: int) -> int | None:
        i = bisect.bisect_right(self.starts, pos) - 1
        return self.pages[max(0, i)]


class SourceIndex:
    def __init__(self, sources: Iterable[SourceText]) -> None:
        groups: dict[str, list[SourceText]] = defaultdict(list)
        for s in sources:
            if s.text and s.text.strip():
                groups[s.file].append(s)
        self.files = [FileText(name, parts) for name, parts in groups.items()]
        self.by_value: dict[object, list[SourceFact]] = defaultdict(list)
        self.by_kind: dict[str, list[SourceFact]] = defaultdict(list)
        self.yearless: set[object] = set()
        # References: every generalisation of a source reference (parts left out) → entries
        # with the laws it may belong to (None: any law the source mentions).
        self.refs: dict[RefKey, list[tuple[SourceFact, frozenset[str] | None]]] = defaultdict(list)
        self.max_satz: dict[tuple[str, str, str | None], int] = {}
        # A § whose Absätze carry no "(1)" marker (the VwGO DOCX: one text block per Abs.):
        # how many blocks it has, so that "§ 74 Abs. 2" can be told from "§ 74 Abs. 5".
        self.unmarked_abs: dict[tuple[str, str], int] = {}
        # Paragraph-level structure entries (a heading or an "(2)" block) with the words of
        # the whole paragraph: which paragraph a result's sentence is really about.
        self.paragraphs: list[SourceFact] = []
        self.law_ids: dict[str, set[str]] = {}
        self.laws_mentioned: set[str] = set()
        self.words: set[str] = set()
        self.streams: list[str] = []
        self.compacts: list[str] = []
        self.lowers: list[str] = []
        self.digits: set[str] = set()
        self.years: set[int] = set()
        for ft in self.files:
            self._add_file(ft)

    @property
    def empty(self) -> bool:
        return not self.files

    # Building -------------------------------------------------------------------------
    def _add_file(self, ft: FileText) -> None:
        text = ft.text
        ids = law_identity("", text[:3000], ft.name)
        self.law_ids[ft.name] = ids
        self.laws_mentioned |= ids
        own_law = frozenset(ids) if ids else None
        paras = _paragraph_starts(refs.markers(text))
        starts = [p for p, _key in paras]
        for f in extract(text, source=True):
            page = ft.page_at(f.start)
            sf = SourceFact(f.kind, f.value, ft.name, page, snippet(text, f.start, f.end), f.ctx)
            sf.text = f.text
            sf.extra = dict(f.extra)
            i = bisect.bisect_right(starts, f.start) - 1
            if i >= 0:  # the § and Abs. the figure stands in (law texts)
                sf.extra["para"] = paras[i][1]
            if f.kind == "reference":
                _kind, singles, law = f.value
                if law:
                    self.laws_mentioned.add(law)
                laws = frozenset({law}) if law else own_law
                for single in singles:
                    self._add_ref(single, sf, laws)
                self.by_kind["reference"].append(sf)
                continue
            if f.kind == "date" and "rel" not in sf.extra:
                sf.extra["rel"] = periods.year_rel(text, f.end)
            self._add_value(f.value, sf)
            self.by_kind[f.kind].append(sf)
            for kind, value in sf.extra.get("also", ()):
                # "ersten drei Monate des Jahres" also supports "drei Monate".
                also = SourceFact(kind, value, sf.file, sf.page, sf.snippet, sf.ctx, sf.text)
                also.extra = {"para": sf.extra.get("para"), "derived": True}
                self._add_value(value, also)
                self.by_kind[kind].append(also)
        self._add_structure(ft, own_law)
        norm = [norm_word(m.group(0)) for m in WORD_RE.finditer(text)]
        self.words.update(norm)
        self.words.update(m.group(0).casefold() for m in WORD_RE.finditer(text))
        self.streams.append(" " + " ".join(norm) + " ")
        self.compacts.append(codes.compact(text))
        self.lowers.append(text.casefold())
        self.digits |= codes.digit_runs(text)
        self.years.update(int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text))

    def _add_value(self, value: object, sf: SourceFact) -> None:
        self.by_value[value].append(sf)
        if isinstance(value, tuple) and value[0] == "date":
            _d, y, m, d = value
            if y is None:
                self.yearless.add(value)
                return
            # A full date supports the same date without year, month and year, the year.
            for derived in (("date", None, m, d), ("date", y, m, None), ("date", y, None, None)):
                if derived != value:
                    self.by_value[derived].append(sf)

    def _add_ref(self, single: RefKey, sf: SourceFact, laws: frozenset[str] | None) -> None:
        kind, num, *parts = single
        options = [(p, None) if p is not None else (None,) for p in parts]
        for combo in product(*options):
            self.refs[(kind, num, *combo)].append((sf, laws))  # type: ignore[arg-type]

    def _add_structure(self, ft: FileText, laws: frozenset[str] | None) -> None:
        """Headings, "(2)" markers and numbered items of a law text as references."""
        text = ft.text
        marks = refs.markers(text)
        if not any(kind == "head" for _p, kind, _v in marks):
            return
        words = content_words(text)
        positions = [p for p, _w in words]
        head_ctx: set[str] = set()
        head: tuple[str, str] | None = None
        head_title = ""
        abs_: str | None = None
        nr: str | None = None
        bounds = [p for p, _k, _v in marks] + [len(text)]
        for i, (pos, kind, value) in enumerate(marks):
            if kind == "head":
                k, num = value.split("|")
                head, abs_, nr = (k, num), None, None
                eol = text.find("\n", pos)
                head_title = text[pos : eol if eol >= 0 else len(text)]
                head_ctx = stems_between(words, positions, pos, pos + len(head_title))
                self._count_unmarked(marks, i, text, (k, num))
            elif head is None:
                continue
            elif kind == "abs":
                abs_, nr = value, None
            elif kind == "nr":
                nr = value
            end = bounds[i + 1]
            if head is None:
                continue
            body = text[pos:end]
            lit = value if kind == "lit" else None
            single = (head[0], head[1], abs_, None, nr if kind in ("nr", "lit") else None, lit)
            if kind in ("head", "abs"):
                stop = next((p for p, k, _v in marks[i + 1 :] if k in ("head", "abs")), len(text))
                ctx = frozenset(
                    head_ctx | stems_between(words, positions, pos, min(stop, pos + 5000))
                )
            else:
                ctx = frozenset(
                    head_ctx | stems_between(words, positions, pos, min(end, pos + 600))
                )
            sf = SourceFact(
                "reference",
                single,
                ft.name,
                ft.page_at(pos),
                " ".join((head_title.strip(" #") + " " + body[:200]).split()),
                ctx,
            )
            sf.text = head_title.strip(" #")
            sf.extra = {"laws": laws}
            self._add_ref(single, sf, laws)
            if kind in ("head", "abs"):
                self.paragraphs.append(sf)
            if kind in ("head", "abs"):
                # Sentences run on to the next paragraph marker or heading.
                n = refs.count_sentences(self._until_next_block(marks, i, text))
                key = (head[0], head[1], abs_)
                self.max_satz[key] = max(self.max_satz.get(key, 0), n)

    def _count_unmarked(
        self, marks: list[tuple[int, str, str]], i: int, text: str, head: tuple[str, str]
    ) -> None:
        start = marks[i][0]
        end = next((p for p, k, _v in marks[i + 1 :] if k == "head"), len(text))
        if any(k == "abs" for _p, k, _v in marks[i + 1 :] if _p < end):
            return
        eol = text.find("\n", start, end)
        body = text[eol if eol >= 0 else end : end]
        blocks = [b for b in re.split(r"\n[ \t]*\n", body) if b.strip()]
        if len(blocks) >= 2:
            self.unmarked_abs[head] = max(self.unmarked_abs.get(head, 0), len(blocks))

    @staticmethod
    def _until_next_block(marks: list[tuple[int, str, str]], i: int, text: str) -> str:
        start = marks[i][0]
        for pos, kind, _v in marks[i + 1 :]:
            if kind in ("head", "abs"):
                return text[start:pos]
        return text[start:]

    # Locating ---------------------------------------------------------------------------
    def locate(self, pattern: re.Pattern[str]) -> tuple[str, int | None, str] | None:
        """File, page and passage of the first match of ``pattern`` in the sources."""
        for ft in self.files:
            m = pattern.search(ft.text)
            if m:
                return ft.name, ft.page_at(m.start()), snippet(ft.text, m.start(), m.end())
        return None


def _paragraph_starts(
    marks: list[tuple[int, str, str]],
) -> list[tuple[int, tuple[str, str, str | None]]]:
    """(offset, (kind, number, Abs.)) where each § / Abs. of a law text begins."""
    out: list[tuple[int, tuple[str, str, str | None]]] = []
    head: tuple[str, str] | None = None
    for pos, kind, value in marks:
        if kind == "head":
            k, num = value.split("|")
            head = (k, num)
            out.append((pos, (k, num, None)))
        elif kind == "abs" and head is not None:
            out.append((pos, (head[0], head[1], value)))
    return out
