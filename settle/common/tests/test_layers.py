"""The layer contract (docs/architecture.md), read from the code itself.

`lint-imports` (import-linter, in .ci/run) checks the order of the apps, but it counts an import
inside a function like any other, so it cannot tell an import deferred to dodge a cycle from an
honest one. This test walks the syntax tree of every module that is neither a test nor a
migration and refuses: an import of a settle module inside a function (the one exception is an
AppConfig.ready() importing its own app, which is how Django registers checks), an import of an
app above the importer's own (or of an independent sibling), an app that is not in the order, and
a cycle between apps. The tests after the first run the same checker on small packages written
for the purpose, to show that it catches each kind of violation.
"""

import ast
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import settle

# From the bottom up; apps in one tuple are independent siblings that may not import each other.
# The order in pyproject.toml's import-linter contract must say the same (DESIGN.md §3).
SETTLE_LAYERS: tuple[tuple[str, ...], ...] = (
    ("common",),
    ("receivables",),
    ("correspondence",),
    ("worklist",),
    ("payments",),
    ("responses",),
    ("arrangements",),
    ("dunning",),
    ("portal",),
    ("backoffice", "api"),
    ("config",),
)

SKIPPED_DIRECTORIES = {"tests", "migrations", "__pycache__"}


def _modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package that is neither a test nor a migration, by dotted name."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if SKIPPED_DIRECTORIES.intersection(parts) or parts[-1] == "conftest":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imports(module: str, path: Path, package: str):
    """(imported module, line, enclosing functions) for each import of one of the package's."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = []

    def visit(node: ast.AST, functions: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = child.name
                visit(child, (*functions, name))
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append((alias.name, child.lineno, functions))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = module.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    # `from settle import portal` imports settle.portal; `from a.b import c`
                    # names a module or an attribute of a.b, either way a.b's app.
                    found.append(
                        (
                            f"{base}.{alias.name}" if base == package else base,
                            child.lineno,
                            functions,
                        )
                    )
            visit(child, functions)

    visit(tree, ())
    # One entry per module and line, however many names the line imports from it.
    found = dict.fromkeys(found)
    return [item for item in found if item[0] == package or item[0].startswith(f"{package}.")]


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return sorted(groups)


def layer_violations(root: Path, package: str, layers: tuple[tuple[str, ...], ...]) -> list[str]:
    """Every breach of the layer contract in `root/package`, one line each (empty when kept)."""
    rank = {app: level for level, apps in enumerate(layers) for app in apps}
    violations = []
    edges: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], str] = {}

    for directory in sorted((root / package).iterdir()):
        if (directory / "apps.py").exists() and directory.name not in rank:
            violations.append(f"{package}.{directory.name}: an app that is not in the layer order")

    for module, path in _modules(root, package).items():
        source = f"{path.relative_to(root)}"
        importer_app = _app(module)
        for imported, line, functions in _imports(module, path, package):
            imported_app = _app(imported)
            if functions and not (
                module == f"{package}.{importer_app}.apps"
                and functions[-1] == "ready"
                and imported_app == importer_app
            ):
                violations.append(
                    f"{source}:{line}: {imported} imported inside {'.'.join(functions)}() "
                    "(import at the top, or call a higher app through a settings hook)"
                )
            if importer_app is None or imported_app is None or importer_app == imported_app:
                continue
            edges[importer_app].add(imported_app)
            where.setdefault((importer_app, imported_app), f"{source}:{line}")
            if importer_app in rank and imported_app in rank:
                if rank[imported_app] > rank[importer_app]:
                    violations.append(
                        f"{source}:{line}: {importer_app} imports {imported}, a higher layer"
                    )
                elif rank[imported_app] == rank[importer_app]:
                    violations.append(
                        f"{source}:{line}: {importer_app} imports {imported}, "
                        "an independent app of its own layer"
                    )

    for group in _cycles(edges):
        path = _shortest_cycle(group[0], edges, set(group))
        arrows = ", ".join(f"{a} -> {b} ({where[a, b]})" for a, b in pairwise(path))
        violations.append(f"cycle between {', '.join(group)}: {arrows}")
    return violations


def _shortest_cycle(start: str, edges: dict[str, set[str]], group: set[str]) -> list[str]:
    """One shortest way from `start` back to itself within the group, to show the cycle."""
    paths = [[start]]
    seen = {start}
    while paths:
        path = paths.pop(0)
        for target in sorted(edges[path[-1]] & group):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                paths.append([*path, target])
    return [start]


def test_settle_keeps_its_layers():
    root = Path(settle.__file__).parent.parent
    violations = layer_violations(root, "settle", SETTLE_LAYERS)
    assert not violations, "the layer contract is broken:\n" + "\n".join(violations)


# The checker on small packages: three layers, base < mid < top.
SHOP_LAYERS = (("base",), ("mid",), ("top",))


def _write_shop(root: Path, files: dict[str, str]) -> None:
    defaults = {
        "shop/__init__.py": "",
        "shop/base/__init__.py": "",
        "shop/base/apps.py": "",
        "shop/base/models.py": "",
        "shop/mid/__init__.py": "",
        "shop/mid/apps.py": "",
        "shop/mid/services.py": "from shop.base import models\n",
        "shop/top/__init__.py": "",
        "shop/top/apps.py": "",
        "shop/top/views.py": "from shop.mid import services\nfrom ..base.models import *\n",
    }
    for name, text in {**defaults, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_checker_keeps_a_clean_package(tmp_path):
    _write_shop(
        tmp_path,
        {
            # An app's tests and migrations may import anything, anywhere.
            "shop/base/tests/__init__.py": "",
            "shop/base/tests/test_x.py": "def test():\n    from shop.top import views\n",
            "shop/base/migrations/0001_initial.py": "import shop.top.views\n",
            # AppConfig.ready() registering its own app's checks.
            "shop/mid/apps.py": "class MidConfig:\n    def ready(self):\n"
            "        from shop.mid import checks\n",
            "shop/mid/checks.py": "",
        },
    )
    assert layer_violations(tmp_path, "shop", SHOP_LAYERS) == []


def test_checker_reports_an_upward_import(tmp_path):
    _write_shop(tmp_path, {"shop/base/models.py": "from shop.top.views import x\n"})
    violations = layer_violations(tmp_path, "shop", SHOP_LAYERS)
    assert "shop/base/models.py:1: base imports shop.top.views, a higher layer" in violations


def test_checker_reports_an_upward_relative_import(tmp_path):
    _write_shop(tmp_path, {"shop/base/models.py": "from ..mid import services\n"})
    violations = layer_violations(tmp_path, "shop", SHOP_LAYERS)
    assert "shop/base/models.py:1: base imports shop.mid, a higher layer" in violations


def test_checker_reports_a_deferred_import(tmp_path):
    # Even downward, and even of its own app: a deferred import hides the graph.
    _write_shop(
        tmp_path,
        {
            "shop/mid/services.py": "class A:\n    def run(self):\n"
            "        from shop.base.models import Thing\n",
            # ready() may import only its own app.
            "shop/top/apps.py": "class TopConfig:\n    def ready(self):\n"
            "        import shop.base.models\n",
        },
    )
    violations = layer_violations(tmp_path, "shop", SHOP_LAYERS)
    assert any(
        v.startswith("shop/mid/services.py:3: shop.base.models imported inside run()")
        for v in violations
    )
    assert any(
        v.startswith("shop/top/apps.py:3: shop.base.models imported inside ready()")
        for v in violations
    )


def test_checker_reports_a_cycle(tmp_path):
    # Between apps outside the order (as a new app would be) the rank says nothing; the cycle does.
    _write_shop(
        tmp_path,
        {
            "shop/pay/__init__.py": "",
            "shop/pay/apps.py": "",
            "shop/pay/services.py": "from shop.dun import runs\n",
            "shop/dun/__init__.py": "",
            "shop/dun/apps.py": "",
            "shop/dun/runs.py": "from shop.pay import services\n",
        },
    )
    violations = layer_violations(tmp_path, "shop", SHOP_LAYERS)
    assert "shop.pay: an app that is not in the layer order" in violations
    assert "shop.dun: an app that is not in the layer order" in violations
    cycle = "cycle between dun, pay: dun -> pay (shop/dun/runs.py:1), pay -> dun "
    assert f"{cycle}(shop/pay/services.py:1)" in violations


def test_checker_reports_a_sibling_import(tmp_path):
    _write_shop(
        tmp_path,
        {
            "shop/api/__init__.py": "",
            "shop/api/apps.py": "",
            "shop/api/views.py": "from shop.top.views import x\n",
        },
    )
    layers = (("base",), ("mid",), ("top", "api"))
    violations = layer_violations(tmp_path, "shop", layers)
    assert (
        "shop/api/views.py:1: api imports shop.top.views, an independent app of its own layer"
        in violations
    )
