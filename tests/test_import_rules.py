"""Imports run one way: common ← accounts ← community_services ← referrals ← casefinding ←
coordinators ← gp_messages, reports, interop, with config/ on top (settings, urls, the Celery app).
Read statically with `ast`, every import counted, including those inside functions (a lazy
import is still a circle)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: a package may import only those before it (and itself).
LAYERS = [
    "common",
    "accounts",
    "community_services",
    "referrals",
    "casefinding",
    "coordinators",
    "gp_messages",
    "reports",
    "interop",
]
TOP = {"config"}
PACKAGES = [*LAYERS, *TOP]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The first-party modules `name` imports, resolved to modules that exist."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from x import y` names a module x.y, or a name defined in x.
            candidates = [f"{base}.{alias.name}" for alias in node.names]
            if not any(candidate in known for candidate in candidates):
                candidates = [base]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _top(module: str) -> str:
    return module.split(".")[0]


def test_no_app_imports_config_or_an_app_above_it(graph):
    wrong = []
    for module, targets in graph.items():
        if _top(module) in TOP:
            continue
        level = LAYERS.index(_top(module))
        for target in targets:
            if _top(target) in TOP or LAYERS.index(_top(target)) > level:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_there_are_no_import_circles(graph):
    """Tarjan's strongly connected components: any component of more than one module is a
    circle (a package's __init__ importing its own modules is not counted)."""
    index, low, on_stack, stack, circles = {}, {}, set(), [], []
    counter = [0]

    def edges(module):
        return [t for t in graph[module] if not module.startswith(t + ".")]

    def visit(module):
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for target in edges(module):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert not circles, "import circles:\n" + "\n".join(" ↔ ".join(c) for c in circles)


def test_the_bottom_package_has_no_models():
    assert not (ROOT / "common" / "models.py").exists()
