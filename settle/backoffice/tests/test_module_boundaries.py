"""The back office's own seams: views do not import each other (what two views share lives in a
module of its own, such as `pages.py`), template tags do not reach into views or the database,
and who may enter is decided in `decorators.py` alone."""

import ast
from pathlib import Path

import pytest

BACKOFFICE = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((BACKOFFICE / folder).glob("*.py"))


@pytest.mark.parametrize("path", _modules("views") + _modules("templatetags"), ids=str)
def test_it_imports_no_view_module_from_a_view_or_a_template_tag(path):
    assert not {name for name in _imports(path) if name.startswith("settle.backoffice.views")}


@pytest.mark.parametrize("path", _modules("templatetags"), ids=str)
def test_a_template_tag_reads_nothing_from_the_database(path):
    # Data for a page is prepared by its view (or `pages.py`) and handed to the template.
    reached = {
        name
        for name in _imports(path)
        if name.endswith((".selectors", ".models", ".services")) or ".selectors." in name
    }
    assert not reached


def test_only_decorators_decides_who_may_enter():
    deciders = [
        path.relative_to(BACKOFFICE)
        for path in BACKOFFICE.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "decorators.py"
        and any(name.startswith("django.contrib.auth.decorators") for name in _imports(path))
    ]
    assert deciders == []
