"""The house rule of imports: each stage imports only the stages below it, and nothing imports in a circle.

Read from the source (every ``import`` and ``from ... import``, at the top of a
module or inside a function), so a lazy import cannot hide an upward one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAG = ROOT / "rag"

# The one layer order (the README's Architecture section and docs/architecture.md say it in words). Lowest first;
# a module may import its own layer's modules (without a cycle) and any layer below. Why this order: the stages
# are the flows' steps (parse, index, store, ingest, then answer, marketing and quality, each using the one
# before); "who may do what" (access: users, roles, the assistant records and the reader and manager checks) sits
# below everything that reveals a document, because answering, writing and quality checks each check the acting
# user themselves; workspace, the one door pages and the command line use, sits above the whole library, so
# everything a page does is one call into it (tests below: pages import only rag.workspace, rag.present,
# rag.types and rag.errors).
LAYERS: list[set[str]] = [
    {"errors", "types", "words", "redact"},  # the ground floor
    {"settings", "names", "present", "netguard"},
    {"catalog", "vault", "languages"},  # catalog: every table, its Alembic history and copying it
    {"parse"},
    {"index"},
    {"store"},
    {"ingest"},
    {"access"},  # users and roles, assistant records, the reader and manager checks
    {"answer"},
    {"marketing"},
    {"quality"},
    {"workspace"},  # the door: every operation pages and the command line call, checked for the acting user
    {"bench"},
    {"cli", "__main__", "__init__"},
]
LEVEL = {name: n for n, layer in enumerate(LAYERS) for name in layer}
NEVER_IN_RAG = {"streamlit"}


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, root: Path = ROOT) -> set[str]:
    """Every module ``path`` imports, as absolute dotted names."""
    here = _module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # ``from . import kinds`` imports the module ``kinds`` itself
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in RAG.rglob("*.py")}


def _stage(module: str) -> str:
    """``rag.answer.chain`` -> ``answer``; ``rag.store`` -> ``store``; ``rag`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    # a module's own enclosing packages are imported anyway; "from . import tables" depends on tables, not on them
    return {
        name: {i for i in _imports(path) if i in modules and i != name and not name.startswith(i + ".")}
        for name, path in modules.items()
    }


def test_every_stage_has_a_layer():
    stages = {_stage(m) for m in _modules()}
    assert stages <= set(LEVEL), f"put these in LAYERS: {sorted(stages - set(LEVEL))}"


def test_no_stage_imports_a_stage_above_it():
    upward = []
    for module, imported in _graph().items():
        for target in imported:
            if LEVEL[_stage(target)] > LEVEL[_stage(module)]:
                upward.append(f"{module} -> {target}")
    assert not upward, "upward imports:\n" + "\n".join(sorted(upward))


def test_no_import_cycles():
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("forbidden", sorted(NEVER_IN_RAG))
def test_library_never_imports_streamlit(forbidden):
    offenders = [m for m, p in _modules().items() if any(i == forbidden or i.startswith(forbidden + ".") for i in _imports(p))]
    assert not offenders


def test_pages_never_import_the_engines():
    engines = ("qdrant_client", "qdrant_edge", "unstructured", "onnxruntime")
    pages = _pages()
    offenders = [
        f"{p.name}: {i}" for p in pages for i in _imports(p) if i.split(".")[0] in engines
    ]
    assert not offenders


PAGE_DOORS = ("rag.workspace", "rag.present", "rag.types", "rag.errors")  # what pages may import of the library


def _pages(root: Path = ROOT) -> list[Path]:
    return [root / "app.py", *sorted((root / "app_pages").glob("*.py"))]


def _page_imports_past_the_door(page: Path, root: Path = ROOT) -> list[str]:
    """The library modules ``page`` imports that aren't the door (rag.workspace and its modules) or the shared
    ground floor pages render with (rag.present, rag.types, rag.errors)."""
    tree = ast.parse(page.read_text(), str(page))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        found += [n for n in names if (n == "rag" or n.startswith("rag."))
                  and not any(n == door or n.startswith(door + ".") for door in PAGE_DOORS)]
    return found


def test_pages_go_through_the_door():
    """Everything a page does is a call into rag/workspace/ (checked for the acting user there), so the pages, the
    command line and Python do the same thing the same way."""
    offenders = [f"{p.relative_to(ROOT)}: {m}" for p in _pages() for m in _page_imports_past_the_door(p)]
    assert not offenders, "pages importing past the door:\n" + "\n".join(offenders)


def test_the_door_rule_catches_a_page_importing_the_answer_stage(tmp_path):
    page = tmp_path / "app_pages" / "sneaky.py"
    page.parent.mkdir()
    page.write_text("import streamlit as st\nfrom rag.workspace.asking import ask\nfrom rag.present import plural\n"
                    "def later():\n    from rag.answer.chain import ask_stream\n    import rag.marketing.voice\n")
    assert _page_imports_past_the_door(page, tmp_path) == ["rag.answer.chain", "rag.marketing.voice"]
    (tmp_path / "app.py").write_text("from rag.workspaces import x\nfrom rag import answer\n")
    assert _page_imports_past_the_door(tmp_path / "app.py", tmp_path) == ["rag.workspaces", "rag"]


def test_the_rule_catches_an_upward_import(tmp_path):
    """The checker itself: a low stage importing a high one, lazily and relatively, is seen as such."""
    sneaky = tmp_path / "rag" / "parse" / "sneaky.py"
    sneaky.parent.mkdir(parents=True)
    sneaky.write_text("def later():\n    from ..answer import chain\n")
    imported = _imports(sneaky, tmp_path)
    assert "rag.answer.chain" in imported
    assert LEVEL[_stage("rag.answer.chain")] > LEVEL[_stage("rag.parse.sneaky")]
