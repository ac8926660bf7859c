"""Briefs (Markdown + JSON) of translated documents, and the digest of many briefs.

A brief is built from the translation's detail record (``OUT/<rel>.en.json``,
written by `mt.outputs`: title.en, paragraphs, date, terms, model) and the
document's summary::

    # <English headline>

    - Source file: seeds/001_b4df3ac546630d11.txt
    - Date: 2025-11-07            (the document's own date, else "not stated")
    - Models: translation `opus-mt-uk-en`, summary `distilbart-cnn`

    ## Summary
    <summary text>

    ## People / ## Organizations / ## Places
    - Viktor Goremykin (2)        (glossary matches, canonical English names)

`mt evaluate` scores the text under ``## Summary`` up to the next ``## ``
heading. Output of the untrained demo models is labelled in both files.

The digest ``OUT/briefs.md`` lists every brief, oldest first (undated last,
then by headline), with a table of contents and an index from each name to the
briefs that mention it. It is written by streaming the brief JSON files: only
the sort keys and names are held in memory.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from mt.outputs.files import atomic_write_json, atomic_write_lines, atomic_write_text, output_path
from mt.outputs.layout import SUMMARY_DEMO_LABEL

NOT_STATED = "not stated"
DIGEST = "briefs.md"
SUMMARY_HEADING = "## Summary"
ENTITY_SECTIONS = (("people", "People", "person"), ("organizations", "Organizations", "org"),
                   ("places", "Places", "place"))
DEMO_NOTE = ("DEMO OUTPUT: made with untrained demo models (scripts/make_tiny_models.py); "
             "the headline and summary are noise, not a translation or a summary.")
FORMAT = 1  # bump when the brief layout changes (part of the brief stage's resume key)


def strip_demo_label(text: str) -> str:
    """Summary text without the demo label line `mt summarize` writes for demo models."""
    text = text.strip()
    if text.startswith(SUMMARY_DEMO_LABEL):
        text = text[len(SUMMARY_DEMO_LABEL):].strip()
    return text


def entities(terms: Iterable[dict]) -> dict[str, list[dict]]:
    """Canonical names of the glossary matches by kind, most mentioned first: {people: [{name, count}]...}."""
    counts: dict[str, dict[str, int]] = {key: {} for key, _, _ in ENTITY_SECTIONS}
    kinds = {etype: key for key, _, etype in ENTITY_SECTIONS}
    for term in terms:
        key = kinds.get(term.get("type", ""))
        name = (term.get("target") or "").strip()
        if key and name:
            counts[key][name] = counts[key].get(name, 0) + 1
    people = counts.get("people", {})
    for short in sorted(people, key=len):  # "Goremykin" counts for "Viktor Goremykin" in the same article
        longer = [full for full in people if full != short and full.endswith(" " + short)]
        if len(longer) == 1:
            people[longer[0]] += people.pop(short)
    return {key: [{"name": n, "count": c} for n, c in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))]
            for key, names in counts.items()}


def build_brief(detail: dict, summary: str, *, summary_model: str, summary_demo: bool, doc_id: str,
                summary_file: str | None = None) -> dict:
    """The brief record (what ``<stem>.brief.json`` holds) for one translated document."""
    title = detail.get("title") or {}
    summary = strip_demo_label(summary)
    headline = (title.get("en") if isinstance(title, dict) else str(title or "")) or ""
    headline = " ".join(headline.split()) or _first_sentence(summary) or doc_id
    translation_demo = bool(detail.get("demo"))
    date = detail.get("date") or None
    return {
        "id": doc_id, "headline": headline, "source": detail.get("source") or "", "date": date,
        "date_text": date or NOT_STATED, "date_source": detail.get("date_source") or None,
        "url": detail.get("url") or None, "site": detail.get("site") or None,
        "models": {"translation": detail.get("model") or "", "summary": summary_model,
                   "translation_demo": translation_demo, "summary_demo": bool(summary_demo)},
        "summary": summary, "summary_file": summary_file,
        "entities": entities(detail.get("terms") or []),
        "demo": translation_demo or bool(summary_demo),
        "demo_note": DEMO_NOTE if translation_demo or summary_demo else None,
        "format": FORMAT,
    }


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(?:\s|$)", text.strip())
    return (match.group(1) if match else text.strip())[:200]


def _model(label: str, demo: bool) -> str:
    return f"`{label}`" + (" (DEMO: untrained)" if demo else "")


def _facts(brief: dict) -> list[str]:
    models = brief["models"]
    page = [f"- Source URL: <{brief['url']}>"] if brief.get("url") else []
    page += [f"- Site: {_md(brief['site'])}"] if brief.get("site") else []
    return [f"- Source file: {_md(brief['source'])}", *page,
            f"- Date: {brief.get('date') or NOT_STATED}"
            + (" (from the page's metadata)" if brief.get("date") and brief.get("date_source") == "page metadata"
               else ""),
            f"- Models: translation {_model(models['translation'], models['translation_demo'])}, "
            f"summary {_model(models['summary'], models['summary_demo'])}"]


def _entity_lines(brief: dict, level: str) -> list[str]:
    lines: list[str] = []
    for key, heading, _ in ENTITY_SECTIONS:
        names = brief["entities"].get(key) or []
        lines += ["", f"{level} {heading}", ""]
        lines += [f"- {_md(e['name'])} ({e['count']})" for e in names] or ["none"]
    return lines


def render_markdown(brief: dict) -> str:
    """``<stem>.brief.md``: headline, facts, ``## Summary``, then the names."""
    headline = f"[DEMO] {brief['headline']}" if brief.get("demo") else brief["headline"]
    lines = [f"# {_md(headline)}", ""]
    if brief.get("demo"):
        lines += [f"> **{DEMO_NOTE}**", ""]
    lines += [*_facts(brief), "", SUMMARY_HEADING, "", brief["summary"] or "(empty summary)"]
    lines += _entity_lines(brief, "##")
    return "\n".join(lines) + "\n"


def write_brief(out: Path, rel: str, brief: dict) -> tuple[Path, Path]:
    """Write ``OUT/<rel>.brief.md`` and ``OUT/<rel>.brief.json`` atomically (JSON first)."""
    md, js = output_path(out, rel, ".brief.md"), output_path(out, rel, ".brief.json")
    atomic_write_json(js, brief)
    atomic_write_text(md, render_markdown(brief))
    return md, js


def _md(text: str) -> str:
    """Keep a line of text from being read as Markdown structure."""
    text = " ".join(str(text).split())
    return re.sub(r"^([#>*+-]|\d+[.)])(\s)", r"\\\1\2", text)


# ---------------------------------------------------------------- digest

@dataclass
class _Entry:
    path: Path
    date: str | None
    headline: str
    anchor: str
    demo: bool
    names: list[str] = field(default_factory=list)

    @property
    def order(self) -> tuple:
        return (self.date is None, self.date or "", self.headline.casefold(), str(self.path))


def _anchor(doc_id: str, used: set[str]) -> str:
    base = "brief-" + (re.sub(r"[^0-9a-z]+", "-", doc_id.lower()).strip("-") or "doc")
    anchor, n = base, 1
    while anchor in used:
        n += 1
        anchor = f"{base}-{n}"
    used.add(anchor)
    return anchor


def _link_text(text: str) -> str:
    return _md(text).replace("[", "\\[").replace("]", "\\]")


def read_entries(paths: Iterable[Path]) -> list[_Entry]:
    """Sort metadata of the briefs: date, headline, anchor and the names they mention."""
    entries: list[_Entry] = []
    used: set[str] = set()
    for path in paths:
        brief = json.loads(Path(path).read_text(encoding="utf-8"))
        names = [e["name"] for key, _, _ in ENTITY_SECTIONS for e in brief.get("entities", {}).get(key, [])]
        entries.append(_Entry(Path(path), brief.get("date"), brief.get("headline", ""),
                              _anchor(brief.get("id") or Path(path).stem, used), bool(brief.get("demo")), names))
    return sorted(entries, key=lambda e: e.order)


def digest_lines(out: Path, entries: list[_Entry]) -> Iterator[str]:
    """The digest, one chunk at a time; each brief's JSON is read again when its turn comes."""
    yield "# Briefs\n\n"
    if any(e.demo for e in entries):
        yield f"> **{DEMO_NOTE}**\n\n"
    dated = sum(1 for e in entries if e.date)
    yield (f"{len(entries)} brief(s), oldest first; {dated} dated, {len(entries) - dated} with no date stated "
           "(listed last).\n\n## Contents\n\n")
    for i, entry in enumerate(entries, 1):
        demo = "[DEMO] " if entry.demo else ""
        yield f"{i}. [{_link_text(demo + entry.headline)}](#{entry.anchor}) ({entry.date or NOT_STATED})\n"
    for entry in entries:
        brief = json.loads(entry.path.read_text(encoding="utf-8"))
        headline = f"[DEMO] {brief['headline']}" if brief.get("demo") else brief["headline"]
        rel = entry.path.resolve().relative_to(out.resolve()).as_posix()
        md = rel[: -len(".json")] + ".md"
        lines = ["", f'<a id="{entry.anchor}"></a>', "", f"## {_md(headline)}", "", *_facts(brief),
                 f"- Brief: [{_link_text(md)}]({md})", "", "### Summary", "", brief["summary"] or "(empty summary)"]
        lines += _entity_lines(brief, "###")
        yield "\n".join(lines) + "\n"
    index: dict[str, list[_Entry]] = {}
    for entry in entries:
        for name in dict.fromkeys(entry.names):
            index.setdefault(name, []).append(entry)
    yield "\n## Index\n\n"
    if not index:
        yield "none\n"
    for name in sorted(index, key=str.casefold):
        links = ", ".join(f"[{_link_text(e.headline)}](#{e.anchor})" for e in index[name])
        yield f"- **{_md(name)}**: {links}\n"


def write_digest(out: Path, brief_jsons: Iterable[Path], extra: str = "") -> Path:
    """Write ``OUT/briefs.md`` from brief JSON files (plus `extra` Markdown at the end), atomically."""
    out = Path(out)
    entries = read_entries(brief_jsons)
    path = output_path(out, "briefs", ".md")

    def chunks() -> Iterator[str]:
        yield from digest_lines(out, entries)
        if extra:
            yield "\n" + extra

    atomic_write_lines(path, chunks())
    return path
