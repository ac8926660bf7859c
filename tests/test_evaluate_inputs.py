"""mt.evaluate.inputs: loading line files, folders and tables, then pairing them."""
from __future__ import annotations

import json

import pytest

from mt.evaluate.inputs import EvaluateError, extract_summary, folder_stem, load_input, pair, sources


def test_extract_summary():
    md = "# T\n\n## Summary\n\nOne. Two.\n\n### detail\nThree.\n\n## Key facts\n- x\n"
    assert extract_summary(md) == "One. Two.\n\n### detail\nThree."
    assert extract_summary("# T\nno summary") is None
    assert extract_summary("## Summary\n\n(empty summary)\n\n## People\n") == ""


def test_folder_stem_takes_the_longest_known_suffix():
    assert folder_stem("a.summary.en.txt") == ("a", ".summary.en.txt")
    assert folder_stem("sub/a.en.txt") == ("sub/a", ".en.txt")
    assert folder_stem("a.brief.md") == ("a", ".brief.md")
    assert folder_stem("notes.json") is None and folder_stem(".txt") is None


def test_folder_picks_one_file_per_stem_by_role(tmp_path):
    (tmp_path / "a.uk.txt").write_text("Текст.", encoding="utf-8")
    (tmp_path / "a.en.txt").write_text("Translation.\n", encoding="utf-8")
    (tmp_path / "a.brief.md").write_text("# T\n\n## Summary\n\nShort.\n\n## People\n", encoding="utf-8")
    (tmp_path / "b.brief.md").write_text("# No summary here\n", encoding="utf-8")
    (tmp_path / "c.json").write_text("{}", encoding="utf-8")
    src = load_input(tmp_path, "src")
    assert (src.kind, src.keyed, src.ids, src.texts[0]) == ("folder", True, ["a", "b"], "Текст.")
    assert load_input(tmp_path, "hyp").texts == ["Translation.", ""]
    briefs = load_input(tmp_path, "hyp", summaries=True)
    assert briefs.texts == ["Short.", ""] and briefs.unit == "document"
    assert len(briefs.warnings) == 1 and "b.brief.md: no '## Summary' section" in briefs.warnings[0]


def test_line_file_is_read_as_sacrebleu_reads_it(tmp_path):
    path = tmp_path / "hyp.txt"
    path.write_bytes("\ufeffFirst line  \r\nSecond\n".encode("utf-8"))
    side = load_input(path, "hyp")
    assert side.texts == ["\ufeffFirst line", "Second"]  # BOM kept, trailing whitespace (and \r) stripped
    assert side.ids == ["1", "2"] and not side.keyed and side.unit == "line"


def test_table_ids_must_be_unique_and_named_columns_must_exist(tmp_path):
    table = tmp_path / "t.jsonl"
    table.write_text("".join(json.dumps(r) + "\n" for r in [{"id": "a", "hyp": "x"}, {"id": "a", "hyp": "y"}]),
                     encoding="utf-8")
    with pytest.raises(EvaluateError, match="duplicate ids in column 'id': a"):
        load_input(table, "hyp")
    with pytest.raises(EvaluateError, match=r"no column 'out' \(columns: id, hyp\)"):
        load_input(table, "hyp", column="out")
    with pytest.raises(EvaluateError, match="ref input not found"):
        load_input(tmp_path / "missing.txt", "ref")


def test_pairing_by_id_follows_the_reference_and_lists_the_rest(tmp_path):
    for name, rows in (("h.jsonl", [("z", "stray"), ("b", "hb"), ("a", "ha")]),
                       ("r.jsonl", [("a", "ra"), ("b", "rb"), ("c", "rc")]),
                       ("s.jsonl", [("a", "sa")])):
        (tmp_path / name).write_text("".join(json.dumps({"id": i, "text": t, "hyp": t, "ref": t}) + "\n"
                                             for i, t in rows), encoding="utf-8")
    ref = load_input(tmp_path / "r.jsonl", "ref")
    ids, hyps, refs, pairs = pair(load_input(tmp_path / "h.jsonl", "hyp"), ref)
    assert (ids, hyps, refs) == (["a", "b"], ["ha", "hb"], ["ra", "rb"])
    assert pairs.to_dict() == {"matched": 2, "missing": ["c"], "extra": ["z"]}
    warnings: list[str] = []
    assert sources(load_input(tmp_path / "s.jsonl", "src"), ref, ids, warnings) == ["sa", None]
    assert warnings == ["no source for 1 document(s): b"]
    assert sources(None, ref, ids, warnings) == [None, None]


def test_a_brief_folder_is_scored_by_its_briefs_and_never_by_a_demo_label(tmp_path):
    from mt.outputs.layout import DEMO_LABEL, SUMMARY_DEMO_LABEL

    out = tmp_path / "out"
    out.mkdir()
    (out / "a.summary.en.txt").write_text(f"{SUMMARY_DEMO_LABEL}\nThe summary.\n", encoding="utf-8")
    (out / "a.brief.md").write_text("# T\n\n## Summary\n\nThe summary.\n\n## People\n", encoding="utf-8")
    (out / "b.summary.en.txt").write_text(f"{SUMMARY_DEMO_LABEL}\nOnly a summary file.\n", encoding="utf-8")
    (out / "c.en.txt").write_text(f"{DEMO_LABEL} Title\n\nBody.\n", encoding="utf-8")
    briefs = load_input(out, "hyp", summaries=True)  # what `mt evaluate --hyp OUT --ref <summaries>` reads
    assert briefs.ids == ["a", "b", "c"]
    assert briefs.texts[:2] == ["The summary.", "Only a summary file."]  # the brief wins; no label is scored
    assert all("DEMO OUTPUT" not in text for text in briefs.texts)
    assert load_input(out, "hyp").texts[2] == "Title\n\nBody."


def test_a_source_folder_is_read_as_mt_translate_reads_it(tmp_path):
    (tmp_path / "a.txt").write_text("Заголовок\nЧитайте також: інше\nТекст статті.\n", encoding="utf-8")
    src = load_input(tmp_path, "src")
    assert src.texts == ["Заголовок\nТекст статті."]  # cleaned as the translate run cleaned it
