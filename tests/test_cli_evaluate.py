"""`mt evaluate` through click: output, exit codes, reports, and the seed references."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sacrebleu.metrics import BLEU

from mt.cli import main
from mt.evaluate.metrics import split_sentences

ROOT = Path(__file__).resolve().parents[1]
HYPS = ["The delegation arrived in Pyongyang on 6 November.", "Kim Jong Un approved sending sappers."]
REFS = ["The delegation arrived in Pyongyang on November 6.", "Kim Jong Un approved the dispatch of sappers."]


def run(*args: str):
    return CliRunner().invoke(main, ["evaluate", *args])


def write(path: Path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


@pytest.fixture()
def files(tmp_path) -> tuple[str, str]:
    return write(tmp_path / "hyp.txt", HYPS), write(tmp_path / "ref.txt", REFS)


def test_text_output_has_scores_signatures_and_comet_reason(files):
    result = run("--hyp", files[0], "--ref", files[1])
    assert result.exit_code == 0, result.output
    bleu = BLEU().corpus_score(HYPS, [REFS])
    assert f"{bleu.score:.2f}" in result.stdout
    assert "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0" in result.stdout
    assert "rouge-score 0.1.2|stem:yes" in result.stdout
    comet = next(line for line in result.stdout.splitlines() if line.startswith("COMET"))
    assert "skipped" in comet and "unbabel-comet is not installed" in comet


def test_json_report(files):
    result = run("--hyp", files[0], "--ref", files[1], "--json", "--metrics", "bleu,chrf,rouge")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["corpus"]["bleu"] == round(BLEU().corpus_score(HYPS, [REFS]).score, 4)
    assert set(data["corpus"]) == {"bleu", "chrf", "rouge1", "rouge2", "rougeL", "rougeLsum"}
    assert [d["id"] for d in data["documents"]] == ["1", "2"]
    assert data["pairs"] == {"matched": 2, "missing": [], "extra": []}
    assert data["skipped"] == {}  # COMET was not asked for


def test_markdown_report_is_written(files, tmp_path):
    out = tmp_path / "reports" / "report.md"
    result = run("--hyp", files[0], "--ref", files[1], "-O", str(out))
    assert result.exit_code == 0 and f"wrote {out}" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Evaluation report") and "| BLEU |" in text and "### Per document" in text


def test_mismatched_line_counts_exit_2_naming_both_counts(files, tmp_path):
    short = write(tmp_path / "short.txt", HYPS[:1])
    result = run("--hyp", short, "--ref", files[1])
    assert result.exit_code == 2
    assert "mismatched pairs" in result.stderr and "has 1 lines" in result.stderr and "has 2" in result.stderr


def test_unpaired_folder_documents_exit_1_unless_allowed(tmp_path):
    hyp, ref = tmp_path / "hyp", tmp_path / "ref"
    hyp.mkdir(), ref.mkdir()
    (hyp / "a.en.txt").write_text(HYPS[0], encoding="utf-8")
    (hyp / "x.en.txt").write_text("extra", encoding="utf-8")
    (ref / "a.en.txt").write_text(REFS[0], encoding="utf-8")
    (ref / "b.en.txt").write_text(REFS[1], encoding="utf-8")
    result = run("--hyp", str(hyp), "--ref", str(ref), "--json", "--metrics", "bleu")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["pairs"] == {"matched": 1, "missing": ["b"], "extra": ["x"]}
    assert "unpaired ids" in result.stderr and "--allow-missing" in result.stderr
    allowed = run("--hyp", str(hyp), "--ref", str(ref), "--metrics", "bleu", "--allow-missing")
    assert allowed.exit_code == 0 and "missing ['b']" in allowed.stdout


def test_two_systems_are_compared(tmp_path, files):
    refs = [f"Sentence {i} about the delegation that arrived in Pyongyang on Monday." for i in range(30)]
    worse = [r.replace("delegation", "group").replace("arrived", "came") for r in refs]
    ref, good, bad = (write(tmp_path / n, x) for n, x in (("r.txt", refs), ("good.txt", refs), ("bad.txt", worse)))
    result = run("--hyp", bad, "--hyp", good, "--ref", ref, "--metrics", "bleu,ter", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    bleu = data["comparison"]["systems"]["good.txt"]["metrics"]["bleu"]
    assert bleu["winner"] == "good.txt" and bleu["ci95"][0] > 0 and bleu["p_value"] < 0.05
    assert [s["name"] for s in data["systems"]] == ["bad.txt", "good.txt"]
    text = run("--hyp", bad, "--hyp", good, "--ref", ref, "--metrics", "bleu", "--bootstrap-samples", "200")
    assert "Paired bootstrap resampling (200 resamples, seed 12345)" in text.stdout


def test_unknown_metric_is_a_usage_error(files):
    result = run("--hyp", files[0], "--ref", files[1], "--metrics", "bleu,meteor")
    assert result.exit_code == 2 and "meteor" in result.stderr


def test_terms_need_glossary_and_source(files):
    result = run("--hyp", files[0], "--ref", files[1], "--metrics", "terms", "--json")
    assert json.loads(result.stdout)["skipped"]["terms"] == "term accuracy needs --glossary and --src"


def test_glossary_terms_in_cli(tmp_path, files):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("source\ttarget\ttype\nКім Чен Ин\tKim Jong Un\tperson\nПхеньян\tPyongyang\tplace\n",
                        encoding="utf-8")
    src = write(tmp_path / "src.txt", ["Делегація прибула до Пхеньяна 6 листопада.", "Кім Чен Ин схвалив."])
    result = run("--hyp", files[0], "--ref", files[1], "--src", src, "--glossary", str(glossary), "--json")
    data = json.loads(result.stdout)
    assert data["corpus"]["term_accuracy"] == 100.0 and data["terms"]["mentions"] == 2


def test_evaluate_is_registered_with_the_library_defaults():
    from mt.cli import evaluate as cli
    from mt.evaluate import metrics

    result = CliRunner().invoke(main, ["--help"])
    assert "evaluate" in result.stdout
    assert (cli.ALL_METRICS, cli.DEFAULT_COMET_MODEL, cli.DEFAULT_BOOTSTRAP_SAMPLES, cli.DEFAULT_SEED) == \
        (metrics.ALL_METRICS, metrics.DEFAULT_COMET_MODEL, metrics.DEFAULT_BOOTSTRAP_SAMPLES, metrics.DEFAULT_SEED)


def test_every_seed_has_a_hand_written_reference_summary():
    seeds = sorted(p.name[: -len(".txt")] for p in (ROOT / "seeds").glob("*.txt"))
    refs = ROOT / "seeds" / "references"
    assert seeds and sorted(p.name[: -len(".summary.en.txt")] for p in refs.glob("*.summary.en.txt")) == seeds
    for stem in seeds:
        text = (refs / f"{stem}.summary.en.txt").read_text(encoding="utf-8")
        assert 3 <= len(split_sentences(text).splitlines()) <= 5, stem
        assert not any("\u0400" <= c <= "\u04ff" for c in text), stem  # English only
    result = run("--hyp", str(refs), "--ref", str(refs), "--src", str(ROOT / "seeds"), "--json")
    data = json.loads(result.stdout)
    assert data["pairs"]["matched"] == len(seeds) and data["corpus"]["bleu"] == 100.0
