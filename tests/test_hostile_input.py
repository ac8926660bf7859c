"""Hostile input: every case is processed or becomes a clear per-document error;
none stops the batch, and nothing is written outside OUT."""
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mt.cli import main

PHRASE = "делегація російських військових прибула до пхеньяну для переговорів з міністром оборони "


def build_hostile_tree(root: Path) -> dict[str, str]:
    """Create every hostile case; returns {doc id: expected status or error fragment}."""
    root.mkdir()
    expected = {}
    (root / "good.txt").write_text("Заголовок\nВіктор Горемикін прибув до Пхеньяну.", encoding="utf-8")
    expected["good"] = "ok"
    (root / "undecodable.txt").write_bytes(b"\x81\x8d\x8f\x90\x9d" * 400 + b"\xff\xfe\xfd" * 300)
    expected["undecodable"] = "undecodable|binary"
    (root / "binary.txt").write_bytes(bytes(range(256)) * 64)
    expected["binary"] = "binary"
    (root / "empty.txt").write_bytes(b"")
    expected["empty"] = "empty"
    (root / "spaces.txt").write_text(" \n\t\n   \n", encoding="utf-8")
    expected["spaces"] = "empty"
    (root / "monster.txt").write_text("Заголовок\n" + (PHRASE * 12000).strip(), encoding="utf-8")  # ~1 MB
    expected["monster"] = "ok"
    lines = [f"Рядок номер {i % 50} про зустріч делегацій." for i in range(10_000)]
    (root / "long.txt").write_text("Заголовок\n" + "\n".join(lines), encoding="utf-8")
    expected["long"] = "ok"
    (root / "mixed.txt").write_text("Змішаний текст\nПутін сказав: «Это наша земля». Trump said: no deal. "
                                    "А українці відповіли.", encoding="utf-8")
    expected["mixed"] = "ok"
    (root / "page.html").write_text("<html><head><style>body{}</style><script>document.write('x')</script>"
                                    "</head><body><h1>Новина</h1><p>Текст статті.</p>"
                                    "<script>alert('<p>злам</p>')</script></body></html>", encoding="utf-8")
    expected["page"] = "ok"
    rows = ['{"id": "../../etc/x", "text": "Перший рядок."}', '{"id": "/abs/path", "text": "Другий."}',
            '{"broken": ', '{"id": "no-text"}', '[1, 2]', '{"id": "ok", "text": "Нормальний рядок."}']
    (root / "feed.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    expected.update({"feed#____etc_x": "ok", "feed#_abs_path": "ok", "feed#3": "not valid JSON",
                     "feed#no-text": "no 'text' field", "feed#5": "not an object", "feed#ok": "ok"})
    loop = root / "loop"
    loop.mkdir()
    (loop / "inside.txt").write_text("Заголовок\nТекст у петлі.", encoding="utf-8")
    os.symlink("..", loop / "back")  # a symlink loop: loop/back/loop/back/...
    expected["loop/inside"] = "ok"
    (root / "locked.txt").write_text("Заголовок\nЗакритий файл.", encoding="utf-8")
    os.chmod(root / "locked.txt", 0)
    expected["locked"] = "permission denied"
    (root / "назва з пробілом і 'лапками\".txt").write_text("Заголовок\nТекст.", encoding="utf-8")
    expected["назва з пробілом і 'лапками_"] = "ok"
    return expected


@pytest.fixture()
def unreadable(monkeypatch):
    """Root can read a chmod-000 file; make such files unreadable for the test as they are for users."""
    if os.geteuid() != 0:
        return
    real = Path.read_bytes

    def read_bytes(self):
        if os.stat(self).st_mode & 0o777 == 0:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_hostile_tree(tmp_path, tiny_marian, unreadable):
    expected = build_hostile_tree(tmp_path / "in")
    out = tmp_path / "work" / "out"
    before = set(tmp_path.rglob("*"))
    result = CliRunner().invoke(main, ["translate", str(tmp_path / "in"), "-o", str(out), "--model", str(tiny_marian),
                                       "--json"], catch_exceptions=False)
    assert result.exit_code == 1, result.output  # some documents failed, the batch finished
    summary = json.loads(result.stdout)
    failed = {f["id"]: f["error"] for f in summary["failed"]}
    records = {}
    for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        records[record["id"]] = record
    for doc_id, want in expected.items():
        assert doc_id in records, doc_id
        if want == "ok":
            assert records[doc_id]["status"] == "ok", (doc_id, records[doc_id]["error"])
        else:
            assert records[doc_id]["status"] == "error", doc_id
            assert any(w in failed[doc_id] for w in want.split("|")), (doc_id, failed[doc_id])
    # the 10,000-line file keeps its paragraph structure; the 1 MB paragraph is translated whole
    assert len((out / "long.en.txt").read_text(encoding="utf-8").splitlines()) == 2 + 10_000
    assert records["monster"]["split_sentences"] == 1 and records["monster"]["pieces"] > 100
    # the page's script text never reaches the translation input
    detail = json.loads((out / "page.en.json").read_text(encoding="utf-8"))
    assert [p["uk"] for p in detail["paragraphs"]] == ["Текст статті."]
    # nothing was written outside OUT
    written = {p for p in set(tmp_path.rglob("*")) - before if out not in p.parents and p != out}
    assert written <= {tmp_path / "work"}


def test_broken_glossary_is_a_clear_error_with_line_number(tmp_path, tiny_marian):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("source\ttarget\ttype\nГоремикін\tGoremykin\tperson\nбез цілі\n", encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Заголовок\nТекст.", encoding="utf-8")
    result = CliRunner().invoke(main, ["translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--model",
                                       str(tiny_marian), "--glossary", str(glossary)])
    assert result.exit_code == 2
    assert "g.tsv:3" in result.stderr and "Traceback" not in result.output
