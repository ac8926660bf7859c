"""The review page: ``mt report OUT -o report.html``.

One self-contained HTML file (inline CSS, no scripts, fonts or network; a strict
Content-Security-Policy) built from what the stages left in OUT:

- ``manifest.jsonl``: the index, one row per document (latest translate record):
  status, paragraphs, sentences, time, term accuracy (found/mentions, see mt.glossary.stats), briefs;
- ``<rel>.en.json``: the cleaned Ukrainian paragraphs beside the English, 1:1,
  with glossary mentions highlighted (see `mt.review.marks`) and the dropped
  boilerplate collapsed;
- ``<rel>.brief.json`` (``mt brief``): headline, date, summary and names on top;
- an evaluation report (``mt evaluate --json``; ``--scores FILE`` or
  ``OUT/scores.json``): per-document scores in the index, and a bar chart drawn
  as inline SVG.

Every piece of text from the corpus is HTML-escaped; nothing is ever executed.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from mt.errors import MtError
from mt.glossary.stats import accuracy
from mt.outputs.files import OutputError, atomic_write_text, output_path
from mt.outputs.manifest import MANIFEST, read_manifest
from mt.review.marks import align_terms, english_marks, highlight

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
SCORES_FILE = "scores.json"
METRICS = ("bleu", "chrf", "ter", "rouge1", "rougeL", "comet", "term_accuracy")  # shown, in this order
LABELS = {"bleu": "BLEU", "chrf": "chrF2", "ter": "TER", "rouge1": "ROUGE-1", "rouge2": "ROUGE-2",
          "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum", "comet": "COMET", "term_accuracy": "Terms"}
COLORS = ("#3b6ea8", "#d08b2c", "#4f9a5a")
DROPPED_KINDS = {"related": "related news", "read_also": "'Читайте також'", "ad": "advertising",
                 "url": "bare URL", "photo_credit": "photo credit"}


class ReportError(MtError):
    """OUT cannot be reported on (no manifest), or a scores file is unusable."""


@dataclass
class DocView:
    record: dict  # the latest translate manifest record
    detail: dict | None = None
    brief: dict | None = None
    scores: dict = field(default_factory=dict)
    problem: str | None = None  # why the detail could not be read

    @property
    def id(self) -> str:
        return str(self.record.get("id", ""))


# ---------------------------------------------------------------- reading OUT

def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _stem(record: dict) -> str | None:
    output = str(record.get("output") or "")
    return output[: -len(".en.txt")] if output.endswith(".en.txt") else None


def load_scores(path: Path) -> dict:
    """An `mt evaluate --json` report (``{"corpus", "signatures", "documents": [{"id", ...}]}``)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"{path}: cannot read the scores file ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ReportError(f"{path}: not a JSON evaluation report ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents", []), list):
        raise ReportError(f"{path}: not an `mt evaluate --json` report (no 'documents' list)")
    return data


def load_documents(out: Path, scores: dict | None = None) -> list[DocView]:
    """One view per document of OUT, in manifest order."""
    latest: dict[str, dict] = {}
    briefs: dict[str, dict] = {}
    for record in read_manifest(out / MANIFEST):
        stage = record.get("stage", "translate")
        if stage == "translate":
            latest[str(record["id"])] = record
        elif stage == "brief":
            briefs[str(record["id"])] = record
    by_id = {}
    for item in (scores or {}).get("documents", []):
        if isinstance(item, dict) and "id" in item:
            by_id[str(item["id"])] = item
    views = []
    for doc_id, record in latest.items():
        view = DocView(record)
        stem = _stem(record)
        view.scores = by_id.get(doc_id) or (by_id.get(stem) if stem else None) or {}
        if record.get("status") not in {"ok", "skipped"}:
            views.append(view)
            continue
        try:
            if stem is not None:
                path = output_path(out, stem, ".en.json")
            elif str(record.get("output") or "").endswith(".json"):  # a table row's part
                path = output_path(out, str(record["output"]), "")
            else:
                path = None
            view.detail = _read_json(path) if path else None
            brief_rec = briefs.get(doc_id) or {}
            brief_path = None
            if brief_rec.get("status") in {"ok", "skipped"} and brief_rec.get("json"):
                brief_path = output_path(out, str(brief_rec["json"]), "")
            elif stem is not None and not brief_rec:  # a brief written without a manifest record
                brief_path = output_path(out, stem, ".brief.json")
            view.brief = _read_json(brief_path) if brief_path else None  # None when missing or unreadable
        except OutputError as exc:
            view.problem = str(exc)
        if view.detail is None and view.problem is None:
            view.problem = "the translation detail record (.en.json) is missing or unreadable"
        views.append(view)
    return views


# ---------------------------------------------------------------- rendering

def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _anchors(views: list[DocView]) -> list[str]:
    used: set[str] = set()
    anchors = []
    for i, view in enumerate(views, 1):
        base = "doc-" + "".join(c if c.isascii() and c.isalnum() else "-" for c in view.id.lower()).strip("-")
        anchor = base if base != "doc-" and base not in used else f"{base}-{i}"
        used.add(anchor)
        anchors.append(anchor)
    return anchors


def _num(value, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "–"


def _metrics(views: list[DocView], scores: dict | None) -> list[str]:
    present = {k for v in views for k, x in v.scores.items() if isinstance(x, (int, float))}
    if scores:
        present |= {k for k, x in (scores.get("corpus") or {}).items() if isinstance(x, (int, float))}
    return [m for m in METRICS if m in present]


def _terms_cell(glossary: dict) -> str:
    mentions, found = glossary.get("mentions") or 0, glossary.get("found") or 0
    if not mentions:
        return '<td class="num">–</td>'
    return (f'<td class="num" data-mentions="{mentions}" data-found="{found}">{found}/{mentions} '
            f'({accuracy(found, mentions):.0f}%)</td>')


def _index(views: list[DocView], anchors: list[str], metrics: list[str]) -> str:
    head = "".join(f"<th>{_e(LABELS.get(m, m))}</th>" for m in metrics)
    rows = []
    for view, anchor in zip(views, anchors):
        r = view.record
        status = str(r.get("status") or "")
        glossary = r.get("glossary") if isinstance(r.get("glossary"), dict) else {}
        missed = glossary.get("missed") or []
        title = (view.detail or {}).get("title")
        title = title.get("en") if isinstance(title, dict) else title
        title = str(title or "")
        title = title if len(title) <= 100 else title[:99] + "…"
        label = f'<a href="#{anchor}">{_e(view.id)}</a>' + (f'<br><small>{_e(title)}</small>' if title else "")
        if status == "error":
            label += f'<br><small class="error">{_e(r.get("error"))}</small>'
        cells = [f"<td>{label}</td>", f'<td class="status {_e(status)}">{_e(status)}</td>',
                 f'<td class="num">{_e(r.get("paragraphs", "–"))}</td>',
                 f'<td class="num">{_e(r.get("sentences", "–"))}</td>',
                 f'<td class="num">{_num(r.get("seconds"), 2)}</td>', _terms_cell(glossary),
                 f'<td class="num">{_e(glossary.get("repaired", "–"))}</td>',
                 f'<td class="num">{len(missed) if isinstance(missed, list) else _e(missed)}</td>',
                 f'<td>{"yes" if view.brief else "–"}</td>',
                 *(f'<td class="num score">{_num(view.scores.get(m))}</td>' for m in metrics)]
        rows.append(f'<tr class="doc-row" data-id="{_e(view.id)}">{"".join(cells)}</tr>')
    return ('<table class="index" id="index"><thead><tr><th>Document</th><th>Status</th>'
            '<th title="paragraphs">Paras</th>'
            '<th>Sentences</th><th title="translation time, seconds">Time s</th>'
            '<th title="found / mentions: glossary mentions whose English form is in the translation">'
            'Term accuracy</th>'
            '<th>Repaired</th><th>Missed</th>'
            f'<th>Brief</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def score_chart(views: list[DocView], metrics: list[str]) -> str:
    """Horizontal grouped bars (0–100) of up to three metrics per document, as inline SVG."""
    metrics = [m for m in metrics if m != "ter"][:3]
    rows = [v for v in views if any(isinstance(v.scores.get(m), (int, float)) for m in metrics)]
    if not rows or not metrics:
        return ""
    label_w, bar_w, bar_h, gap = 240, 420, 12, 10
    group = bar_h * len(metrics) + gap
    height = 30 + group * len(rows)
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 60}" '
             f'height="{height}" role="img" aria-label="Scores per document">']
    for i, metric in enumerate(metrics):
        x = label_w + i * 110
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{COLORS[i]}"/>'
                     f'<text x="{x + 14}" y="13">{_e(LABELS.get(metric, metric))}</text>')
    for j, view in enumerate(rows):
        y = 24 + j * group
        name = view.id if len(view.id) <= 34 else view.id[:33] + "…"
        parts.append(f'<text x="0" y="{y + bar_h * len(metrics) / 2 + 4:.0f}">{_e(name)}</text>')
        for i, metric in enumerate(metrics):
            value = view.scores.get(metric)
            if not isinstance(value, (int, float)):
                continue
            width = max(0.0, min(100.0, float(value))) / 100 * bar_w
            by = y + i * bar_h
            parts.append(f'<rect class="bar" data-metric="{_e(metric)}" x="{label_w}" y="{by}" '
                         f'width="{width:.1f}" height="{bar_h - 2}" fill="{COLORS[i]}"/>'
                         f'<text x="{label_w + width + 4:.1f}" y="{by + bar_h - 3}">{value:.1f}</text>')
    parts.append(f'<line x1="{label_w}" y1="20" x2="{label_w}" y2="{height}" stroke="#888"/></svg>')
    return "".join(parts)


def _brief(brief: dict) -> str:
    entities = brief.get("entities") if isinstance(brief.get("entities"), dict) else {}
    names = []
    for key, heading in (("people", "People"), ("organizations", "Organizations"), ("places", "Places")):
        items = [f'{_e(e.get("name"))} ({_e(e.get("count"))})' for e in entities.get(key) or []
                 if isinstance(e, dict)]
        names.append(f"<dt>{heading}</dt><dd>{', '.join(items) or 'none'}</dd>")
    models = brief.get("models") if isinstance(brief.get("models"), dict) else {}
    demo = f'<p class="demo">{_e(brief.get("demo_note"))}</p>' if brief.get("demo") else ""
    return (f'<section class="brief"><h3>Brief: {_e(brief.get("headline"))}</h3>{demo}'
            f'<p class="facts">Date: {_e(brief.get("date") or "not stated")} · Models: translation '
            f'{_e(models.get("translation"))}, summary {_e(models.get("summary"))}</p>'
            f'<p class="summary">{_e(brief.get("summary") or "(empty summary)")}</p>'
            f'<dl class="entities">{"".join(names)}</dl></section>')


def _page_facts(page) -> str:
    """An HTML page's source URL, site and reader (the manifest's `page`), one line; '' for other inputs."""
    if not isinstance(page, dict):
        return ""
    bits = []
    url = str(page.get("url") or "")
    if url.startswith(("https://", "http://")):
        bits.append(f'Source URL: <a href="{_e(url)}" rel="noreferrer noopener">{_e(url)}</a>')
    if page.get("site"):
        bits.append(f"Site: {_e(page['site'])}")
    if page.get("reader"):
        bits.append(f"Read by: {_e(page['reader'])}")
    return f'<p class="facts page">{" · ".join(bits)}</p>' if bits else ""


def _english(text: str, marks) -> str:
    return highlight(text, english_marks(text, [m.term for m in marks]))


def _document(view: DocView, anchor: str, glossary) -> str:
    r = view.record
    head = (f'<section class="doc" id="{anchor}" data-id="{_e(view.id)}"><h2>{_e(view.id)} '
            '<a class="up" href="#index">↑ index</a></h2>')
    facts = (f'<p class="facts">Source: {_e(r.get("source"))} · Status: {_e(r.get("status"))} · Model: '
             f'{_e(r.get("model"))} ({_e(r.get("engine"))}) · Date: {_e(r.get("date") or "not stated")}</p>')
    facts += _page_facts(r.get("page"))
    if view.detail is None:
        reason = r.get("error") or view.problem or "no translation"
        return f'{head}{facts}<p class="warning">Not translated: {_e(reason)}</p></section>'
    d = view.detail
    parts = [head, facts]
    if view.brief:
        parts.append(_brief(view.brief))
    title = d.get("title") if isinstance(d.get("title"), dict) else {"uk": "", "en": str(d.get("title") or "")}
    paragraphs = [p for p in d.get("paragraphs") or [] if isinstance(p, dict)]
    derived = bool(title.get("derived"))
    terms = [t for t in d.get("terms") or [] if isinstance(t, dict)]
    title_uk, title_en = str(title.get("uk") or ""), str(title.get("en") or "")
    body_uk = [str(p.get("uk") or "") for p in paragraphs]
    # a derived title repeats the first sentence: its mentions were counted once, in the body
    placed, unplaced = align_terms(body_uk if derived else [title_uk, *body_uk], terms, glossary)
    title_marks, body_marks = ([], placed) if derived else (placed[0], placed[1:])
    note = ' <small class="note">(the first sentence; its names are highlighted below)</small>' if derived else ""
    rows = [f'<tr class="title"><td class="uk" lang="uk">{highlight(title_uk, title_marks)}{note}</td>'
            f'<td class="en" lang="en">{_english(title_en, title_marks)}</td></tr>']
    for n, (paragraph, uk, marks) in enumerate(zip(paragraphs, body_uk, body_marks), 1):
        rows.append(f'<tr class="para" data-n="{n}"><td class="uk" lang="uk">{highlight(uk, marks)}</td>'
                    f'<td class="en" lang="en">{_english(str(paragraph.get("en") or ""), marks)}</td></tr>')
    missed = [t for t in terms if t.get("status") == "missed"]
    if missed:
        items = "".join(f'<li>{_e(t.get("text"))} → <b>{_e(t.get("target"))}</b></li>' for t in missed)
        parts.append(f'<div class="warning missed-box"><b>Missed glossary terms</b> (absent from the '
                     f'English):<ul>{items}</ul></div>')
    if unplaced:
        items = "".join(f'<li>{_e(t.get("text"))} → {_e(t.get("target"))}</li>' for t in unplaced)
        parts.append(f'<div class="warning unplaced"><b>Recorded mentions not found in the Ukrainian '
                     f'text</b><ul>{items}</ul></div>')
    parts.append('<table class="aligned"><thead><tr><th>Ukrainian (cleaned)</th><th>English</th></tr></thead>'
                 f'<tbody>{"".join(rows)}</tbody></table>')
    dropped = [x for x in d.get("dropped") or [] if isinstance(x, dict)]
    if dropped:
        items = "".join(f'<li><span class="kind">{_e(DROPPED_KINDS.get(x.get("kind"), x.get("kind")))}</span> '
                        f'{_e(x.get("text"))}</li>' for x in dropped)
        parts.append(f'<details class="dropped"><summary>Removed boilerplate ({len(dropped)})</summary>'
                     f'<ul>{items}</ul></details>')
    parts.append("</section>")
    return "".join(parts)


STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 auto;
max-width:1400px;padding:16px 24px;color:#1d2330;background:#fff}
h1{font-size:24px;margin:0 0 6px}h2{font-size:19px;margin:0 0 4px;word-break:break-all}h3{font-size:16px;margin:4px 0}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d5d9e0;padding:5px 8px;vertical-align:top;
text-align:left}th{background:#eef1f5}td.num{text-align:right;white-space:nowrap}
table.index{font-size:14px}table.index td:first-child{word-break:break-word}
.status.ok,.status.skipped{color:#1d7a34}.status.error,.error{color:#b3261e}
table.aligned{table-layout:fixed}table.aligned td{width:50%}tr.title td{font-weight:600;background:#f7f8fa}
section.doc{border-top:3px solid #3b6ea8;margin:28px 0;padding-top:10px}.facts{color:#555;margin:2px 0 8px}
section.brief{background:#f3f7fc;border:1px solid #c9d8ea;padding:8px 12px;margin:8px 0}
dl.entities{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:6px 0}
dl.entities dt{font-weight:600}dl.entities dd{margin:0}
mark.term,mark.key{background:#fff0a8;border-bottom:2px solid #c9a400;padding:0 1px;cursor:help}
mark.repaired{background:#ffd9b0;border-bottom:2px dashed #c25e00}
mark.missed{background:#ffd0d0;border-bottom:2px solid #b3261e}
mark.more::after{content:"+1";font-size:11px;vertical-align:super}
.warning{background:#fff4f2;border:1px solid #e3a59e;padding:6px 10px;margin:6px 0}
.demo{background:#fff7d6;border:1px solid #e0c36b;padding:6px 10px;font-weight:600}
details.dropped{margin:8px 0;color:#555}details.dropped li{margin:2px 0}.kind{font-weight:600}
.legend mark{margin-right:6px}svg.chart text{font:12px sans-serif;fill:#1d2330}.note{font-weight:400;color:#777}
section.scores{margin:18px 0}a.up{font-size:13px;font-weight:400;margin-left:8px}
"""


def render_report(out: Path, glossary_paths: Sequence[str | Path] = (), scores: Path | None = None) -> str:
    """The review page of OUT as one self-contained HTML string."""
    out = Path(out)
    if not (out / MANIFEST).is_file():
        inputs = out.is_dir() and (any(out.glob("*.txt")) or any(out.glob("*.htm*")))
        hint = (f"{out} looks like input articles: give the -o/--out folder of `mt translate` or `mt brief` "
                f"(e.g. `mt brief {out} -o out`, then `mt report out`)" if inputs
                else "give the -o/--out folder of an `mt translate` or `mt brief` run")
        raise ReportError(f"{out}: no {MANIFEST} here (not an mt output folder); {hint}")
    glossary = None
    if glossary_paths:
        from mt.glossary import load_glossary

        glossary = load_glossary(list(glossary_paths))
    if scores is None and (out / SCORES_FILE).is_file():
        scores = out / SCORES_FILE
    score_data = load_scores(scores) if scores is not None else None
    views = load_documents(out, score_data)
    anchors = _anchors(views)
    metrics = _metrics(views, score_data)
    records = [v.record for v in views]
    figures = [r["glossary"] for r in records if isinstance(r.get("glossary"), dict)]
    mentions = sum(g.get("mentions") or 0 for g in figures)
    found = sum(g.get("found") or 0 for g in figures)
    ok = sum(r.get("status") in {"ok", "skipped"} for r in records)
    totals = (f"{len(records)} documents: {ok} translated, {len(records) - ok} failed · "
              f"{sum(r.get('sentences') or 0 for r in records)} sentences · "
              f"{sum(r.get('seconds') or 0 for r in records):.1f} s")
    if mentions:
        totals += f" · term accuracy {accuracy(found, mentions):.1f}% ({found}/{mentions} mentions)"
    body = [f"<h1>Review: {_e(out.name or out)}</h1>", f'<p class="facts">{_e(totals)}</p>']
    if any(r.get("demo") for r in records):
        body.append('<p class="demo">DEMO OUTPUT: made with an untrained test model. The English is noise, not a '
                    'translation; the page shows the machinery only.</p>')
    body.append('<p class="legend">Glossary mentions (hover for the canonical English): '
                '<mark class="key enforced" title="the model wrote the canonical form">enforced</mark>'
                '<mark class="key repaired" title="mt fixed or inserted the canonical form">repaired</mark>'
                '<mark class="key missed" title="absent from the English">missed</mark> '
                '<mark class="key more" title="another mention sharing the English just before"></mark> '
                'another mention of the same name in the sentence</p>')
    body.append(_index(views, anchors, metrics))
    if score_data is not None:
        corpus = score_data.get("corpus") or {}
        line = " · ".join(f"{LABELS.get(m, m)} {_num(corpus.get(m))}" for m in metrics if m in corpus)
        what = f'{score_data.get("hyp") or "?"} against {score_data.get("ref") or "?"}'
        signatures = "".join(f"<li>{_e(k)}: <code>{_e(v)}</code></li>"
                             for k, v in (score_data.get("signatures") or {}).items())
        body.append(f'<section class="scores"><h2>Scores</h2><p class="facts">{_e(what)} · corpus: '
                    f'{_e(line or "–")}</p>{score_chart(views, metrics)}'
                    + (f'<details><summary>Signatures</summary><ul>{signatures}</ul></details>' if signatures
                       else "") + "</section>")
    body.extend(_document(v, a, glossary) for v, a in zip(views, anchors))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>mt review: {_e(out.name or out)}</title><style>{STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")


def write_report(out: Path, path: Path | None = None, glossary_paths: Sequence[str | Path] = (),
                 scores: Path | None = None) -> Path:
    """Write the review page (default ``OUT/report.html``) atomically; returns its path."""
    path = Path(path) if path is not None else Path(out) / "report.html"
    atomic_write_text(path, render_report(Path(out), glossary_paths, scores))
    return path
