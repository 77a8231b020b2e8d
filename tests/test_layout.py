"""The import arrows of DESIGN.md hold: voice/ and knowledge/ import nothing of ours, agent/ only
knowledge/, and inside server/ storage/ imports none of the jobs built on it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OURS = ("voice", "knowledge", "agent", "server")


def imports_of(package: str) -> dict[str, set[str]]:
    """Our modules each file of `package` imports, by file."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
        found[str(path.relative_to(REPO))] = {n for n in names if n.split(".")[0] in OURS}
    return found


@pytest.mark.parametrize(("package", "may_import"), [
    ("voice", ("voice",)),
    ("knowledge", ("knowledge",)),
    ("agent", ("agent", "knowledge")),
    ("server/storage", ("server.storage", "knowledge")),
])
def test_imports_point_down(package: str, may_import: tuple[str, ...]) -> None:
    for path, names in imports_of(package).items():
        wrong = {n for n in names if not any(n == m or n.startswith(m + ".") for m in may_import)}
        assert not wrong, f"{path} imports {sorted(wrong)}"
