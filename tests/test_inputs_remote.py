"""Inputs behind URLs (mt.inputs.remote), read from a local stand-in for S3 on 127.0.0.1."""
import json
import shutil

import pytest
from click.testing import CliRunner

from mt.cli import main
from mt.inputs.corpus import count_documents, load_corpus
from mt.inputs.document import CorpusError, Document, Failed
from mt.inputs.english import iter_english
from mt.inputs.remote import RemoteFile, filesystem, is_url, source_path
from tests.conftest import ROOT, SEEDS
from tests.fake_s3 import fake_s3, upload

GLOSSARY = ROOT / "seeds" / "glossary.tsv"
PAGE = ("<html lang='uk'><head><meta property='article:published_time' content='2024-11-29T10:00:00+02:00'>"
        "</head><body><article><h1>Уряд ухвалив бюджет</h1><p>Кабінет міністрів у п'ятницю ухвалив проєкт "
        "бюджету на наступний рік, повідомила прес-служба уряду.</p></article></body></html>")


@pytest.fixture()
def store(tmp_path):
    """A folder of inputs, the same folder on the fake S3, and the URL of it."""
    folder = tmp_path / "inputs"
    (folder / "sub").mkdir(parents=True)
    for path in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copy(path, folder / path.name)
    (folder / "sub" / "page.html").write_text(PAGE, encoding="utf-8")
    (folder / "feed.jsonl").write_text(json.dumps({"id": "x1", "text": "Київ готується до зими."},
                                                  ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / ".hidden.txt").write_text("не читати", encoding="utf-8")
    (folder / "old.en.txt").write_text("an output of an earlier run", encoding="utf-8")
    with fake_s3():
        filesystem.cache_clear()  # a client per endpoint: this test's endpoint
        yield folder, upload(folder, "news", "archive/2024")
    filesystem.cache_clear()


def _tree(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "manifest.jsonl" and ".mt" not in p.relative_to(out).parts}


def _comparable(docs):
    return [(d.id, type(d).__name__, d.title, d.paragraphs, d.hash, d.date, d.language) if isinstance(d, Document)
            else (d.id, type(d).__name__, d.error) for d in docs]


def test_a_bucket_folder_reads_as_the_same_local_folder(store):
    folder, url = store
    remote, local = list(load_corpus([url])), list(load_corpus([folder]))
    assert _comparable(remote) == _comparable(local)
    assert [d.id for d in remote] == [p.stem for p in sorted(folder.glob("0*.txt"))] + ["feed#x1", "sub/page"]
    assert remote[-1].source == f"{url}/sub/page.html" and remote[-1].date == "2024-11-29"
    assert count_documents([url]) is None  # a table on the store is not read twice just to count it


def test_a_single_object_and_a_missing_one(store):
    _, url = store
    one = list(load_corpus([f"{url}/sub/page.html"]))
    assert [d.id for d in one] == ["page"] and one[0].title == "Уряд ухвалив бюджет"
    missing = list(load_corpus([f"{url}/nothing-here"]))
    assert isinstance(missing[0], Failed) and missing[0].error == "no such file or folder"


def test_urls_and_paths_are_told_apart(tmp_path):
    assert is_url("s3://bucket/key") and is_url("gs://b/k") and is_url("hdfs://host/path")
    assert not is_url("file:///tmp/x") and not is_url("folder/s3:/x") and not is_url(tmp_path)
    assert source_path("file:///tmp/x") == source_path("/tmp/x")
    assert isinstance(source_path("s3://b/k.txt"), RemoteFile) and source_path("s3://b/k.txt").suffix == ".txt"
    with pytest.raises(TypeError):  # never mistaken for a local file
        open(RemoteFile("s3://b/k.txt"))  # noqa: SIM115


def test_an_unknown_scheme_is_a_clear_error():
    with pytest.raises(CorpusError, match="nosuchfs://x"):
        RemoteFile("nosuchfs://x/y.txt").exists()


def test_mt_translate_from_a_bucket_writes_what_a_local_folder_writes(store, tiny_marian, tmp_path):
    folder, url = store
    runner = CliRunner()
    args = ["-m", str(tiny_marian), "--engine", "ct2", "-g", str(GLOSSARY), "--json"]
    local = runner.invoke(main, ["translate", str(folder), "-o", str(tmp_path / "local"), *args])
    remote = runner.invoke(main, ["translate", url, "-o", str(tmp_path / "remote"), *args])
    assert local.exit_code == remote.exit_code == 0, remote.output
    assert json.loads(remote.output)["ok"] == 5
    local_tree, remote_tree = _tree(tmp_path / "local"), _tree(tmp_path / "remote")
    assert {"sub/page.en.txt", "feed.en.jsonl"} <= set(remote_tree)
    assert remote_tree.keys() == local_tree.keys()
    for rel, data in remote_tree.items():  # the same English; the detail records name their source
        assert data.replace(url.encode(), b"SRC") == local_tree[rel].replace(str(folder).encode(), b"SRC"), rel
    again = runner.invoke(main, ["translate", url, "-o", str(tmp_path / "remote"), *args])
    assert json.loads(again.output)["skipped"] == 5  # resumed by the manifest and the content hash


def test_mt_translate_names_a_missing_object(store, tmp_path):
    _, url = store
    result = CliRunner().invoke(main, ["translate", f"{url}/gone", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and f"no such file or folder: {url}/gone" in result.output


def test_summarize_reads_english_from_a_bucket(store, tmp_path):
    english = tmp_path / "english"
    english.mkdir()
    (english / "a.en.txt").write_text("The government approved the budget on Friday.", encoding="utf-8")
    (english / "a.summary.en.txt").write_text("an earlier summary", encoding="utf-8")
    url = upload(english, "news", "english")
    docs = list(iter_english([url]))
    assert [(d.id, d.paragraphs) for d in docs] == [("a", ["The government approved the budget on Friday."])]


def test_credentials_in_a_url_are_refused_before_they_are_recorded(store, tmp_path):
    with pytest.raises(CorpusError, match="not in the URL"):
        source_path("s3://key:secret@news/archive")
    result = CliRunner().invoke(main, ["translate", "s3://key:secret@news/archive", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "not in the URL" in result.output


def test_an_out_bucket_inside_the_input_bucket_is_not_read_back(store, tiny_marian, tmp_path, monkeypatch):
    _, url = store
    monkeypatch.setenv("MT_MIRROR_DIR", str(tmp_path / "mirrors"))
    args = ["-m", str(tiny_marian), "--engine", "ct2", "--languages", "any", "--json"]
    first = CliRunner().invoke(main, ["translate", url, "-o", f"{url}/out", *args])
    again = CliRunner().invoke(main, ["translate", url, "-o", f"{url}/out", *args])
    assert first.exit_code == again.exit_code == 0, again.output
    assert json.loads(again.output)["skipped"] == 5 and json.loads(again.output)["ok"] == 0


def test_a_table_on_the_store_is_streamed(store):
    _, url = store
    table = RemoteFile(f"{url}/feed.jsonl")
    with table.open("rb") as stream:
        assert json.loads(stream.readline())["id"] == "x1"
