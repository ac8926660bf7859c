"""mt.inputs.html: article body, title and page metadata from saved news pages (pages written here)."""
from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from mt.inputs.corpus import load_corpus
from mt.inputs.document import Document
from mt.inputs.html import READER_FALLBACK, READER_TRAFILATURA, fallback_paragraphs, read_html
from mt.inputs.parse import parse_text

TITLE = "Уряд обговорив бюджет на наступний рік"
BODY = [
    "У понеділок у Києві відбулося засідання уряду, на якому обговорювали бюджет на наступний рік.",
    "Міністр фінансів заявив, що дефіцит бюджету не перевищить шести відсотків валового продукту.",
    "За його словами, основні видатки спрямують на оборону, відновлення енергетики та соціальні виплати.",
    "Депутати від опозиції розкритикували проєкт і вимагають переглянути статті про місцеві бюджети.",
    "Експерти вважають, що ухвалити документ у першому читанні вдасться до кінця місяця.",
    "Національний банк тим часом зберіг облікову ставку на попередньому рівні, попри зростання цін.",
]
HEADLINES = ["У Львові відкрили новий міст через річку Полтву", "Синоптики попередили про сильні дощі на заході",
             "Збірна України перемогла у товариському матчі", "У Харкові відновили рух тролейбусів"]
MENU = ["Головна", "Новини", "Політика", "Економіка", "Спорт", "Культура", "Контакти"]


def ps(paragraphs):
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def page(body: str, head: str = "", lang: str = "uk") -> str:
    nav = "<nav><ul>" + "".join(f"<li><a href='/{i}'>{m}</a></li>" for i, m in enumerate(MENU)) + "</ul></nav>"
    cards = "".join(f"<div class='card'><a href='/n{i}'>{h}</a><span>29.11.2024</span></div>"
                    for i, h in enumerate(HEADLINES))
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{TITLE} | Новини Тест</title>"
            f"{head}</head><body><header>{nav}</header><div class='layout'>{body}"
            f"<div class='sidebar'><h3>Популярне</h3>{cards}</div></div><footer>{nav}<p>© 2024 Новини Тест</p>"
            f"</footer></body></html>")


ARTICLE = f"<article><h1>{TITLE}</h1>{ps(BODY)}</article>"


def test_plain_article_body_and_title():
    got = read_html(page(ARTICLE))
    assert got.reader == READER_TRAFILATURA
    assert got.title == TITLE and got.paragraphs == BODY
    assert got.date is None  # no date in the markup: none is invented (the teaser cards' dates are not it)


def test_several_articles_the_main_one_wins():
    teasers = "".join(f"<article class='teaser'><h3><a href='/t{i}'>{h}</a></h3><p>{h}. Детальніше.</p></article>"
                      for i, h in enumerate(HEADLINES[:3]))
    got = read_html(page(f"{teasers}<article class='post'><h1>{TITLE}</h1>{ps(BODY)}</article>"))
    assert got.paragraphs == BODY
    # the old reader took the first <article>, a teaser
    assert fallback_paragraphs(page(f"{teasers}{ARTICLE}"))[1] != BODY


def test_form_wrapper_and_empty_main():
    wrapped = read_html(page(f"<form id='aspnetForm' action='/x'><main>{ARTICLE}</main>"
                             f"<input type='hidden' name='v' value='1'></form>"))
    assert wrapped.paragraphs == BODY
    assert fallback_paragraphs(page(f"<form><main>{ARTICLE}</main></form>"))[1] != BODY  # was empty/menus
    empty = read_html(page(f"<main></main><article></article><div id='content'><h1>{TITLE}</h1>{ps(BODY)}</div>"))
    assert empty.paragraphs == BODY


def test_div_and_br_text_is_paragraphs_not_menus():
    got = read_html(page(f"<div class='story'><h1>{TITLE}</h1><div class='text'>{'<br><br>'.join(BODY)}</div></div>"))
    assert got.paragraphs == BODY
    assert not set(MENU) & set(got.paragraphs)


def test_lists_tables_and_quotes_keep_their_items():
    body = (f"<article><h1>{TITLE}</h1>{ps(BODY[:2])}<h2>Головні статті видатків</h2>"
            "<ul><li>Оборона та безпека держави</li><li>Відновлення енергетичної інфраструктури</li></ul>"
            f"<blockquote>{BODY[2]}</blockquote>"
            "<table><tr><th>Рік</th><th>Дефіцит</th></tr><tr><td>2025</td><td>6%</td></tr></table>"
            f"{ps(BODY[3:])}</article>")
    got = read_html(page(body))
    assert got.paragraphs == [*BODY[:2], "Головні статті видатків", "Оборона та безпека держави",
                              "Відновлення енергетичної інфраструктури", BODY[2], "Рік | Дефіцит", "2025 | 6%",
                              *BODY[3:]]


def test_date_url_site_author_from_meta():
    head = ("<meta property='article:published_time' content='2024-11-29T10:15:00+02:00'>"
            "<link rel='canonical' href='https://news.example.ua/2024/budget'>"
            "<meta property='og:site_name' content='Новини Тест'><meta name='author' content='Олена Петренко'>")
    got = read_html(page(ARTICLE, head))
    assert (got.date, got.url, got.site, got.author) == (
        "2024-11-29", "https://news.example.ua/2024/budget", "Новини Тест", "Олена Петренко")
    assert got.metadata() == {"author": "Олена Петренко", "site": "Новини Тест",
                              "url": "https://news.example.ua/2024/budget", "page_language": "uk"}


def test_date_only_in_json_ld():
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLE,
                     "datePublished": "2024-11-28T08:00:00+02:00"}, ensure_ascii=False)
    got = read_html(page(ARTICLE, f"<script type='application/ld+json'>{ld}</script>"))
    assert got.date == "2024-11-28" and got.paragraphs == BODY


def test_unsafe_canonical_url_is_dropped():
    head = "<link rel='canonical' href='javascript:alert(1)'>"
    assert read_html(page(ARTICLE, head)).url is None
    head = "<link rel='canonical' href='https://x.ua/a\"><script>x</script>'>"
    assert read_html(page(ARTICLE, head)).url is None


def test_mid_article_related_box_keeps_the_prose_after_it():
    box = "<p><b>Інші новини</b></p><ul>" + "".join(f"<li><a href='/r{i}'>{h}</a></li>"
                                                   for i, h in enumerate(HEADLINES[:3])) + "</ul>"
    html = page(f"<article><h1>{TITLE}</h1>{ps(BODY[:3])}{box}{ps(BODY[3:])}</article>")
    doc = parse_text(html, fmt="html", id="mid")
    assert doc.paragraphs == BODY  # all six paragraphs, the three after the box included


def test_trailing_related_list_is_cut():
    tail = "<h2>Інші новини</h2><ul>" + "".join(f"<li><a href='/r{i}'>{h}</a></li>"
                                                for i, h in enumerate(HEADLINES)) + "</ul>"
    doc = parse_text(page(f"<article><h1>{TITLE}</h1>{ps(BODY)}{tail}</article>"), fmt="html", id="tail")
    assert doc.paragraphs == BODY


def test_russian_page_is_read_and_identified():
    ru = ["В понедельник в Киеве прошло заседание правительства, на котором обсуждали бюджет на следующий год.",
          "Министр финансов заявил, что дефицит бюджета не превысит шести процентов."]
    doc = parse_text(page(f"<article><h1>Правительство обсудило бюджет</h1>{ps(ru)}</article>", lang="ru"),
                     fmt="html", id="ru")
    assert doc.paragraphs == ru and doc.language == "ru" and doc.page["page_language"] == "ru"


def test_fallback_reader_when_trafilatura_finds_nothing():
    got = read_html("<html><body><p>Так.</p></body></html>")
    assert got.paragraphs == ["Так."]
    got = read_html("<html><body></body></html>")
    assert got.reader == READER_FALLBACK and got.paragraphs == []


def test_fallback_page_keeps_the_page_metadata():
    html = ("<html lang='uk'><head><meta property='article:published_time' content='2024-11-29T10:00:00Z'>"
            "</head><body></body></html>")
    got = read_html(html)
    assert (got.reader, got.paragraphs, got.date, got.language) == (READER_FALLBACK, [], "2024-11-29", "uk")


def test_short_page_keeps_structure_and_no_script():
    html = ("<html><head><style>body{}</style><script>document.write('x')</script></head><body><h1>Новина</h1>"
            "<p>Текст статті.</p><script>alert('<p>злам</p>')</script></body></html>")
    got = read_html(html)
    assert got.title == "Новина" and got.paragraphs == ["Текст статті."]


def test_document_date_sources(tmp_path):
    meta = "<meta property='article:published_time' content='2024-11-29T10:15:00+02:00'>"
    (tmp_path / "meta.html").write_text(page(ARTICLE, meta), encoding="utf-8")
    (tmp_path / "none.html").write_text(page(ARTICLE), encoding="utf-8")
    (tmp_path / "line.txt").write_text(f"date 2024-10-01\n{TITLE}\n" + "\n".join(BODY), encoding="utf-8")
    docs = {d.id: d for d in load_corpus([tmp_path]) if isinstance(d, Document)}
    assert (docs["meta"].date, docs["meta"].date_source, docs["meta"].page["reader"]) == (
        "2024-11-29", "page metadata", "trafilatura")
    assert (docs["none"].date, docs["none"].date_source) == (None, "none")
    assert (docs["line"].date, docs["line"].date_source, docs["line"].page) == ("2024-10-01", "text line", {})


def test_extraction_opens_no_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the HTML reader tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    head = "<link rel='canonical' href='https://news.example.ua/2024/budget'>"
    assert read_html(page(ARTICLE, head)).paragraphs == BODY


@pytest.mark.slow
def test_brief_from_an_html_page_shows_date_url_and_site(tmp_path, tiny_models):
    from mt.cli import main

    head = ("<meta property='article:published_time' content='2024-11-29T10:15:00+02:00'>"
            "<link rel='canonical' href='https://news.example.ua/2024/budget'>"
            "<meta property='og:site_name' content='Новини Тест'>")
    ru = "".join(f"<p>{s}</p>" for s in [
        "В понедельник в Киеве прошло заседание правительства, на котором обсуждали бюджет на следующий год.",
        "Министр финансов заявил, что дефицит бюджета не превысит шести процентов."])
    src = tmp_path / "in"
    src.mkdir()
    (src / "budget.html").write_text(page(ARTICLE, head), encoding="utf-8")
    (src / "ru.html").write_text(page(f"<article><h1>Бюджет</h1>{ru}</article>", lang="ru"), encoding="utf-8")
    out = tmp_path / "out"
    args = ["brief", str(src), "-o", str(out), "-m", str(tiny_models["marian"]), "--sum-model",
            str(tiny_models["bart"]), "--engine", "hf", "--threads", "1", "--max-words", "20", "--min-words", "5"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    brief = (out / "budget.brief.md").read_text(encoding="utf-8")
    assert "- Source URL: <https://news.example.ua/2024/budget>" in brief
    assert "- Site: Новини Тест" in brief and "- Date: 2024-11-29 (from the page's metadata)" in brief
    assert "(2024-11-29)" in (out / "briefs.md").read_text(encoding="utf-8")
    records = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    translate = {r["id"]: r for r in records if r["stage"] == "translate"}
    assert translate["budget"]["date_source"] == "page metadata" and translate["budget"]["language"] == "uk"
    assert translate["budget"]["page"]["reader"] == "trafilatura"
    assert translate["ru"]["status"] == "skipped: language ru" and not (out / "ru.brief.md").exists()
    # the review page shows the URL too
    report = CliRunner().invoke(main, ["report", str(out), "-O", str(tmp_path / "r.html")], catch_exceptions=False)
    assert report.exit_code == 0, report.output
    assert 'href="https://news.example.ua/2024/budget"' in (tmp_path / "r.html").read_text(encoding="utf-8")
    # --languages any translates the Russian page too
    again = CliRunner().invoke(main, ["translate", str(src), "-o", str(tmp_path / "any"), "-m",
                                      str(tiny_models["marian"]), "--engine", "hf", "--threads", "1",
                                      "--languages", "any", "--json"], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["ok"] == 2


def test_cp1251_page_with_an_xml_declaration(tmp_path):
    html = '<?xml version="1.0" encoding="windows-1251"?>\n' + page(ARTICLE).replace(
        "<meta charset='utf-8'>", "<meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>")
    (tmp_path / "cp.html").write_bytes(html.encode("cp1251"))
    [doc] = list(load_corpus([tmp_path]))
    assert doc.encoding == "cp1251" and doc.paragraphs == BODY and doc.page["reader"] == "trafilatura"


def test_metadata_is_cleaned_as_trafilatura_cleans_it():
    """Entities in JSON-LD are unescaped (mt reads only the metadata it keeps, with trafilatura's rules)."""
    ld = ('{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Рада &amp; уряд &#8217;24", '
          '"author": {"@type": "Person", "name": "Олена   Петренко"}}')
    got = read_html(f"<html><head><script type='application/ld+json'>{ld}</script></head><body><article>"
                    f"<p>{BODY[0]}</p><p>{BODY[1]}</p></article></body></html>")
    assert got.title == "Рада & уряд ’24" and got.author == "Олена Петренко"
