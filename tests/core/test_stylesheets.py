"""The stylesheets parse as intended: a block left open (an easy slip when two changes meet in one
file) silently moves every rule after it into that block — into ``@media print``, say, where the
screen never sees them."""

import re
from pathlib import Path

import pytest
from django.conf import settings

STYLESHEETS = sorted(Path(settings.BASE_DIR, "static", "css").glob("*.css"))


def blocks(css):
    """Yield (line, depth, at_rule) for each block opened; fail on a brace closed that never opened."""
    css = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), css, flags=re.S)
    depth, line = 0, 1
    for match in re.finditer(r"[{}\n]|@media[^{]*", css):
        token = match.group()
        if token == "\n":
            line += 1
        elif token.startswith("@media"):
            yield line, depth, token.strip()
        elif token == "{":
            depth += 1
        else:
            depth -= 1
            assert depth >= 0, f"line {line}: '}}' closes nothing"
    assert depth == 0, f"{depth} block(s) never closed"


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: p.name)
def test_every_block_closes_and_no_media_query_is_nested(path):
    for line, depth, rule in blocks(path.read_text()):
        assert depth == 0, f"{path.name} line {line}: {rule} opens inside another block (one left open above it?)"


def test_there_are_stylesheets_to_check():
    assert {p.name for p in STYLESHEETS} >= {"app.css", "floor.css"}
