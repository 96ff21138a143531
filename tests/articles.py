"""Write articles in the real QuickTakes format, for tests that need libraries made at test
time (hostile titles, many articles, generated text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Related:
    """A ``related_articleN`` entry."""

    id: int
    title: str
    subject: str
    url: str = ""


@dataclass(frozen=True)
class Spec:
    """One article file. ``answer`` is Markdown with real newlines; the file holds it in the
    ``\\n``-encoded form of real files."""

    id: int
    title: str
    subject: str
    answer: str = "A short answer written for the tests."
    question: str | None = None
    keywords: tuple[str, ...] = ("testing",)
    description: str = "An article written for the tests."
    slug: str | None = None
    related: tuple[Related, ...] = field(default_factory=tuple)


def front_matter(spec: Spec) -> dict[str, object]:
    slug = spec.slug or f"article-{spec.id}"
    folder = "subject"
    meta: dict[str, object] = {
        "_schema": "default",
        "id": spec.id,
        "date": "2024-10-05",
        "title": spec.title,
        "article_title": spec.title,
        "date_format": "MMM DD, YYYY",
        "post_on_text": "Posted on",
        "seo": {
            "title": f"QuickTakes | {spec.subject}",
            "page_description": spec.description,
            "page_keywords": ", ".join(spec.keywords),
        },
        "author": "QuickTakes",
        "question": spec.question if spec.question is not None else spec.title,
        # Real files hold the answer on one line, each newline written as the two
        # characters backslash and n.
        "answer": spec.answer.replace("\n", "\\n"),
        "subject": spec.subject,
        "file_name": f"{slug}.md",
        "url": f"/learn/{folder}/questions/{slug}",
        "score": -1.0,
    }
    for number, link in enumerate(spec.related, start=1):
        meta[f"related_article{number}"] = {
            "id": link.id,
            "title": link.title,
            "subject": link.subject,
            "url": link.url or f"/learn/{folder}/questions/article-{link.id}",
        }
    return meta


def write_article(library: Path, spec: Spec, folder: str = "subject") -> Path:
    """Write ``spec`` as ``learn/<folder>/<slug>.md`` under ``library``."""
    path = library / "learn" / folder / f"{spec.slug or f'article-{spec.id}'}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    dumped = yaml.safe_dump(front_matter(spec), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(f"---\n{dumped}---\n\n&nbsp;\n", encoding="utf-8")
    return path
