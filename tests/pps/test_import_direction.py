"""The apps import one way: pps <- cases <- consent <- safeguarding <- the newer apps <- demo.

Read from the source with ``ast`` (every import, at the top of a module or inside a function):
the shared core (``pps``) imports no domain app, case-file code never imports child-protection
code, and no app imports one that comes after it. Migrations are left out: Django writes their
dependencies between apps itself.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Each app may import only the apps before it in this order. The apps of one layer do not import
#: each other either.
LAYERS = [
    {"pps"},
    {"cases"},
    {"consent"},
    {"safeguarding"},
    {"documents", "staff"},
    {"reports", "rights", "training", "imports"},
    {"demo"},
]


def _apps():
    return sorted(path.parent.name for path in ROOT.glob("*/apps.py"))


def _layer_of(app):
    for index, layer in enumerate(LAYERS):
        if app in layer:
            return index
    # A new app comes after the newer capabilities and before the demo loader.
    return len(LAYERS) - 1.5


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _module_files(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.relative_to(ROOT).parts:
            yield path


def _backward_imports():
    apps = set(_apps())
    found = []
    for app in apps:
        for path in _module_files(app):
            for line, module in _imports(path):
                target = module.split(".")[0]
                if target not in apps or target == app:
                    continue
                if _layer_of(target) >= _layer_of(app):
                    found.append((path.relative_to(ROOT).as_posix(), line, module))
    return found


def test_every_app_is_in_a_layer_or_is_a_new_capability():
    assert "pps" in _apps() and "cases" in _apps()
    assert _layer_of("pps") < _layer_of("cases") < _layer_of("safeguarding") < _layer_of("demo")


def test_the_shared_core_imports_no_domain_app():
    offending = [found for found in _backward_imports() if found[0].startswith("pps/")]
    assert offending == []


def test_case_file_code_never_imports_child_protection_code():
    offending = [
        found
        for found in _backward_imports()
        if found[0].startswith("cases/") and found[2].split(".")[0] == "safeguarding"
    ]
    assert offending == []


def test_no_app_imports_one_after_it():
    assert _backward_imports() == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import safeguarding.models\n", [(1, "safeguarding.models")]),
        ("def f():\n    from safeguarding import access\n", [(2, "safeguarding")]),
        ("from . import models\n", []),
    ],
)
def test_the_reader_sees_top_level_and_function_imports(tmp_path, source, expected):
    path = tmp_path / "module.py"
    path.write_text(source)
    assert list(_imports(path)) == expected
