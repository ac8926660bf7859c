"""HTML pages into a title and paragraphs."""
from __future__ import annotations
from mt.inputs.text import text_paragraphs



_HTML_DROP = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
              "button", "figure", "template"]


def html_paragraphs(html: str) -> tuple[str | None, list[str]]:
    """The article title and paragraphs of an HTML page; never script/style/navigation."""
    from bs4 import BeautifulSoup  # imported on the first HTML page: ~8 MB a text-only corpus never needs

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(_HTML_DROP):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    heading = root.find("h1") or soup.find("h1")
    title = heading.get_text(" ", strip=True) if heading else None
    if not title and soup.title:
        title = soup.title.get_text(" ", strip=True)
    paragraphs = []
    for node in root.find_all(["p", "h2", "h3", "h4", "blockquote", "li"]):
        if node.find_parent(["p", "blockquote", "li"]) is not None:
            continue
        text = " ".join(node.get_text().split())
        if text and text != title:
            paragraphs.append(text)
    if not paragraphs:  # a bare page without <p>: fall back to its text lines
        paragraphs = [line for line in text_paragraphs(root.get_text("\n")) if line != title]
    return title, paragraphs
