import json

import pytest

from mt.inputs.corpus import load_corpus
from mt.inputs.document import CorpusError, CorpusOptions, Document, Failed, decode_bytes
from mt.inputs.parse import parse_text
from mt.outputs.files import safe_component
from tests.conftest import SEEDS

UK = "Віктор Горемикін прибув до Пхеньяну.\nЗустріч відбулася 6 листопада у м. Пхеньян."
TEXT = "Заголовок новини\n" + UK + "\n"


def docs(paths, **kw):
    return list(load_corpus([str(p) for p in paths], CorpusOptions(**kw)))


# ------------------------------------------------------------------ seeds
SEED_COUNTS = {  # paragraphs kept after cleaning, and what was dropped
    "000_99a7aa9b4e6634b7": (12, {}),
    "001_b4df3ac546630d11": (7, {}),
    "002_017250b7c650f034": (15, {"photo_credit": 1, "ad": 1, "read_also": 2}),
    "003_ac40b6e118bc9d2a": (10, {"related": 14}),
    "004_f2123b5c86f0a5db": (13, {"photo_credit": 1, "read_also": 1}),
}


def test_cleaning_on_all_five_seeds():
    found = {d.id: d for d in docs([SEEDS])}
    assert set(found) == set(SEED_COUNTS)
    for doc_id, (count, dropped) in SEED_COUNTS.items():
        assert len(found[doc_id].paragraphs) == count, doc_id
        assert found[doc_id].dropped_counts == dropped, doc_id
    seed3 = found["003_ac40b6e118bc9d2a"]
    assert seed3.paragraphs[-1].startswith("До слова, перед приїздом глави Міноборони РФ")
    assert not any("Average Rating" in p or "kurs.com.ua" in p for p in seed3.paragraphs)
    assert "Фото" not in found["002_017250b7c650f034"].title


def test_seed_001_date_and_derived_title():
    doc = next(d for d in docs([SEEDS]) if d.id.startswith("001"))
    assert doc.date == "2025-11-07"
    assert doc.title_derived and doc.title.startswith("Північнокорейська влада підтвердила")
    assert doc.paragraphs[0].startswith("Північнокорейська влада")  # the lead stays a paragraph


def test_other_seeds_have_no_date():
    assert [d.date for d in docs([SEEDS]) if not d.id.startswith("001")] == [None] * 4


def test_no_clean_keeps_boilerplate():
    doc = next(d for d in docs([SEEDS], clean=False) if d.id.startswith("003"))
    assert any("Average Rating" in p for p in doc.paragraphs) and not doc.dropped


# ------------------------------------------------------------------ formats
def test_txt_title_and_paragraphs(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    [doc] = docs([tmp_path])
    assert doc.title == "Заголовок новини" and len(doc.paragraphs) == 2 and doc.format == "txt"


def test_hard_wrapped_text_is_rejoined(tmp_path):
    wrapped = ("Заголовок\n\nДелегацію очолив заступник\nміністра оборони, який\nприбув до Пхеньяна\n"
               "у понеділок.\n\nДругий абзац тексту\nпродовжується тут.\n")
    (tmp_path / "w.txt").write_text(wrapped, encoding="utf-8")
    [doc] = docs([tmp_path])
    assert doc.paragraphs == ["Делегацію очолив заступник міністра оборони, який прибув до Пхеньяна у понеділок.",
                              "Другий абзац тексту продовжується тут."]


def test_markdown(tmp_path):
    (tmp_path / "a.md").write_text("# Заголовок\n\nПерший **абзац** з [посиланням](http://x.ua).\n\n"
                                   "- пункт списку\n\n![фото](img.png)\n", encoding="utf-8")
    [doc] = docs([tmp_path])
    assert doc.title == "Заголовок"
    assert doc.paragraphs == ["Перший абзац з посиланням.", "пункт списку"]


def test_html_title_and_paragraphs_only(tmp_path):
    html = """<html><head><title>Сайт</title><style>p{color:red}</style><script>var x='Скрипт';</script></head>
    <body><nav><p>Меню навігації</p></nav><article><h1>Заголовок статті</h1>
    <p>Перший абзац.</p><p>Другий <b>абзац</b>.</p><script>alert('x')</script></article>
    <footer><p>Підвал сайту</p></footer></body></html>"""
    (tmp_path / "a.html").write_text(html, encoding="utf-8")
    [doc] = docs([tmp_path])
    assert doc.title == "Заголовок статті"
    assert doc.paragraphs == ["Перший абзац.", "Другий абзац."]


def test_jsonl_rows(tmp_path):
    rows = [{"id": "x1", "title": "Заголовок", "date": "2024-06-19", "text": UK},
            {"text": "Другий документ."}, "not an object", {"title": "без тексту"}]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + ["{broken json"]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = docs([tmp_path])
    assert [type(i).__name__ for i in items] == ["Document", "Document", "Failed", "Failed", "Failed"]
    first = items[0]
    assert first.id == "feed#x1" and first.title == "Заголовок" and first.date == "2024-06-19"
    assert items[1].id == "feed#2" and items[1].container == "feed"
    assert "not an object" in items[2].error or "list" in items[2].error or "str" in items[2].error
    assert "no 'text' field" in items[3].error
    assert "not valid JSON" in items[4].error


def test_jsonl_hostile_ids_never_become_paths(tmp_path):
    rows = [{"id": "../../etc/x", "text": "Текст."}, {"id": "/abs/path", "text": "Текст два."}]
    (tmp_path / "f.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    items = docs([tmp_path])
    assert all(isinstance(i, Document) for i in items)
    assert all("/" not in i.id.split("#", 1)[1] and ".." not in i.id.split("#", 1)[1] for i in items)


def test_csv_parquet_and_dataset(tmp_path):
    import datasets

    table = datasets.Dataset.from_list([{"id": "a", "body": UK}, {"id": "b", "body": "Другий текст."}])
    table.to_csv(str(tmp_path / "t.csv"), index=False)
    table.to_parquet(str(tmp_path / "t2.parquet"))
    table.save_to_disk(str(tmp_path / "saved"))
    items = docs([tmp_path], text_column="body")
    assert sorted(i.id for i in items) == ["saved#a", "saved#b", "t#a", "t#b", "t2#a", "t2#b"]
    assert all(isinstance(i, Document) for i in items)


def test_wrong_text_column_is_a_clear_error(tmp_path):
    (tmp_path / "t.jsonl").write_text(json.dumps({"body": "x"}) + "\n", encoding="utf-8")
    [item] = docs([tmp_path])
    assert isinstance(item, Failed) and "no 'text' field" in item.error


# ------------------------------------------------------------------ encodings
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1251", "koi8-u"])
def test_encodings(tmp_path, encoding):
    (tmp_path / "a.txt").write_bytes(TEXT.encode(encoding))
    [doc] = docs([tmp_path])
    assert isinstance(doc, Document), doc
    assert doc.title == "Заголовок новини" and "Горемикін" in doc.paragraphs[0]


def test_decode_bytes_reports_non_text_as_a_corpus_error():
    with pytest.raises(CorpusError, match="binary"):
        decode_bytes(b"\x00\x01\x02\x03" * 100)


def test_unreadable_inputs_become_failures_and_the_batch_goes_on(tmp_path):
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "blank.txt").write_text("   \n\n  \t\n", encoding="utf-8")
    items = {i.id: i for i in docs([tmp_path, tmp_path / "missing.txt"])}
    assert isinstance(items["good"], Document)
    assert "binary" in items["binary"].error
    assert "empty" in items["empty"].error and "empty" in items["blank"].error
    assert "no such file" in items[str(tmp_path / "missing.txt")].error


def test_hidden_files_and_outputs_are_skipped(tmp_path):
    (tmp_path / ".hidden.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.en.txt").write_text("English", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    assert [d.id for d in docs([tmp_path])] == ["sub/b"]


def test_safe_component():
    assert safe_component("..") == "_"
    assert safe_component('a/b\\c:"d"') == "a_b_c__d_"
    assert len(safe_component("я" * 300).encode()) < 200


def test_parse_text_api():
    doc = parse_text("date 2024-01-02\nЗаголовок\nТекст статті.")
    assert isinstance(doc, Document) and doc.date == "2024-01-02" and doc.title == "Заголовок"
