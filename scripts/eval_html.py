#!/usr/bin/env python3
"""Score mt's HTML reading against gold article bodies, and time it.

Three readers are compared on the same pages:

* ``old``: the reader mt used before issue 17 (first ``<article>``/``<main>``/``<body>``,
  its ``p``/``h2``-``h4``/``blockquote``/``li`` text). It is still mt's fallback,
  ``mt.inputs.html.fallback_paragraphs``.
* ``new``: what mt reads today, ``mt.inputs.html.read_html`` (trafilatura, then the
  fallback when trafilatura returns nothing).
* ``trafilatura``: ``trafilatura.extract(html, include_comments=False)`` alone, as the
  benchmark's runner calls it: the reference for what mt adds or loses around it.

``old`` and ``new`` are followed by mt's boilerplate rules (``mt.inputs.clean``), as in ``mt translate``.
The page title is not part of the scored text (the gold bodies do not contain it).

Scoring follows the article-extraction benchmark's scorer (ScrapingHub's
article-extraction-benchmark, ``evaluate.py``): text is split into ``\\w+`` tokens,
tokens into overlapping 4-token shingles; per page the true/false positives and false
negatives are counted over shingle multisets and normalised to sum to 1, so a long page
weighs as much as a short one; precision and recall are the means over pages (a page with
nothing predicted is left out of precision, one with an empty gold body out of recall),
and F1 is computed from those two means.

Pages come from either
* ``--bench DIR``: the benchmark's layout, ``DIR/ground-truth.json`` (``{key: {"articleBody": ...}}``)
  and ``DIR/html/<key>.html`` or ``.html.gz``; or
* by default, the pages this script writes itself (``synthetic_pages()``): Ukrainian
  news pages with the structures issue 17 lists (several ``<article>`` elements, a
  ``<form>`` wrapper, an empty ``<main>``, ``div``/``br`` text, navigation lists, a related box
  mid-article, a trailing related list, comments, a Russian page). These figures measure
  those structures only, not real-world pages.

Speed is reported twice, as pages per second and as the new/old ratio, with the readers taking
turns pass by pass: ``read_html`` alone on one process, and ``load_corpus`` over a folder of the
pages (each written four times), with the old reader, with mt's reader on one process, and with
mt's reader as ``mt translate`` reads a folder (one process per core, ``mt.inputs.parallel``).

``--language`` measures ``mt.inputs.language`` instead: sentence by sentence and in
five-sentence documents, on the Ukrainian and English sides of FLORES-200 devtest and
NTREX-128 (``DATA_DIR``, default ``$MT_SHARED_DATA`` or ``../shared/data``) and on the
Russian news sentences in ``scripts/eval_html_ru.txt`` (written for this script). It
prints, per language, how many were identified correctly, as another language, or as
undetermined (``und``, never skipped), and texts per second.

Usage: scripts/eval_html.py [--bench DIR] [--repeat N] [--json] [--show]
       scripts/eval_html.py --language [DATA_DIR]
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # runnable from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

_TOKEN = re.compile(r"\w+", re.UNICODE)


# ---------------------------------------------------------------- scoring (the benchmark's way)

def shingles(text: str, n: int = 4) -> Counter:
    """Multiset of n-token shingles; a text shorter than n tokens is one shingle."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def match(gold: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles, normalised to sum to 1."""
    g, p = shingles(gold), shingles(pred)
    tp = fp = fn = 0
    for key in g.keys() | p.keys():
        tp += min(g[key], p[key])
        fp += max(0, p[key] - g[key])
        fn += max(0, g[key] - p[key])
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def metrics(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Mean precision, mean recall and the F1 of those means."""
    ps = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    rs = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = statistics.mean(ps) if ps else 0.0
    recall = statistics.mean(rs) if rs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


# ---------------------------------------------------------------- readers

def read_old(html: str) -> str:
    """The reading before issue 17, including its related-news rule, which cut everything
    from the first marker after the first paragraph (emulated here; the rule is gone)."""
    from mt.inputs.clean import RELATED, clean_paragraphs
    from mt.inputs.html import fallback_paragraphs

    title, paragraphs = fallback_paragraphs(html)
    paragraphs = [p for p in paragraphs if p != title]
    for index, text in enumerate(paragraphs):
        if index > 0 and RELATED.match(text.strip()):
            paragraphs = paragraphs[:index]
            break
    return "\n".join(clean_paragraphs(paragraphs).paragraphs)


def read_new(html: str) -> str:
    from mt.inputs.clean import clean_paragraphs
    from mt.inputs.html import read_html

    page = read_html(html)
    return "\n".join(clean_paragraphs(page.paragraphs).paragraphs)


def read_trafilatura(html: str) -> str:
    """trafilatura alone, called as the benchmark's own runner calls it (no metadata, no mt rules)."""
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


READERS = {"old": read_old, "new": read_new, "trafilatura": read_trafilatura}


# ---------------------------------------------------------------- pages

def load_bench(folder: Path) -> dict[str, tuple[str, str]]:
    """{key: (html, gold body)} from the benchmark's layout."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for key, item in sorted(truth.items()):
        plain, packed = folder / "html" / f"{key}.html", folder / "html" / f"{key}.html.gz"
        if packed.exists():
            data = gzip.decompress(packed.read_bytes())
        elif plain.exists():
            data = plain.read_bytes()
        else:
            raise SystemExit(f"eval_html: {key}: no html/{key}.html(.gz) in {folder}")
        from mt.inputs.encoding import decode

        pages[key] = (decode(data)[0], item.get("articleBody", "") or "")
    return pages


_BODY = [
    "У понеділок у Києві відбулося засідання уряду, на якому обговорювали бюджет на наступний рік.",
    "Міністр фінансів заявив, що дефіцит бюджету не перевищить шести відсотків валового продукту.",
    "За його словами, основні видатки спрямують на оборону, відновлення енергетики та соціальні виплати.",
    "Депутати від опозиції розкритикували проєкт і вимагають переглянути статті про місцеві бюджети.",
    "Експерти вважають, що ухвалити документ у першому читанні вдасться до кінця місяця.",
    "Національний банк тим часом зберіг облікову ставку на попередньому рівні, попри зростання цін.",
    "Наступне засідання комітету призначили на четвер, коли до Ради мають подати поправки.",
]
_HEADLINES = ["У Львові відкрили новий міст через річку Полтву", "Синоптики попередили про сильні дощі на заході",
              "Збірна України перемогла у товариському матчі", "У Харкові відновили рух тролейбусів",
              "На Київщині запрацювала нова сонячна електростанція"]
_MENU = ["Головна", "Новини", "Політика", "Економіка", "Спорт", "Культура", "Світ", "Контакти"]
_TITLE = "Уряд обговорив бюджет на наступний рік"
_RU = ["В понедельник в Киеве прошло заседание правительства, на котором обсуждали бюджет на следующий год.",
       "Министр финансов заявил, что дефицит бюджета не превысит шести процентов.",
       "По словам министра, основные расходы направят на оборону и восстановление энергетики.",
       "Эксперты считают, что принять документ в первом чтении удастся до конца месяца."]


def _ps(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _chrome(body: str, head: str = "", lang: str = "uk") -> str:
    """A page around `body`: menus, a cookie banner, teaser cards, share links and a footer."""
    nav = "<nav><ul>" + "".join(f"<li><a href='/{i}'>{m}</a></li>" for i, m in enumerate(_MENU)) + "</ul></nav>"
    cards = "".join(f"<div class='card'><a href='/n{i}'>{h}</a><span>29.11.2024</span></div>"
                    for i, h in enumerate(_HEADLINES))
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{_TITLE} | Новини Тест</title>"
            f"{head}<script>var a = 1;</script><style>.x{{}}</style></head><body>"
            f"<header>{nav}<div class='cookies'>Ми використовуємо файли cookie. Погоджуюсь</div></header>"
            f"<div class='layout'>{body}<div class='sidebar'><h3>Популярне</h3>{cards}</div></div>"
            f"<div class='share'><a href='#'>Facebook</a> <a href='#'>Telegram</a></div>"
            f"<footer>{nav}<p>© 2024 Новини Тест. Усі права захищено.</p></footer></body></html>")


def _related(tag: str = "ul") -> str:
    return f"<{tag}>" + "".join(f"<li><a href='/r{i}'>{h}</a></li>" for i, h in enumerate(_HEADLINES)) + f"</{tag}>"


def synthetic_pages() -> dict[str, tuple[str, str]]:
    """{name: (html, gold body)}: pages with the structures of issue 17, written for this script."""
    body, gold = _ps(_BODY), "\n".join(_BODY)
    article = f"<article><h1>{_TITLE}</h1>{body}</article>"
    teasers = "".join(f"<article class='teaser'><h3><a href='/t{i}'>{h}</a></h3><p>{h}. Детальніше.</p></article>"
                      for i, h in enumerate(_HEADLINES[:3]))
    meta = ("<meta property='article:published_time' content='2024-11-29T10:15:00+02:00'>"
            "<link rel='canonical' href='https://news.example.ua/2024/budget'>"
            "<meta property='og:site_name' content='Новини Тест'>")
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": _TITLE,
                     "datePublished": "2024-11-28T08:00:00+02:00"}, ensure_ascii=False)
    comments = "<section class='comments'><h3>Коментарі</h3>" + "".join(
        f"<div class='comment'><p>Коментар читача {i}: повністю згоден з автором статті.</p></div>"
        for i in range(4)) + "</section>"
    mid_box = f"<p><b>Інші новини</b></p>{_related()}"
    return {
        "plain_article": (_chrome(article, meta), gold),
        "several_articles": (_chrome(f"{teasers}<article class='post'><h1>{_TITLE}</h1>{body}</article>"), gold),
        "form_wrapper": (_chrome(f"<form id='aspnetForm' action='/x'><main>{article}</main>"
                                 f"<input type='hidden' name='v' value='1'></form>"), gold),
        "empty_main_and_article": (_chrome(f"<main></main><article></article><div id='content'><h1>{_TITLE}</h1>"
                                           f"{body}</div>"), gold),
        "div_br_text": (_chrome(f"<div class='story'><h1>{_TITLE}</h1><div class='text'>{'<br><br>'.join(_BODY)}"
                                f"</div></div>"), gold),
        "mid_article_related": (_chrome(f"<article><h1>{_TITLE}</h1>{_ps(_BODY[:3])}{mid_box}{_ps(_BODY[3:])}"
                                        f"</article>"), gold),
        "trailing_related": (_chrome(f"<article><h1>{_TITLE}</h1>{body}<h2>Інші новини</h2>{_related()}</article>"),
                             gold),
        "comments": (_chrome(f"{article}{comments}"), gold),
        "jsonld_date": (_chrome(article, f"<script type='application/ld+json'>{ld}</script>"), gold),
        "heavy_page": (_chrome(article, meta + "<script>" + "var tracker = {id: 1};" * 4000 + "</script>"
                               + "".join(f"<link rel='preload' href='/asset{i}.js'>" for i in range(200)))
                       .replace("<div class='sidebar'>", "<div class='sidebar'>" + "".join(
                           f"<div class='card'><img src='/i{i}.jpg' alt=''><a href='/x{i}'>{_HEADLINES[i % 5]}</a>"
                           f"<span class='date'>2{i % 9}.11.2024</span></div>" for i in range(300))), gold),
        "russian": (_chrome(f"<article><h1>Правительство обсудило бюджет</h1>{_ps(_RU)}</article>", lang="ru"),
                    "\n".join(_RU)),
    }


# ---------------------------------------------------------------- language identification

def language_sets(data_dir: Path) -> dict[str, list[str]]:
    """{'uk': [...], 'en': [...], 'ru': [...]} sentences; uk/en from FLORES-200 devtest and NTREX-128."""
    def lines(path: Path) -> list[str]:
        if not path.exists():
            raise SystemExit(f"eval_html: {path} is missing (give DATA_DIR)")
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    flores, ntrex = data_dir / "flores200-devtest-ukr-eng", data_dir / "ntrex128-ukr-eng"
    return {"uk": lines(flores / "ukr_Cyrl.devtest") + lines(ntrex / "newstest2019-ref.ukr.txt"),
            "en": lines(flores / "eng_Latn.devtest") + lines(ntrex / "newstest2019-src.eng.txt"),
            "ru": lines(Path(__file__).with_name("eval_html_ru.txt"))}


def evaluate_language(data_dir: Path) -> dict:
    from mt.inputs.language import UNDETERMINED, identify

    identify("прогрів моделі")  # load the model outside the timing
    result: dict = {}
    for level, size in (("sentence", 1), ("document_5", 5)):
        rows, texts, start = {}, 0, time.perf_counter()
        for gold, sentences in language_sets(data_dir).items():
            items = [" ".join(sentences[i:i + size]) for i in range(0, len(sentences) - size + 1, size)]
            found = Counter(identify(item).language for item in items)
            texts += len(items)
            rows[gold] = {"n": len(items), "correct": found[gold], "undetermined": found[UNDETERMINED],
                          "wrong": len(items) - found[gold] - found[UNDETERMINED],
                          "wrong_as": dict(found - Counter({gold: found[gold], UNDETERMINED: found[UNDETERMINED]}))}
        rows["texts_per_s"] = texts / (time.perf_counter() - start)
        result[level] = rows
    return result


# ---------------------------------------------------------------- run

def evaluate(pages: dict[str, tuple[str, str]], repeat: int = 1) -> dict:
    """F1 per reader, and pages per second on one process: the readers take turns, one pass over
    all pages each per round, so a noisy neighbour slows them alike and the ratio holds."""
    result: dict = {"pages": len(pages), "readers": {}}
    seconds = dict.fromkeys(READERS, 0.0)
    for name, reader in READERS.items():
        predicted = {key: reader(html) for key, (html, _) in pages.items()}  # also warms imports
        counts = {key: match(gold, predicted[key]) for key, (_, gold) in pages.items()}
        result["readers"][name] = {**metrics(list(counts.values())),
                                   "per_page_f1": {k: round(metrics([c])["f1"], 3) for k, c in counts.items()},
                                   "predicted": predicted}
    for _ in range(repeat):
        for name, reader in READERS.items():
            start = time.perf_counter()
            for html, _ in pages.values():
                reader(html)
            seconds[name] += time.perf_counter() - start
    for name, row in result["readers"].items():
        row["pages_per_s"] = repeat * len(pages) / seconds[name] if seconds[name] else 0.0
    old, new = result["readers"]["old"], result["readers"]["new"]
    result["speed_ratio_new_over_old"] = new["pages_per_s"] / old["pages_per_s"] if old["pages_per_s"] else 0.0
    return result


def evaluate_folder(pages: dict[str, tuple[str, str]], repeat: int = 1, copies: int = 4) -> dict:
    """Pages per second of `load_corpus` on a folder of the pages (each written `copies` times):
    with the old reader in its place, one process (as before issue 17); with mt's reader on one
    process; and with mt's reader as `mt translate` reads a folder (one process per core,
    `mt.inputs.parallel`). Decoding, cleaning, language identification and hashing are in all three."""
    import tempfile
    from unittest import mock

    from mt.inputs import parse
    from mt.inputs.corpus import load_corpus
    from mt.inputs.document import CorpusOptions
    from mt.inputs.html import Page, fallback_paragraphs
    from mt.inputs.parallel import reading_workers

    def old_page(html: str) -> Page:
        title, paragraphs = fallback_paragraphs(html)
        return Page(title=title, paragraphs=paragraphs)

    with tempfile.TemporaryDirectory() as folder:
        for copy in range(copies):
            for key, (html, _) in pages.items():
                Path(folder, f"{copy}-{re.sub(r'[^A-Za-z0-9_.-]', '_', key)}.html").write_text(html, encoding="utf-8")
        files = copies * len(pages)
        runs = {"old_one_process": (CorpusOptions(read_workers=1), old_page),
                "new_one_process": (CorpusOptions(read_workers=1), parse.read_html),
                "new_folder": (CorpusOptions(), parse.read_html)}
        seconds = dict.fromkeys(runs, 0.0)
        for round_ in range(repeat + 1):  # round 0 warms imports and the page cache
            for name, (options, reader) in runs.items():
                with mock.patch.object(parse, "read_html", reader):
                    start = time.perf_counter()
                    read = sum(1 for _ in load_corpus([folder], options))
                    if round_:
                        seconds[name] += time.perf_counter() - start
                assert read == files, (name, read, files)
    rates = {name: repeat * files / s for name, s in seconds.items()}
    return {"files": files, "workers": reading_workers(0, files), "pages_per_s": rates,
            "ratio_one_process": rates["new_one_process"] / rates["old_one_process"],
            "ratio_folder": rates["new_folder"] / rates["old_one_process"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=Path, help="benchmark folder: ground-truth.json + html/<key>.html[.gz]")
    parser.add_argument("--repeat", type=int, default=3, help="timing passes over all pages (default 3)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show", action="store_true", help="print each page's F1 for both readers")
    parser.add_argument("--language", nargs="?", const="", metavar="DATA_DIR",
                        help="measure language identification instead (FLORES/NTREX under DATA_DIR)")
    args = parser.parse_args(argv)
    if args.language is not None:
        import os

        data_dir = Path(args.language or os.environ.get("MT_SHARED_DATA") or REPO.parent / "shared" / "data")
        result = evaluate_language(data_dir)
        if args.json:
            print(json.dumps(result, ensure_ascii=False, indent=2))
            return 0
        for level, rows in result.items():
            print(f"{level}: {rows.pop('texts_per_s'):.0f} texts/s")
            for gold, row in rows.items():
                print(f"  {gold}: {row['correct']}/{row['n']} correct, {row['undetermined']} undetermined, "
                      f"{row['wrong']} wrong {row['wrong_as'] or ''}")
        return 0
    if args.bench:
        if not (args.bench / "ground-truth.json").exists():
            print(f"eval_html: no ground-truth.json in {args.bench}", file=sys.stderr)
            return 2
        pages, source = load_bench(args.bench), str(args.bench)
    else:
        pages, source = synthetic_pages(), "pages written by scripts/eval_html.py"
    result = evaluate(pages, max(1, args.repeat))
    result["folder"] = evaluate_folder(pages, max(1, args.repeat))
    result["source"] = source
    if args.json:
        for reader in result["readers"].values():
            reader.pop("predicted")
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"{result['pages']} pages from {source}")
    for name, r in result["readers"].items():
        print(f"{name:11s} precision={r['precision']:.3f} recall={r['recall']:.3f} F1={r['f1']:.3f} "
              f"{r['pages_per_s']:.1f} pages/s")
    print(f"speed new/old: {result['speed_ratio_new_over_old']:.2f} (read_html on one process)")
    folder = result["folder"]
    rates = folder["pages_per_s"]
    print(f"a folder of {folder['files']} pages through load_corpus: old reader {rates['old_one_process']:.1f} "
          f"pages/s; mt's reader {rates['new_one_process']:.1f} on one process "
          f"({folder['ratio_one_process']:.2f}x), {rates['new_folder']:.1f} on {folder['workers']} "
          f"({folder['ratio_folder']:.2f}x)")
    if args.show:
        for key in pages:
            print(f"  {key:28s} " + "  ".join(f"{name} {r['per_page_f1'][key]:.3f}"
                                               for name, r in result["readers"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
