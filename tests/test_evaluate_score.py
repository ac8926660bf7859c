"""mt.evaluate end to end: input shapes, metrics equal to their libraries, bootstrap, reports."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.significance import PairedTest

from mt.evaluate import metrics as M
from mt.evaluate.inputs import EvaluateError
from mt.evaluate.render import append_scores_markdown, render_markdown, render_text
from mt.evaluate.score import EvaluateOptions, evaluate
from tests.evaluate_helpers import systems as _systems
from tests.evaluate_helpers import write_lines

HYPS = ["The delegation arrived in Pyongyang on 6 November.",
        "Kim Jong Un approved sending six thousand soldiers.",
        "The talks were held in a friendly atmosphere, the agency said.",
        "Sappers will clear mines in Kursk Oblast."]
REFS = ["The delegation arrived in Pyongyang on November 6.",
        "Kim Jong Un approved the dispatch of 6,000 troops.",
        "The talks took place in a friendly atmosphere, KCNA said.",
        "Sappers are to demine Kursk Oblast."]
UK = "Делегація прибула до Пхеньяну в понеділок. Переговори пройшли у дружній обстановці."


def opts(hyp, ref, **kw) -> EvaluateOptions:
    hyps = tuple(Path(h) for h in (hyp if isinstance(hyp, (list, tuple)) else [hyp]))
    return EvaluateOptions(hyps=hyps, ref=Path(ref), **kw)


@pytest.fixture()
def lines(tmp_path) -> tuple[Path, Path]:
    return write_lines(tmp_path / "hyp.txt", HYPS), write_lines(tmp_path / "ref.txt", REFS)


# --------------------------------------------------------------------------- metrics vs libraries


def test_sacrebleu_metrics_equal_direct_library_calls(lines):
    report = evaluate(opts(lines[0], lines[1], metrics=("bleu", "chrf", "ter")))
    for name, metric in (("bleu", BLEU()), ("chrf", CHRF()), ("ter", TER())):
        assert report.corpus[name] == metric.corpus_score(HYPS, [REFS]).score
        assert report.signatures[name] == str(metric.get_signature())
    for doc, hyp, ref in zip(report.documents, HYPS, REFS):
        assert doc["bleu"] == BLEU(effective_order=True).sentence_score(hyp, [ref]).score
        assert doc["chrf"] == CHRF().sentence_score(hyp, [ref]).score
        assert doc["ter"] == TER().sentence_score(hyp, [ref]).score
    assert "eff:yes" in report.signatures["bleu_document"]
    assert report.signatures["bleu"] == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"


def test_rouge_equals_rouge_score_with_stemmer(lines):
    report = evaluate(opts(lines[0], lines[1], metrics=("rouge",)))
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
    direct = [scorer.score(M.split_sentences(r), M.split_sentences(h)) for h, r in zip(HYPS, REFS)]
    for key in M.ROUGE_TYPES:
        per_doc = [d[key].fmeasure * 100 for d in direct]
        assert [d[key] for d in report.documents] == per_doc
        assert report.corpus[key] == pytest.approx(sum(per_doc) / len(per_doc))
    assert report.lang == "en"
    assert report.signatures["rouge"].startswith("rouge-score 0.1.2|stem:yes|tok:default")


def test_cyrillic_rouge_keeps_ukrainian_words(tmp_path):
    hyp = write_lines(tmp_path / "hyp.txt", [UK])
    report = evaluate(opts(hyp, hyp, metrics=("rouge",)))
    assert report.lang == "uk"  # auto-detected from the Cyrillic share
    assert all(report.corpus[k] == 100 for k in M.ROUGE_TYPES)
    assert "tok:unicode-words" in report.signatures["rouge"]
    # rouge-score's default tokenizer drops every Cyrillic letter: the same pair scores 0
    assert rouge_scorer.RougeScorer(["rouge1"]).score(UK, UK)["rouge1"].fmeasure == 0
    other = write_lines(tmp_path / "other.txt", ["Делегація прибула до Москви."])
    partial = evaluate(opts(other, hyp, metrics=("rouge",), lang="uk")).corpus["rouge1"]
    assert 0 < partial < 100
    assert M.UnicodeWordTokenizer().tokenize("П'ять ТИСЯЧ саперів") == ["п'ять", "тисяч", "саперів"]


# --------------------------------------------------------------------------- input shapes


def _expected_bleu() -> float:
    return BLEU().corpus_score(HYPS, [REFS]).score


def test_line_files(lines):
    report = evaluate(opts(*lines, metrics=("bleu",)))
    assert report.corpus["bleu"] == _expected_bleu()
    assert [d["id"] for d in report.documents] == ["1", "2", "3", "4"]
    assert report.unit == "line" and report.pairs.to_dict() == {"matched": 4, "missing": [], "extra": []}


def test_folders_by_stem_with_brief_summary(tmp_path):
    hyp, ref = tmp_path / "out", tmp_path / "refs"
    hyp.mkdir(), ref.mkdir()
    (hyp / "a.brief.md").write_text(f"# Title\n\n## Summary\n\n{HYPS[0]}\n{HYPS[1]}\n\n## Names\n\n- Kim Jong Un\n",
                                    encoding="utf-8")
    (hyp / "a.en.txt").write_text("a full translation, not the summary", encoding="utf-8")
    (hyp / "b.en.txt").write_text(HYPS[2] + "\n", encoding="utf-8")
    (hyp / "notes.json").write_text("{}", encoding="utf-8")  # unknown suffix: ignored
    (ref / "a.summary.en.txt").write_text(f"{REFS[0]}\n{REFS[1]}\n", encoding="utf-8")
    (ref / "b.txt").write_text(REFS[2], encoding="utf-8")
    report = evaluate(opts(hyp, ref, metrics=("bleu", "rouge")))
    assert [d["id"] for d in report.documents] == ["a", "b"] and report.unit == "document"
    assert report.systems[0].texts["a"][0] == f"{HYPS[0]}\n{HYPS[1]}"  # only the ## Summary section
    docs = [f"{HYPS[0]} {HYPS[1]}", HYPS[2]]
    assert report.corpus["bleu"] == BLEU().corpus_score(docs, [[f"{REFS[0]} {REFS[1]}", REFS[2]]]).score


def test_folder_prefers_translation_when_references_are_translations(tmp_path):
    hyp, ref = tmp_path / "out", tmp_path / "refs"
    hyp.mkdir(), ref.mkdir()
    (hyp / "a.brief.md").write_text("## Summary\nsomething else\n", encoding="utf-8")
    (hyp / "a.en.txt").write_text(HYPS[0], encoding="utf-8")
    (ref / "a.en.txt").write_text(REFS[0], encoding="utf-8")
    report = evaluate(opts(hyp, ref, metrics=("bleu",)))
    assert report.systems[0].texts["a"] == (HYPS[0], REFS[0])


def test_folders_are_read_recursively_and_briefs_without_summary_warn(tmp_path):
    hyp, ref = tmp_path / "out", tmp_path / "refs"
    (hyp / "sub").mkdir(parents=True), (ref / "sub").mkdir(parents=True)
    (hyp / "sub" / "a.brief.md").write_text("# Title only\n", encoding="utf-8")
    (hyp / ".hidden.en.txt").write_text("ignored", encoding="utf-8")
    (ref / "sub" / "a.summary.en.txt").write_text(REFS[0], encoding="utf-8")
    report = evaluate(opts(hyp, ref, metrics=("bleu",)))
    assert [d["id"] for d in report.documents] == ["sub/a"] and report.corpus["bleu"] == 0
    assert any("no '## Summary' section" in w for w in report.warnings)


def _rows() -> list[dict]:
    # shuffled order and an id column: rows are paired by id, not by position
    return [{"id": f"d{i}", "out": h, "gold": r} for i, h, r in reversed(list(zip(range(4), HYPS, REFS)))]


def _write_table(kind: str, path: Path) -> Path:
    rows = _rows()
    if kind == "jsonl":
        path = path / "t.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    elif kind == "csv":
        path = path / "t.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=["id", "out", "gold"])
            writer.writeheader(), writer.writerows(rows)
    elif kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = path / "t.parquet"
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        import datasets

        path = path / "saved"
        datasets.Dataset.from_list(rows).save_to_disk(str(path))
    return path


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet", "dataset"])
def test_tables_with_named_columns(tmp_path, kind):
    table = _write_table(kind, tmp_path)
    report = evaluate(opts(table, table, hyp_column="out", ref_column="gold", metrics=("bleu",)))
    assert report.corpus["bleu"] == pytest.approx(_expected_bleu(), abs=1e-9)
    assert [d["id"] for d in report.documents] == ["d3", "d2", "d1", "d0"]
    assert report.pairs.matched == 4


def test_table_without_named_column_says_which_columns_exist(tmp_path):
    table = _write_table("jsonl", tmp_path)
    with pytest.raises(EvaluateError, match=r"no hyp column.*--hyp-column.*columns: id, out, gold"):
        evaluate(opts(table, table, ref_column="gold"))


@pytest.mark.parametrize("with_ids", [False, True])
def test_jsonl_hypothesis_against_line_file_pairs_by_row(tmp_path, lines, with_ids):
    path = tmp_path / "h.jsonl"
    rows = [{"id": f"x{i}", "hyp": h} if with_ids else {"hyp": h} for i, h in enumerate(HYPS)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = evaluate(opts(path, lines[1], metrics=("bleu",)))  # a line file has no ids: row order
    assert report.corpus["bleu"] == _expected_bleu()
    with pytest.raises(EvaluateError, match="mismatched pairs"):
        evaluate(opts(path, write_lines(tmp_path / "r3.txt", REFS[:3]), metrics=("bleu",)))


def test_folder_against_line_file_is_an_error(tmp_path, lines):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.en.txt").write_text(HYPS[0], encoding="utf-8")
    with pytest.raises(EvaluateError, match=r"cannot pair .*folder, by id.*lines, by position"):
        evaluate(opts(folder, lines[1]))


def test_source_line_file_pairs_by_position(tmp_path, lines):
    src = write_lines(tmp_path / "src.txt", ["Кім Чен Ин"] * 4)
    glossary = tmp_path / "g.tsv"
    glossary.write_text("source\ttarget\nКім Чен Ин\tKim Jong Un\n", encoding="utf-8")
    report = evaluate(EvaluateOptions(hyps=(lines[0],), ref=lines[1], src=src, glossaries=(glossary,)))
    assert [d["terms_found"] for d in report.documents] == [0, 1, 0, 0]
    with pytest.raises(EvaluateError, match="mismatched pairs: source"):
        evaluate(EvaluateOptions(hyps=(lines[0],), ref=lines[1], src=write_lines(tmp_path / "s3.txt", ["x"] * 3)))


# --------------------------------------------------------------------------- pairing


def test_mismatched_line_counts_are_an_error(tmp_path, lines):
    short = write_lines(tmp_path / "short.txt", HYPS[:3])
    with pytest.raises(EvaluateError, match=r"mismatched pairs: .*has 3 lines, .*has 4"):
        evaluate(opts(short, lines[1]))


def test_folders_report_missing_and_extra(tmp_path):
    hyp, ref = tmp_path / "h", tmp_path / "r"
    hyp.mkdir(), ref.mkdir()
    for stem, text in (("a", HYPS[0]), ("b", HYPS[1]), ("z", "stray")):
        (hyp / f"{stem}.en.txt").write_text(text, encoding="utf-8")
    for stem, text in (("a", REFS[0]), ("b", REFS[1]), ("c", REFS[2])):
        (ref / f"{stem}.en.txt").write_text(text, encoding="utf-8")
    report = evaluate(opts(hyp, ref, metrics=("bleu",)))
    assert report.pairs.to_dict() == {"matched": 2, "missing": ["c"], "extra": ["z"]}
    assert report.corpus["bleu"] == BLEU().corpus_score(HYPS[:2], [REFS[:2]]).score
    assert report.exit_code == 1
    assert evaluate(opts(hyp, ref, metrics=("bleu",), allow_missing=True)).exit_code == 0


# --------------------------------------------------------------------------- comparison


def test_paired_bootstrap_detects_the_better_system(tmp_path):
    good, bad, ref, good_l, bad_l, refs = _systems(tmp_path)
    report = evaluate(opts([bad, good], ref, metrics=("bleu", "chrf", "ter", "rouge")))
    comp = report.comparison
    assert comp["baseline"] == "bad.txt" and comp["seed"] == 12345 and comp["n_samples"] == 1000
    result = comp["systems"]["good.txt"]
    assert result["n_items"] == 40
    for key in ("bleu", "chrf", "ter", "rouge1", "rougeL"):
        entry = result["metrics"][key]
        low, high = entry["ci95"]
        assert low <= entry["delta"] <= high
        assert entry["winner"] == "good.txt" and entry["p_value"] < 0.05
    assert result["metrics"]["ter"]["delta"] < 0 < result["metrics"]["bleu"]["delta"]
    assert "seed:12345" in comp["signatures"]["bleu"] and "bs:1000" in comp["signatures"]["bleu"]
    # the same numbers as sacrebleu's own paired bootstrap (what `sacrebleu --paired-bs` runs)
    signatures, scores = PairedTest([("bad", bad_l), ("good", good_l)], {"BLEU": BLEU()}, [refs],
                                    test_type="bs", n_samples=1000)()
    assert result["metrics"]["bleu"]["p_value"] == round(scores["BLEU"][1].p_value, 4)
    assert result["metrics"]["bleu"]["system_ci"] == round(scores["BLEU"][1].ci, 4)
    assert evaluate(opts([bad, good], ref, metrics=("bleu",))).comparison["systems"] == \
        {"good.txt": {"n_items": 40, "metrics": {"bleu": result["metrics"]["bleu"]}}}  # reproducible


def test_equal_systems_show_no_difference(lines):
    report = evaluate(opts([lines[0], lines[0]], lines[1], metrics=("bleu",)))
    entry = report.comparison["systems"]["2:hyp.txt"]["metrics"]["bleu"]
    assert entry["delta"] == 0 and entry["ci95"] == [0, 0] and entry["winner"] is None


# --------------------------------------------------------------------------- terms, COMET


def test_term_accuracy_and_consistency(tmp_path):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("source\ttarget\ttype\taliases\nГоремикін\tViktor Goremykin\tperson\tViktor Goremikin\n"
                        "Пхеньян\tPyongyang\tplace\t\n", encoding="utf-8")
    src, hyp, ref = (tmp_path / n for n in ("src", "hyp", "ref"))
    for folder in (src, hyp, ref):
        folder.mkdir()
    (src / "a.txt").write_text("Віктор Горемикін прибув до Пхеньяна.", encoding="utf-8")
    (src / "b.txt").write_text("Горемикін зустрівся з міністром у Пхеньяні.", encoding="utf-8")
    (hyp / "a.en.txt").write_text("Viktor Goremykin arrived in Pyongyang.", encoding="utf-8")
    (hyp / "b.en.txt").write_text("Viktor Goremikin met the minister in Pyongyangs.", encoding="utf-8")
    for stem in "ab":
        (ref / f"{stem}.en.txt").write_text("reference", encoding="utf-8")
    report = evaluate(EvaluateOptions(hyps=(hyp,), ref=ref, src=src, glossaries=(glossary,), metrics=("terms",)))
    assert [(d["terms_found"], d["term_mentions"]) for d in report.documents] == [(2, 2), (0, 2)]
    assert report.corpus["term_accuracy"] == 50.0
    by_target = report.systems[0].terms["by_target"]
    assert by_target["Pyongyang"] == {"documents": 2, "consistent": 1, "share": 50.0, "variant_documents": 0}
    assert by_target["Viktor Goremykin"]["variant_documents"] == 1  # "Viktor Goremikin": a known wrong spelling
    assert report.corpus["term_consistency"] == 50.0
    assert "count:presence" in report.signatures["terms"]


def test_terms_without_glossary_are_skipped_when_asked_for(lines):
    report = evaluate(opts(*lines, metrics=("bleu", "terms")))
    assert "--glossary" in report.skipped["terms"] and "term_accuracy" not in report.corpus
    assert "terms" not in evaluate(opts(*lines, metrics=None)).skipped  # default: silently not applicable


def test_comet_is_skipped_with_a_plain_reason(lines):
    report = evaluate(opts(*lines))
    assert report.skipped["comet"].startswith("unbabel-comet is not installed")
    assert "comet" not in report.corpus
    assert "COMET" in render_text(report) and "unbabel-comet is not installed" in render_text(report)


# --------------------------------------------------------------------------- reports


def test_json_shape(lines):
    data = evaluate(opts(*lines)).to_dict()
    assert {"corpus", "signatures", "documents", "pairs", "skipped"} <= set(data)
    assert set(data["corpus"]) == {"bleu", "chrf", "ter", "rouge1", "rouge2", "rougeL", "rougeLsum"}
    assert set(data["signatures"]) >= {"bleu", "chrf", "ter", "rouge", "bleu_document"}
    assert data["documents"][0]["id"] == "1" and "rougeLsum" in data["documents"][0]
    assert data["pairs"] == {"matched": 4, "missing": [], "extra": []}
    assert "comparison" not in data and json.loads(json.dumps(data)) == data


def test_markdown_report(lines):
    report = evaluate(opts(*lines))
    section = append_scores_markdown(report)
    assert section.startswith("## Scores\n")
    assert "| BLEU |" in section and "nrefs:1\\|case:mixed" in section  # pipes escaped inside the table
    assert "### Per document" in section and "| 4 |" in section
    assert "COMET: unbabel-comet is not installed" in section
    assert render_markdown(report).startswith("# Evaluation report\n\n## Scores")
    assert append_scores_markdown(report, heading="### Scores").count("#### Per document") == 1
