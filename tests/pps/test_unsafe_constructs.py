"""No code or template turns off escaping or builds SQL or shell commands from strings
(SECURITY control 9): these constructs appear nowhere in the project's own code, bar the
places listed here with the reason they are safe."""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The project's own code: every top-level folder that holds Python or templates, less tooling.
SKIPPED = {".venv", "var", "static", ".git", "node_modules"}

BANNED = {
    "mark_safe": re.compile(r"\bmark_safe\b"),
    "|safe": re.compile(r"\|\s*safe\b"),
    "autoescape off": re.compile(r"{%\s*autoescape\s+off"),
    ".raw(": re.compile(r"\.raw\("),
    ".extra(": re.compile(r"\.extra\("),
    "RawSQL": re.compile(r"\bRawSQL\b"),
    "shell=True": re.compile(r"shell\s*=\s*True"),
    "eval(": re.compile(r"(?<![\w.])eval\("),
    "pickle": re.compile(r"\bimport pickle\b|\bpickle\.loads\b"),
}

#: (path relative to the project, construct): why it is safe there.
ALLOWED: dict[tuple[str, str], str] = {
    ("tests/pps/test_unsafe_constructs.py", name): "this test names them" for name in BANNED
} | {
    ("templates/pps/password_reset_email.txt", "autoescape off"): (
        "a plain-text email, never rendered as HTML: escaping would show &amp; in the link"
    ),
}


def project_files():
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED | {"migrations"})
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix in {".py", ".html", ".txt"} and not name.startswith("requirements"):
                yield path


def test_the_walk_reads_the_apps_and_templates():
    names = {path.relative_to(ROOT).as_posix() for path in project_files()}
    assert "pps/audit.py" in names and "templates/base.html" in names


@pytest.mark.parametrize("name", sorted(BANNED))
def test_no_unsafe_construct_outside_the_allow_list(name):
    found = []
    for path in project_files():
        relative = path.relative_to(ROOT).as_posix()
        if (relative, name) in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if BANNED[name].search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []
