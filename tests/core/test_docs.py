"""Every relative link in the repository's Markdown documents points at a file
or directory that exists, so a moved or deleted file cannot leave a dead link
behind. Web links (http, https, mailto) and in-page anchors are not checked."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def documents():
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]


FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+).*?\1")
# [text](target) and ![alt](target); the text may run over lines, the target may be <wrapped>
# and followed by a "title".
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+[\"'(][^)]*)?\s*\)")
# [label]: target
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*(<[^>]*>|\S+)", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, https:, mailto:, …


def prose(text):
    """``text`` with fenced code blocks and code spans blanked out, lines kept in place."""
    lines = []
    fence = None
    for line in text.splitlines():
        opening = FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            lines.append("")
        elif opening:
            fence = opening.group(1)
            lines.append("")
        else:
            lines.append(CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line))
    return "\n".join(lines)


def link_targets(text):
    """(line number, target) of every link outside code blocks and code spans, in order."""
    body = prose(text)
    found = [(m.start(), m.group(1)) for m in REFERENCE_DEFINITION.finditer(body)]
    found += [(m.start(), m.group(1)) for m in INLINE_LINK.finditer(body)]
    return [(body.count("\n", 0, start) + 1, target.strip("<>")) for start, target in sorted(found)]


def local_path(target):
    """The file part of a relative link, or None for a web link or a pure #anchor."""
    if EXTERNAL.match(target) or target.startswith("#"):
        return None
    path = target.split("#", 1)[0].split("?", 1)[0]
    return path or None


def broken_links(document, root=ROOT):
    """``path:line: target`` for each relative link that leads nowhere or out of ``root``.
    A link starting with ``/`` is read from ``root``, as a repository host shows it."""
    broken = []
    for number, target in link_targets(document.read_text(encoding="utf-8")):
        path = local_path(target)
        if path is None:
            continue
        resolved = (root / path.lstrip("/")) if path.startswith("/") else (document.parent / path)
        resolved = resolved.resolve()
        if not resolved.is_relative_to(root.resolve()) or not resolved.exists():
            broken.append(f"{document.relative_to(root)}:{number}: {target}")
    return broken


@pytest.mark.parametrize("document", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(document):
    assert document.exists(), f"{document.relative_to(ROOT)} is missing"
    broken = broken_links(document)
    assert not broken, "links to files that do not exist:\n" + "\n".join(broken)


def test_readme_links_the_documentation():
    linked = {local_path(target) for _, target in link_targets((ROOT / "README.md").read_text(encoding="utf-8"))}
    assert {"docs/DESIGN.md", "docs/API.md", "docs/ARCHITECTURE.md", "docs/PERFORMANCE.md"} <= linked


def test_link_extraction():
    text = "\n".join(
        [
            'See [the design](docs/DESIGN.md#plant-time) and ![a page](docs/screenshots/home.png "Home").',
            "Web [site](https://example.com), [mail](mailto:a@example.com) and [a section](#conventions).",
            "[ref]: ../LICENSE",
            "A [link over",
            "two lines](docs/API.md).",
            "Not a link: `[x](inside-a-code-span.md)`.",
            "```",
            "[y](inside-a-fence.md)",
            "```",
        ]
    )
    targets = [target for _, target in link_targets(text)]
    assert targets == [
        "docs/DESIGN.md#plant-time",
        "docs/screenshots/home.png",
        "https://example.com",
        "mailto:a@example.com",
        "#conventions",
        "../LICENSE",
        "docs/API.md",
    ]
    assert [local_path(t) for t in targets] == [
        "docs/DESIGN.md",
        "docs/screenshots/home.png",
        None,
        None,
        None,
        "../LICENSE",
        "docs/API.md",
    ]
    assert [number for number, _ in link_targets(text)] == [1, 1, 2, 2, 2, 3, 4]


def test_a_dead_link_is_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "THERE.md").write_text("x")
    document = tmp_path / "README.md"
    document.write_text("[ok](docs/THERE.md) [gone](docs/GONE.md#top)\n\n[out](../elsewhere.md)\n")
    assert broken_links(document, root=tmp_path) == ["README.md:1: docs/GONE.md#top", "README.md:3: ../elsewhere.md"]


def test_every_setting_read_from_the_environment_is_documented():
    """Each variable the settings read (``env("NAME")``) has a row in the README's configuration
    tables and, unless it is the test settings' own, a line in .env.example."""
    import re

    names = set()
    for path in (ROOT / "prodcoord" / "settings").glob("*.py"):
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert "PLANT_TIME_ZONE" in names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    test_only = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', (ROOT / "prodcoord" / "settings" / "test.py").read_text()))
    assert sorted(n for n in names if f"| `{n}`" not in readme) == []
    assert sorted(n for n in names - test_only if n not in example) == []
