import os
import sys
from pathlib import Path

import pytest

from mt.inputs import parallel
from mt.inputs.corpus import _is_text, _load_item, _load_text_file, list_inputs, load_corpus
from mt.inputs.document import CorpusOptions, Failed

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes are forked on Linux only")

_PAGE = ("<html lang='uk'><head><title>Новина {i}</title></head><body><nav><a href='/'>Головна</a></nav>"
         "<article><h1>Рада ухвалила закон номер {i}</h1>"
         "<p>Верховна Рада у четвер ухвалила закон про місцеві бюджети, повідомили в апараті парламенту.</p>"
         "<p>За документ проголосували {i} депутатів, а уряд має підготувати зміни до кінця року.</p>"
         "</article></body></html>")


def _folder(tmp_path, pages=12):
    for i in range(pages):
        (tmp_path / f"{i:03d}.html").write_text(_PAGE.format(i=i + 200), encoding="utf-8")
    (tmp_path / "note.txt").write_text("Заголовок\n\nКороткий текст статті про Київ.", encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text('{"id": "a", "text": "Перший рядок новини."}\n{"id": "b"}\n',
                                         encoding="utf-8")
    (tmp_path / "empty.html").write_text("<html><body></body></html>", encoding="utf-8")
    return tmp_path


@linux
def test_workers_read_the_same_documents_in_the_same_order(tmp_path):
    folder = _folder(tmp_path)
    one = list(load_corpus([folder], CorpusOptions(read_workers=1)))
    two = list(load_corpus([folder], CorpusOptions(read_workers=2)))
    assert one == two
    assert [d.id for d in two] == [f"{i:03d}" for i in range(12)] + ["empty", "feed#a", "feed#b", "note"]
    assert [type(d).__name__ for d in two[12:15]] == ["Failed", "Document", "Failed"]  # empty page, row without text
    assert two[0].title == "Рада ухвалила закон номер 200" and two[0].page["reader"] == "trafilatura"


def test_how_many_processes_read():
    assert parallel.reading_workers(1, 1000) == 1  # asked for one
    assert parallel.reading_workers(0, parallel.MIN_FILES - 1) == 1  # too few files for a pool
    if sys.platform.startswith("linux"):
        assert parallel.reading_workers(3, 1000) == 3
        assert parallel.reading_workers(8, 10) == 8
        assert 1 <= parallel.reading_workers(0, 1000) <= parallel.MAX_WORKERS
        assert parallel.reading_workers(0, 1000) <= len(os.sched_getaffinity(0))


def _dies_on_five(path, rel, fmt, options):
    if rel == "005":
        os._exit(9)  # a page that kills its reader every time (a parser crash, a memory blow-up)
    return _load_text_file(path, rel, fmt, options)


def _dies_once_on_five(path, rel, fmt, options):
    marker = Path(path).parent.parent / "died"
    if rel == "005" and not marker.exists():
        marker.write_text("x")
        os._exit(9)  # as a worker the OOM killer took once
    return _load_text_file(path, rel, fmt, options)


def _read(folder, load_text):
    options = CorpusOptions(read_workers=2)
    listing = list(list_inputs([folder]))
    return list(parallel.read_ahead(listing, options, 2, _is_text, load_text, lambda item: _load_item(item, options)))


@linux
def test_a_worker_killed_once_loses_nothing(tmp_path):
    (tmp_path / "in").mkdir()
    folder = _folder(tmp_path / "in")
    read = _read(folder, _dies_once_on_five)
    assert (tmp_path / "died").exists()  # the pool did break
    assert read == list(load_corpus([folder], CorpusOptions(read_workers=1)))


@linux
def test_a_file_that_kills_its_reader_fails_alone(tmp_path):
    folder = _folder(tmp_path)
    read, serial = _read(folder, _dies_on_five), list(load_corpus([folder], CorpusOptions(read_workers=1)))
    assert [d.id for d in read] == [d.id for d in serial]
    bad = [d for d in read if d.id == "005"][0]
    assert isinstance(bad, Failed) and "killed its process twice" in bad.error
    assert [d for d in read if d.id != "005"] == [d for d in serial if d.id != "005"]


@linux
def test_a_consumer_that_stops_early_leaves_no_workers(tmp_path):
    import multiprocessing

    folder = _folder(tmp_path, pages=30)
    stream = load_corpus([folder], CorpusOptions(read_workers=2))
    first = next(stream)
    assert first.id == "000"
    stream.close()  # as a run stopped by an error in its consumer
    assert multiprocessing.active_children() == []


@linux
def test_workers_die_with_a_parent_killed_outright(tmp_path):
    """SIGKILL leaves no reading process behind (a forked worker would otherwise wait forever)."""
    import signal
    import subprocess
    import time

    folder = _folder(tmp_path, pages=40)
    script = ("import sys, time\nfrom mt.inputs.corpus import load_corpus\nfrom mt.inputs.document import "
              "CorpusOptions\nstream = load_corpus([sys.argv[1]], CorpusOptions(read_workers=2))\nnext(stream)\n"
              "print('reading', flush=True)\ntime.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(folder)], stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"reading"
    children = [int(pid) for pid in (Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split())]
    assert len(children) == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
