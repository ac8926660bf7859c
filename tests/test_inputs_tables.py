"""mt.inputs.tables: one document per row of JSONL, CSV, Parquet and saved datasets; a bad row fails alone."""
from __future__ import annotations

import csv
import json

from mt.inputs.document import CorpusOptions, Document, Failed
from mt.inputs.tables import load_table

ROWS = [{"id": "a", "text": "Перший текст.", "author": "ЦТАК"}, {"id": "b", "text": "Другий текст.", "author": None}]


def rows(path, fmt="jsonl", **options):
    return list(load_table(path, "feed", fmt, CorpusOptions(**options)))


def test_jsonl_bad_lines_fail_alone_and_keep_their_line_numbers(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'{"id": "a", "text": "\xd0\xa2\xd0\xb5\xd0\xba\xd1\x81\xd1\x82."}\n\n{"broken\n'
                     b'\xff\xfe\n[1]\n{"text": "\xd0\x9e\xd1\x81\xd1\x82\xd0\xb0\xd0\xbd\xd0\xbd\xd1\x96\xd0\xb9."}\n')
    items = rows(path)
    assert [type(i).__name__ for i in items] == ["Document", "Failed", "Failed", "Failed", "Document"]
    assert [i.id for i in items] == ["feed#a", "feed#3", "feed#4", "feed#5", "feed#6"]  # the blank line counts
    assert "line 3 is not valid JSON" in items[1].error and "line 4 is not UTF-8" in items[2].error
    assert "line 5 is a JSON list, not an object" in items[3].error
    assert items[4].paragraphs == ["Останній."] and (items[4].container, items[4].row) == ("feed", 6)
    assert items[1].source == f"{path}:3" and items[1].row == 3


def test_row_ids_are_sanitized_and_made_unique(tmp_path):
    path = tmp_path / "feed.jsonl"
    records = [{"id": "../../etc/x", "text": "Раз."}, {"id": "dup", "text": "Два."}, {"id": "dup", "text": "Три."},
               {"id": "", "text": "Чотири."}, {"uid": 7, "text": "П'ять."}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    assert [i.id for i in rows(path)] == ["feed#____etc_x", "feed#dup", "feed#dup~3", "feed#4", "feed#5"]
    assert [i.id for i in rows(path, id_column="uid")][-1] == "feed#7"


def test_made_up_ids_never_collide_with_real_ones(tmp_path):
    path = tmp_path / "feed.jsonl"
    records = [{"id": "x~3", "text": "Раз."}, {"id": "x", "text": "Два."}, {"id": "x", "text": "Три."},
               {"id": "2", "text": "Чотири."}, {"text": "П'ять."}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    ids = [i.id for i in rows(path)]
    assert ids == ["feed#x~3", "feed#x", "feed#x~3~2", "feed#2", "feed#5"] and len(set(ids)) == len(ids)


def test_a_row_without_text_fails_with_a_content_hash(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "x", "body": "Текст."}) + "\n", encoding="utf-8")
    [failed] = rows(path)
    assert isinstance(failed, Failed) and failed.id == "feed#x" and "no 'text' field" in failed.error
    assert failed.hash  # so a rerun retries it only when the row changes
    [doc] = rows(path, text_column="body")
    assert isinstance(doc, Document) and doc.paragraphs == ["Текст."]


def test_csv_round_trip_keeps_other_columns(tmp_path):
    path = tmp_path / "feed.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "text", "author"])
        writer.writeheader(), writer.writerows(ROWS)
    docs = rows(path, "csv")
    assert [d.id for d in docs] == ["feed#a", "feed#b"]
    assert [d.paragraphs for d in docs] == [["Перший текст."], ["Другий текст."]]
    assert docs[0].extra == {"id": "a", "author": "ЦТАК"} and docs[0].source == f"{path}:1"


def test_parquet_and_saved_dataset_round_trip(tmp_path):
    import datasets

    table = datasets.Dataset.from_list(ROWS)
    table.to_parquet(str(tmp_path / "feed.parquet"))
    table.save_to_disk(str(tmp_path / "saved"))
    for docs in (rows(tmp_path / "feed.parquet", "parquet"), rows(tmp_path / "saved", "dataset")):
        assert [(d.id, d.paragraphs[0], d.extra["author"], d.row) for d in docs] == [
            ("feed#a", "Перший текст.", "ЦТАК", 1), ("feed#b", "Другий текст.", None, 2)]


def test_an_unreadable_file_is_one_failure(tmp_path):
    [failed] = rows(tmp_path / "missing.jsonl")
    assert isinstance(failed, Failed) and failed.id == "feed" and "cannot read jsonl file" in failed.error
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    [failed] = rows(tmp_path / "bad.parquet", "parquet")
    assert isinstance(failed, Failed) and "cannot read parquet file" in failed.error


def test_an_empty_table_is_said(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    [item] = rows(path)
    assert isinstance(item, Failed) and item.error == "the table has no rows" and item.container == "feed"
