"""mt.evaluate.metrics: sentence splitting, term scores, the bootstrap mirror, COMET lookup, helpers."""
from __future__ import annotations

import pytest
from sacrebleu.metrics import BLEU

from mt.evaluate import metrics as M
from mt.glossary.match import Glossary
from tests.evaluate_helpers import systems as _systems


def test_rouge_lsum_uses_one_sentence_per_line():
    assert M.split_sentences("First one. Second one! Third?\nFourth line") == \
        "First one.\nSecond one!\nThird?\nFourth line"
    assert M.split_sentences("Прибув 6 листопада. Переговори пройшли.") == "Прибув 6 листопада.\nПереговори пройшли."
    assert M.split_sentences('He said "go." Then (2024) «Так.» Далі') == 'He said "go."\nThen (2024) «Так.»\nДалі'


def test_bootstrap_mirror_uses_sacrebleus_resamples(tmp_path):
    _, _, _, good, bad, refs = _systems(tmp_path)
    cmp, _ = M.paired_bootstrap_sacrebleu("bleu", bad, good, refs)
    import numpy as np

    metric = BLEU()
    stats = [np.array(metric._extract_corpus_statistics(s, [refs]), dtype="float32") for s in (bad, good)]
    mine = M._compare_stats(stats[0], stats[1], M.bootstrap_indices(len(refs), 1000, 12345),
                            lambda s: metric._compute_score_from_stats(s).score)
    assert mine.p_value == cmp.p_value and mine.system_ci == pytest.approx(cmp.system_ci)


def test_contains_term_is_exact_and_whole_word():
    assert M.contains_term("Kim Jong Un's visit", "Kim Jong Un")
    assert not M.contains_term("Kim Jong Unn", "Kim Jong Un")
    assert not M.contains_term("kim jong un", "Kim Jong Un")


def test_comet_never_downloads_a_missing_model(monkeypatch, tmp_path):
    real = M.importlib.util.find_spec
    monkeypatch.setattr(M.importlib.util, "find_spec", lambda name, *a: object() if name == "comet" else real(name, *a))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ckpt, reason = M.find_comet_model("mt-tests/no-such-comet-model")
    assert ckpt is None and "not in the local Hugging Face cache" in reason
    ckpt, reason = M.find_comet_model(str(tmp_path))
    assert ckpt is None and "checkpoints/model.ckpt" in reason


def test_one_line_keeps_single_lines_byte_for_byte():
    assert M.one_line("Two  spaces stay. ") == "Two  spaces stay. "
    assert M.one_line("First line\n\nsecond\r\nthird ") == "First line second third"


def test_language_is_detected_from_letters_only():
    assert M.detect_lang(["Делегація прибула 6 листопада 2024, 12:00 (UTC)."]) == "uk"
    assert M.detect_lang(["Kim Jong Un met the Russian delegation (делегація)."]) == "en"
    assert M.detect_lang(["2024 — 12:00"]) == "en" and M.cyrillic_share([]) == 0.0
    with pytest.raises(ValueError, match="unsupported ROUGE language"):
        M.RougeMetric("fr")


def test_term_scores_count_presence_and_known_wrong_spellings():
    gl = Glossary.from_entries([{"sources": "Горемикін", "target": "Viktor Goremykin", "type": "person",
                                 "aliases": "Viktor Goremikin"}])
    srcs = ["Горемикін прибув. Горемикіна зустріли.", None, "Горемикін поїхав."]
    hyps = ["Viktor Goremykin arrived; he was met.", "no source", "Viktor Goremikin left."]
    scores = M.term_scores([gl], srcs, hyps)
    assert scores.documents == [(2, 2), (0, 0), (0, 1)]  # one occurrence covers both mentions of a document
    assert scores.accuracy == pytest.approx(200 / 3)
    assert scores.by_target == {"Viktor Goremykin": {"documents": 2, "consistent": 1, "share": 50.0,
                                                     "variant_documents": 1}}
    assert scores.consistency == 50.0
    assert M.term_scores([gl], [None], ["x"]).accuracy is None


def test_ratio_bootstrap_scores_sums_not_means_of_ratios():
    # (100 * found, mentions): 100 of 4 mentions is 25, not the mean of 100 and 0
    baseline = [(100.0, 1.0), (0.0, 3.0)] * 10
    system = [(100.0, 1.0), (100.0, 3.0)] * 10
    result = M.paired_bootstrap_ratio(baseline, system, n_samples=200)
    assert result.baseline == 25.0 and result.system == 50.0 and result.delta == 25.0
    low, high = result.ci95
    assert 0 < low <= 25.0 <= high and result.p_value < 0.05
    assert M.paired_bootstrap_ratio(baseline, system, n_samples=200).to_dict() == result.to_dict()  # seeded
    same = M.paired_bootstrap_ratio(baseline, baseline, n_samples=200)
    assert same.delta == 0 and same.ci95 == (0.0, 0.0)


def test_seeds_draw_what_sacrebleu_draws(monkeypatch):
    import numpy as np

    seeds = []
    real = np.random.default_rng
    monkeypatch.setattr(np.random, "default_rng", lambda seed=None: seeds.append(seed) or real(seed))
    M.bootstrap_indices(20, 5, 12345)
    M.bootstrap_indices(20, 5, 0)  # sacrebleu's PairedTest turns a seed of 0 into None (fresh entropy)
    M.bootstrap_indices(20, 5, None)
    assert seeds == [12345, None, None]
    assert (M.bootstrap_indices(20, 5, 7) == real(7).choice(20, size=(5, 20), replace=True)).all()
