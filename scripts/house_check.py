"""How the house stands: import circles among product modules and the longest product files.

Why a script of its own: import-linter checks contracts between packages, but a newcomer's first
question is "what depends on what, and in circles?". This walks every ``import``/``from … import``
in ``llmoin_desktop`` with the standard ``ast`` module (lazy imports inside functions count too: a
circle that only closes at run time is still a circle in the design), finds the strongly connected
components of the module graph (Tarjan) and prints each circle, then the files over the limit.

Last line: ``modules=… import_cycles=… max_product_file_lines=… files_over_500=…``.
Exit 1 with ``--strict`` when there is a circle or a file over ``--max-lines``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "llmoin_desktop"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


def imported_modules(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Product modules that ``name`` imports, resolved to the deepest known module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                drop = node.level - (1 if is_package else 0)
                base = base[: len(base) - drop] if drop else base
                prefix = ".".join(base)
                module = f"{prefix}.{node.module}" if node.module else prefix
            else:
                module = node.module or ""
            if not module.startswith(PACKAGE):
                continue
            for alias in node.names:
                full = f"{module}.{alias.name}"
                add(full if full in known else module)
    return found


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph is small but recursion depth is not ours)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-lines", type=int, default=500)
    parser.add_argument("--strict", action="store_true", help="exit 1 on a circle or long file")
    args = parser.parse_args(argv)
    known = product_modules()
    graph = {name: imported_modules(name, path, known) for name, path in known.items()}
    cycles = strongly_connected(graph)
    for cycle in cycles:
        print("circle:", " ↔ ".join(cycle))
    lengths = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in known.values()
    }
    long_files = sorted(((n, f) for f, n in lengths.items() if n > args.max_lines), reverse=True)
    for lines, name in long_files:
        print(f"long: {name} {lines}")
    print(
        f"modules={len(known)} import_cycles={len(cycles)} "
        f"max_product_file_lines={max(lengths.values())} files_over_{args.max_lines}={len(long_files)}"
    )
    return 1 if args.strict and (cycles or long_files) else 0


if __name__ == "__main__":
    sys.exit(main())
