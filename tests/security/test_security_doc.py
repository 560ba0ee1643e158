"""docs/SECURITY.md names a test for every control: each named file and test must exist, so the
document cannot promise a proof that is not there."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "SECURITY.md"


def references() -> list[tuple[str, str | None]]:
    """(file, test function or None) for every test the document names. In a table cell, a bare
    `test_…` belongs to the file named before it."""
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        current = None
        for token in re.findall(r"`([^`]+)`", line):
            if token.startswith("tests/"):
                path, _, function = token.partition("::")
                current = path
                found.append((path, function or None))
            elif token.startswith("test_") and current:
                found.append((current, token))
    return found


def test_the_document_names_tests():
    assert len(references()) > 40


def test_every_named_test_exists():
    missing = []
    for path, function in references():
        file = ROOT / path
        if not file.exists():
            missing.append(path)
        elif function and f"def {function}(" not in file.read_text(encoding="utf-8"):
            missing.append(f"{path}::{function}")
    assert not missing, "docs/SECURITY.md names tests that do not exist:\n" + "\n".join(missing)
