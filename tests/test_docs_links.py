"""The README and docs/ stand on their own in a clone (issue 12): every relative link resolves, and
nothing points at the design notes outside the repository."""

from __future__ import annotations

import re

from dashboard.config import PROJECT_ROOT

DOCS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_every_relative_link_in_the_docs_resolves():
    broken = []
    for doc in DOCS:
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            if not (doc.parent / target).exists():
                broken.append(f"{doc.name} → {target}")
    assert broken == []


def test_no_doc_points_outside_the_clone():
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        assert "../shared" not in text, doc.name
        assert "DESIGN.md" not in text and "DOMAIN.md" not in text, doc.name


def test_the_readme_says_where_to_open_and_how_long_it_takes():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "http://localhost:8501" in readme
    assert "docs/USER_GUIDE.md" in readme and "docs/DEPLOY.md" in readme
    assert re.search(r"uv run pytest` 在 2 核机器上约需 \d+ 分钟", readme)
