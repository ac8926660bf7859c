"""`mt glossary extract` and `mt glossary check` through click's test runner."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mt.cli import main
from mt.glossary import load_glossary

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GLOSSARY = SEEDS / "glossary.tsv"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_check_json_offsets_point_into_the_file_text():
    result = invoke("glossary", "check", SEEDS, "--glossary", GLOSSARY, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {Path(r["file"]).name for r in rows} == {p.name for p in SEEDS.glob("*.txt")}
    texts = {}
    for r in rows:
        assert set(r) == {"file", "start", "end", "text", "target", "type"}
        text = texts.setdefault(r["file"], Path(r["file"]).read_bytes().decode("utf-8"))
        assert text[r["start"]:r["end"]] == r["text"]
    pairs = {(r["text"], r["target"]) for r in rows}
    assert ("Віктором Горемікіним", "Viktor Goremykin") in pairs
    assert ("Але Гван Чхолем", "No Kwang Chol") in pairs
    assert ("Кім Гем Чоль", "Kim Kum Chol") in pairs


def test_check_offsets_with_crlf_and_bom(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_bytes("\ufeffЗаголовок\r\nУ Пхеньяні\r\nзустрівся з Кім Чен Ином.\r\n".encode("utf-8"))
    result = invoke("glossary", "check", path, "-g", GLOSSARY, "--json")
    rows = json.loads(result.stdout)
    text = path.read_bytes().decode("utf-8-sig")
    assert [text[r["start"]:r["end"]] for r in rows] == ["Пхеньяні", "Кім Чен Ином"]


def test_check_human_table():
    result = invoke("glossary", "check", SEEDS / "000_99a7aa9b4e6634b7.txt", "--glossary", GLOSSARY)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["where", "text", "target", "type"]
    assert any("Віктор Горемикін" in line and "Viktor Goremykin" in line and ":4:" in line for line in lines)
    assert "mentions of" in lines[-1] and "glossary entries never matched" in lines[-1]


def test_check_bad_glossary_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("source\ttarget\nПутін\tPutin\nПутін\tPoutine\n", encoding="utf-8")
    result = invoke("glossary", "check", SEEDS, "--glossary", bad)
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.stderr and "line 2" in result.stderr
    assert "Traceback" not in result.output


def test_check_later_glossary_overrides(tmp_path):
    override = tmp_path / "o.tsv"
    override.write_text("source\ttarget\ttype\nПутін\tPoutine\tperson\n", encoding="utf-8")
    result = invoke("glossary", "check", SEEDS / "002_017250b7c650f034.txt", "-g", GLOSSARY, "-g", override,
                    "--json")
    targets = {r["text"]: r["target"] for r in json.loads(result.stdout)}
    assert targets["Путін"] == "Poutine" and targets["Володимир Путін"] == "Vladimir Putin"


def test_check_missing_input_is_a_usage_error(tmp_path):
    result = invoke("glossary", "check", SEEDS / "000_99a7aa9b4e6634b7.txt", tmp_path / "nope.txt",
                    "-g", GLOSSARY, "--json")
    assert result.exit_code == 2  # a missing input is a usage error, before any work
    assert not result.stdout and "nope.txt" in result.stderr and "does not exist" in result.stderr


def test_extract_writes_a_loadable_draft(tmp_path):
    out = tmp_path / "draft.tsv"
    result = invoke("glossary", "extract", SEEDS, "-O", out, "--min-count", "2")
    assert result.exit_code == 0, result.output
    assert "candidates" in result.stdout and str(out) in result.stdout
    gl = load_glossary([out])
    rows = {e.sources: e.target for e in gl.entries}
    assert rows[("Віктор Горемикін", "Віктор Горемікін")] == "Viktor Goremykin"
    body = out.read_text(encoding="utf-8")
    assert "\tcheck\t" in body and "\tok\t" in body


def test_glossary_help_lists_subcommands():
    result = invoke("glossary", "--help")
    assert result.exit_code == 0 and "extract" in result.output and "check" in result.output


def test_a_reader_that_goes_away_ends_the_command_quietly():
    """`mt glossary check ... | head`: no 'unexpected BrokenPipeError', exit 141 as a shell tool."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader is gone before mt writes a line
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-m", "mt", "glossary", "check", str(ROOT / "seeds"), "-g",
                           str(ROOT / "seeds" / "glossary.tsv")], stdout=write, stderr=subprocess.PIPE, env=env,
                          timeout=300)
    os.close(write)
    assert proc.returncode == 141, proc.stderr
    assert b"BrokenPipe" not in proc.stderr and b"Error" not in proc.stderr
