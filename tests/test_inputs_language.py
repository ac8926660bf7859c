"""mt.inputs.language: per-document language, the --languages choice and the skip status."""
from __future__ import annotations

import json
import zipfile
from importlib import metadata

import pytest

from mt.inputs.language import (
    UNDETERMINED,
    LanguageOptionError,
    identify,
    identify_document,
    parse_languages,
    skip_reason,
)

UK = ("Делегація російського режиму відвідала Північну Корею, щоб домовитися про залучення нових найманців. "
      "Про це повідомляє агентство з посиланням на джерела в уряді.")
RU = ("Делегация российского режима посетила Северную Корею, чтобы договориться о привлечении новых наемников. "
      "Об этом сообщает агентство со ссылкой на источники в правительстве.")
EN = ("A delegation of the Russian regime visited North Korea to negotiate the recruitment of new mercenaries, "
      "the agency reported, citing government sources.")


@pytest.mark.parametrize("text, code", [(UK, "uk"), (RU, "ru"), (EN, "en")])
def test_identifies_uk_ru_en(text, code):
    found = identify(text)
    assert found.language == code and found.confidence >= 0.9


def test_short_or_unclear_text_is_undetermined():
    assert identify("Нормальний рядок.").language == UNDETERMINED
    assert identify("12:00 — 14:30, 2024").language == UNDETERMINED
    assert identify("").language == UNDETERMINED


def test_a_ukrainian_article_quoting_russian_is_ukrainian():
    text = ("Путін сказав: «Это наша земля». Trump said: no deal. А українці відповіли, що кордони України "
            "визнані міжнародним правом, і переговори про це вести ніхто не буде.")
    assert identify(text).language == "uk"


def test_document_uses_title_and_paragraphs():
    assert identify_document("Уряд обговорив бюджет", [UK]).language == "uk"
    assert identify_document("", [RU, RU]).language == "ru"


def test_parse_languages():
    assert parse_languages(None) == ("uk",)
    assert parse_languages("uk") == ("uk",)
    assert parse_languages(" UK, ru ,uk") == ("uk", "ru")
    assert parse_languages("any") is None
    for bad in ("", "uk;ru", "українська", "u"):
        with pytest.raises(LanguageOptionError):
            parse_languages(bad)


def test_skip_reason():
    assert skip_reason("ru", ("uk",)) == "language ru"
    assert skip_reason("uk", ("uk",)) is None
    assert skip_reason(UNDETERMINED, ("uk",)) is None  # never skipped when unsure
    assert skip_reason("ru", None) is None  # --languages any


def test_model_ships_in_the_wheel_and_is_not_a_pickle():
    files = [str(f) for f in metadata.files("py3langid")]
    model = [f for f in files if f.endswith("model.npz.xz")]
    assert model, files
    import lzma

    path = metadata.distribution("py3langid").locate_file(model[0])
    with lzma.open(path) as raw, zipfile.ZipFile(raw) as npz:
        assert all(name.endswith(".npy") for name in npz.namelist())
        for name in npz.namelist():
            with npz.open(name) as member:
                header = member.read(128)
            assert b"'descr': '|O'" not in header  # no object arrays: nothing np.load would unpickle


def test_translate_skips_a_russian_document(tmp_path, tiny_marian):
    from click.testing import CliRunner

    from mt.cli import main

    src = tmp_path / "in"
    src.mkdir()
    (src / "uk.txt").write_text("Заголовок\n" + UK, encoding="utf-8")
    (src / "ru.txt").write_text("Заголовок\n" + RU, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["translate", str(src), "-o", str(out), "-m", str(tiny_marian), "--engine",
                                       "hf", "--threads", "1", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ok"] == 1 and summary["failed"] == []
    assert summary["not_translated"] == [{"id": "ru", "source": str(src / "ru.txt"), "status": "skipped: language ru"}]
    records = {r["id"]: r for r in map(json.loads, (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines())}
    assert records["ru"]["status"] == "skipped: language ru" and records["ru"]["language"] == "ru"
    assert records["uk"]["status"] == "ok" and records["uk"]["language"] == "uk"
    assert not (out / "ru.en.txt").exists() and (out / "uk.en.txt").exists()
    bad = CliRunner().invoke(main, ["translate", str(src), "-o", str(out), "-m", str(tiny_marian), "--languages",
                                    "uk;ru"])
    assert bad.exit_code == 2 and "not a language code" in bad.output


def test_a_broken_identifier_makes_text_undetermined_not_a_crash(monkeypatch):
    import mt.inputs.language as language

    def broken():
        raise OSError("model file missing")

    monkeypatch.setattr(language, "_model", broken)
    assert identify(RU).language == UNDETERMINED
