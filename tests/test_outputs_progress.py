"""mt.outputs.progress: counts, quiet mode, plain log lines, and the bar on a terminal."""
from __future__ import annotations

import io

from mt.outputs.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quiet_counts_but_prints_nothing():
    stream = Terminal()
    progress = Progress(quiet=True, stream=stream, total=2)
    for doc_id in progress.documents(["a", "b"]):
        progress.done(doc_id, "ok", sentences=3)
    progress.done("c", "error", error="boom")
    progress.note("a note")
    assert (progress.count, progress.sentences) == (3, 6)
    assert stream.getvalue() == "" and progress.bar is None


def test_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream=stream, total=2, desc="brief")
    assert list(progress.documents(["a", "b"])) == ["a", "b"] and progress.bar is None
    progress.done("a", "ok", sentences=4)
    progress.done("b", "error", error="cannot read")
    progress.note("done")
    assert stream.getvalue().splitlines() == ["[brief 1/2] ok a (4 sentences)",
                                              "[brief 2/2] error b: cannot read", "done"]
    untotalled = io.StringIO()
    Progress(stream=untotalled).done("x", "skipped")
    assert untotalled.getvalue() == "[translate 1] skipped x\n"


def test_a_terminal_gets_a_bar_that_is_closed_afterwards():
    stream = Terminal()
    progress = Progress(stream=stream, total=2)
    for doc_id in progress.documents(["a", "b"]):
        assert progress.bar is not None
        progress.done(doc_id, "error" if doc_id == "b" else "ok", error="boom" if doc_id == "b" else None,
                      sentences=2)
    assert progress.bar is not None  # the stage's last windows may still finish after its input is read
    progress.close()
    assert progress.bar is None and progress.count == 2 and progress.sentences == 4
    text = stream.getvalue()
    assert "error b: boom" in text and "2/2" in text and "[translate" not in text  # no plain lines


def test_a_translate_run_has_one_bar_with_its_total_from_the_start(seeds_copy, tmp_path, translator):
    from mt.translate import translate_corpus

    stream = Terminal()
    translate_corpus([seeds_copy], tmp_path / "out", translator.options, translator=translator,
                     progress=Progress(stream=stream))
    text = stream.getvalue()
    assert "0/5" in text and "5/5" in text and text.count("translate:") >= 2  # one bar, redrawn, total known
    assert "[translate" not in text


def test_document_counts_for_the_total(tmp_path):
    from mt.inputs.corpus import count_documents

    (tmp_path / "a.txt").write_text("Текст.", encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text('{"text": "a"}\n\n{"text": "b"}\n', encoding="utf-8")
    (tmp_path / "t.csv").write_text("id,text\n1,a\n2,b\n3,c\n", encoding="utf-8")
    assert count_documents([tmp_path]) == 1 + 2 + 3
