"""The package's shape: no import circles between mt's modules, and the module map in docs/ matches the tree."""
import ast
import re
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "mt"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """mt modules imported when `path` is imported (function-local imports are lazy and do not count)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mt"):
            # `from pkg import sub` needs the module pkg.sub; `from pkg import name` needs pkg itself
            subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules]
            names = subs if len(subs) == len(node.names) else [node.module, *subs]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("mt")]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def test_no_import_circles():
    files = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = {m: _top_level_imports(p, set(files)) - {m} for m, p in files.items()}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == [], "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_architecture_page_names_every_module():
    """Each module appears in docs/architecture.md: as mt/x.py, or by file (or command) name in its package's row."""
    rows = {}
    for line in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`(mt/[\w/.]+)`\s*\|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if path.name in {"__init__.py", "__main__.py"} or rel in rows:
            continue
        row = rows.get(path.parent.relative_to(ROOT).as_posix() + "/", "")
        if path.name not in row and f"`{path.stem}`" not in row:
            missing.append(rel)
    assert missing == [], f"modules missing from docs/architecture.md: {missing}"
