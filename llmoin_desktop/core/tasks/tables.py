"""Markdown tables in model output: parse them (for Word tables) and merge per-part tables."""

from __future__ import annotations

import re

_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split("|")]


def parse_markdown_table(text: str) -> tuple[list[str], list[list[str]]] | None:
    """The first pipe table in ``text`` as (header, rows), or None. Rows are padded to the header."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    table_lines = [ln for ln in lines if ln.count("|") >= 2]
    if len(table_lines) < 2:
        return None
    header: list[str] | None = None
    rows: list[list[str]] = []
    for ln in table_lines:
        if _SEP.match(ln):
            continue
        cells = _cells(ln)
        if header is None:
            header = cells
            continue
        if cells == header:  # repeated header from another part
            continue
        cells = (cells + [""] * len(header))[: len(header)]
        if any(cells):
            rows.append(cells)
    if header is None:
        return None
    return header, rows


def to_markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def merge_tables(texts: list[str], default_header: list[str]) -> tuple[list[str], list[list[str]]]:
    """Join the rows of several parts' tables, without duplicates, in document order."""
    header = default_header
    rows: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for text in texts:
        parsed = parse_markdown_table(text)
        if not parsed:
            continue
        head, part_rows = parsed
        if header is default_header and len(head) >= 2:
            header = head
        for row in part_rows:
            row = (row + [""] * len(header))[: len(header)]
            key = tuple(c.casefold() for c in row)
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return header, rows
