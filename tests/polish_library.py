"""A small library in the published format with what a large one shows a new reader:
titles that start alike and are longer than the tree, long subject names, five related
articles with long titles, long answers and a one-paragraph summary on every article."""

from __future__ import annotations

import re
from pathlib import Path

#: Subjects, each with the questions of its articles (ids are given in this order).
SUBJECTS: dict[str, list[str]] = {
    "American Culture and Society": [
        f"How did the American railroad change {topic} in the nineteenth century?"
        for topic in ("farming", "banking", "cities", "newspapers", "timekeeping", "music")
    ],
    "Biology": [
        "How do cells divide by mitosis?",
        "What does the ribosome make?",
        "Why do leaves change colour in autumn?",
    ],
    "Chemistry": [
        "What is a covalent bond?",
        "How does a catalyst speed up a reaction?",
    ],
}

#: The first id; articles are numbered in the order of :data:`SUBJECTS`.
FIRST_ID = 7001


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _answer(question: str, paragraphs: int) -> str:
    """A long answer: sections of plain sentences, its newlines stored as ``\\n``."""
    parts = [f"This answer takes up **{question}** at some length."]
    for number in range(1, paragraphs + 1):
        parts.append(f"### Part {number}")
        parts.append(
            f"Paragraph {number} explains one more step of the argument with a sentence "
            "long enough to wrap across several lines of a narrow terminal, then adds a "
            "second sentence so that the paragraph has some body to scroll through."
        )
    return "\\n\\n".join(parts)


def articles() -> list[tuple[int, str, str]]:
    """Every article as (id, subject, question)."""
    found = []
    article_id = FIRST_ID
    for subject, questions in SUBJECTS.items():
        for question in questions:
            found.append((article_id, subject, question))
            article_id += 1
    return found


def write_library(root: Path, *, paragraphs: int = 12) -> Path:
    """Write the library under ``root/learn`` and return ``root``."""
    every = articles()
    for index, (article_id, subject, question) in enumerate(every):
        related = [every[(index + step) % len(every)] for step in range(1, 6)]
        lines = [
            "---",
            "_schema: default",
            f"id: {article_id}",
            f"date: 2024-{1 + index % 12:02d}-{10 + index % 15:02d}",
            f"title: >-\n    {question}",
            f"article_title: >-\n    {question}",
            "date_format: MMM DD, YYYY",
            "seo:",
            f"  title: QuickTakes | {subject}",
            "  page_description: >-",
            f"    In short: article {article_id} gives the gist of its answer in one "
            "paragraph, the part worth recalling.",
            f"  page_keywords: >-\n    {subject.lower()}, gist",
            "author: QuickTakes",
            f"question: >-\n    {question}",
            f"answer: >-\n    {_answer(question, paragraphs)}",
            f"subject: {subject}",
            f"file_name: {slug(question)}.md",
            f"url: /learn/{slug(subject)}/questions/{slug(question)}",
            "score: -1.0",
        ]
        for number, (other_id, other_subject, other_question) in enumerate(related, start=1):
            lines += [
                f"related_article{number}:",
                f"    id: {other_id}",
                f"    title: >-\n        {other_question}",
                f"    subject: {other_subject}",
                f"    url: /learn/{slug(other_subject)}/questions/{slug(other_question)}",
            ]
        lines += ["---", "", "&nbsp;", ""]
        folder = root / "learn" / slug(subject)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{slug(question)}.md").write_text("\n".join(lines), encoding="utf-8")
    return root
