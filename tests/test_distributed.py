"""mt on Ray (`--ray`, mt.distributed): the same OUT, manifest and figures as one machine.

One local Ray (2 CPUs, 127.0.0.1 only) is started for the module; the tests that need it
are skipped when Ray is not installed (`pip install 'mt[ray]'`).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mt import distributed
from mt.cli import main
from mt.distributed import RayOptions, TranslateWorker, translate_dataset
from mt.engines import EngineOptions
from mt.inputs.remote import filesystem
from mt.translate import translate_corpus
from mt.translator import TranslateOptions
from tests.fake_s3 import fake_s3, upload

# before Ray is imported: a local Ray listens on 127.0.0.1, not on the host's public address
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "seeds" / "glossary.tsv"


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    started = not ray.is_initialized()
    import importlib.util
    from contextlib import nullcontext

    # before Ray starts, so its workers read s3:// from the stand-in too (without moto: no s3 tests)
    with fake_s3() if importlib.util.find_spec("moto") else nullcontext():
        filesystem.cache_clear()
        if started:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        yield ray
        if started:
            ray.shutdown()
    filesystem.cache_clear()


def _options(model, **kw) -> TranslateOptions:
    return TranslateOptions(engine=EngineOptions(model=str(model), engine="ct2"), glossaries=(str(GLOSSARY),), **kw)


def _tree(out: Path) -> dict[str, bytes]:
    """Every file mt wrote, except the manifest (its times differ) and OUT/.mt (locks)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "manifest.jsonl" and ".mt" not in p.relative_to(out).parts}


def _records(out: Path) -> list[dict]:
    """Manifest lines without what differs between two runs of the same work (times)."""
    return [{k: v for k, v in json.loads(line).items() if k not in {"time", "seconds"}}
            for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def _latest(out: Path) -> dict[str, dict]:
    latest = {}
    for record in _records(out):
        latest[record["id"]] = record
    return latest


def test_ray_without_ray_installed_says_how_to_get_it(monkeypatch, seeds_copy, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as it does without the extra
    result = CliRunner().invoke(main, ["translate", str(seeds_copy), "-o", str(tmp_path / "out"), "--ray", "local"])
    assert result.exit_code == 2, result.output
    assert "pip install 'mt[ray]'" in result.output
    assert not (tmp_path / "out" / "manifest.jsonl").exists()  # nothing was started


def test_ray_options_need_ray(seeds_copy, tmp_path):
    result = CliRunner().invoke(main, ["translate", str(seeds_copy), "-o", str(tmp_path / "out"), "--ray-workers", "2"])
    assert result.exit_code == 2 and "--ray ADDRESS" in result.output


def test_ray_local_writes_what_one_machine_writes(local_ray, tiny_marian, seeds_copy, tmp_path):
    one = translate_corpus([seeds_copy], tmp_path / "one", _options(tiny_marian))
    result = CliRunner().invoke(main, ["translate", str(seeds_copy), "-o", str(tmp_path / "ray"), "--ray", "local",
                                       "-m", str(tiny_marian), "--engine", "ct2", "-g", str(GLOSSARY), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert _tree(tmp_path / "ray") == _tree(tmp_path / "one")  # byte-identical English, JSON details
    records = _records(tmp_path / "ray")
    assert [r["status"] for r in records] == ["ok"] * 5
    assert records == _records(tmp_path / "one")  # the same manifest, line by line, in the same order
    assert (summary["ok"], summary["sentences"], summary["glossary"]) == (5, one.sentences, one.terms)


def test_ray_reads_a_bucket_where_the_data_lives(local_ray, tiny_marian, seeds_copy, tmp_path):
    pytest.importorskip("moto")
    url = upload(seeds_copy, "archive", "uk/2024")  # each worker reads its own documents from the store
    one = translate_corpus([seeds_copy], tmp_path / "one", _options(tiny_marian))
    result = CliRunner().invoke(main, ["translate", url, "-o", str(tmp_path / "ray"), "--ray", "local",
                                       "-m", str(tiny_marian), "--engine", "ct2", "-g", str(GLOSSARY), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] == one.ok == 5
    local, remote = _tree(tmp_path / "one"), _tree(tmp_path / "ray")
    assert {k: v for k, v in remote.items() if k.endswith(".en.txt")} == \
        {k: v for k, v in local.items() if k.endswith(".en.txt")}
    assert all(r["source"].startswith(url + "/") for r in _records(tmp_path / "ray"))


def test_ray_writes_into_a_bucket(local_ray, tiny_marian, seeds_copy, tmp_path, monkeypatch):
    pytest.importorskip("moto")
    import boto3

    monkeypatch.setenv("MT_MIRROR_DIR", str(tmp_path / "mirrors"))
    (seeds_copy / "feed.jsonl").write_text(json.dumps({"id": "r1", "text": "Київ готується до зими."},
                                                      ensure_ascii=False) + "\n", encoding="utf-8")
    url = upload(seeds_copy, "archive", "in")
    one = translate_corpus([seeds_copy], tmp_path / "one", _options(tiny_marian))
    result = CliRunner().invoke(main, ["translate", url, "-o", "s3://archive/out", "--ray", "local", "-m",
                                       str(tiny_marian), "--engine", "ct2", "-g", str(GLOSSARY), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] == one.ok == 6
    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    stored = {o["Key"][len("out/"):]: client.get_object(Bucket="archive", Key=o["Key"])["Body"].read()
              for o in client.list_objects_v2(Bucket="archive", Prefix="out/")["Contents"] if o["Key"][-1] != "/"}
    local = _tree(tmp_path / "one")
    english = {k: v for k, v in local.items() if k.endswith((".en.txt", ".en.jsonl"))}
    assert len(english) == 6 and {k: stored.get(k) for k in english} == english  # the table, assembled here
    assert ".mt/lock.json" not in stored and len(stored["manifest.jsonl"].splitlines()) == 6


def test_a_killed_worker_is_retried_and_every_document_recorded_once(local_ray, tiny_marian, seeds_copy, tmp_path):
    options = _options(tiny_marian, window_docs=2)  # three calls: [000, 001], [002, 003], [004]
    translate_corpus([seeds_copy], tmp_path / "one", options)
    flag = tmp_path / "die-once"
    flag.write_text("")

    class DiesOnce(TranslateWorker):  # defined here, so Ray ships it by value
        def finish(self, result):
            done = super().finish(result)  # 002's outputs are written...
            if result.doc.id.startswith("002") and flag.exists():
                flag.unlink()
                os.kill(os.getpid(), signal.SIGKILL)  # ...and the actor dies before returning the call
            return done

    summary = distributed.translate_corpus([seeds_copy], tmp_path / "ray", options, RayOptions(workers=2),
                                           worker=DiesOnce)
    assert not flag.exists()  # the actor did die
    assert (summary.ok, summary.failed) == (5, [])
    records = _records(tmp_path / "ray")
    assert sorted(r["id"] for r in records) == sorted({r["id"] for r in records})  # each document once
    assert [r["status"] for r in records] == ["ok"] * 5
    assert records == _records(tmp_path / "one")
    assert _tree(tmp_path / "ray") == _tree(tmp_path / "one")


DRIVER = """
import sys, time
from mt.distributed import RayOptions, TranslateWorker, translate_corpus
from mt.engines import EngineOptions
from mt.inputs.remote import filesystem
from mt.translator import TranslateOptions
from tests.fake_s3 import fake_s3, upload

class Slow(TranslateWorker):  # one second per call, so the driver can be killed between calls
    def __call__(self, batch):
        time.sleep(1.0)
        return super().__call__(batch)

address, seeds, out, model, glossary = sys.argv[1:]
options = TranslateOptions(engine=EngineOptions(model=model, engine="ct2"), glossaries=(glossary,), window_docs=1)
translate_corpus([seeds], out, options, RayOptions(address=address, workers=1), worker=Slow)
"""


def test_a_killed_driver_resumes_from_the_manifest(local_ray, tiny_marian, seeds_copy, tmp_path):
    options = _options(tiny_marian, window_docs=1)
    translate_corpus([seeds_copy], tmp_path / "one", options)
    out = tmp_path / "ray"
    address = local_ray.get_runtime_context().gcs_address  # the test's cluster, on 127.0.0.1
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, address, str(seeds_copy), str(out), str(tiny_marian),
                               str(GLOSSARY)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    manifest = out / "manifest.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and driver.poll() is None:
        if manifest.exists() and sum(1 for _ in manifest.open()) >= 2:
            break
        time.sleep(0.05)
    assert driver.poll() is None, driver.stderr.read().decode()[-2000:]
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    driver.stderr.close()
    before = {r["id"]: r["status"] for r in _records(out)}
    assert 2 <= len(before) < 5  # killed mid-run

    summary = distributed.translate_corpus([seeds_copy], out, options, RayOptions(workers=1))
    assert summary.failed == []
    assert summary.skipped == len(before) and summary.ok == 5 - len(before)  # nothing twice, nothing lost
    latest = _latest(out)
    assert sorted(latest) == sorted(_latest(tmp_path / "one"))
    assert {r["status"] for r in latest.values()} <= {"ok", "skipped"}
    assert _tree(out) == _tree(tmp_path / "one")


def _rows(n: int = 3) -> list[dict]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))[:n]]
    return [{"id": f"a{i}", "text": text, "source_name": f"feed {i}"} for i, text in enumerate(texts)]


def test_translate_dataset_from_jsonl_matches_the_file_job(local_ray, tiny_marian, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows()), encoding="utf-8")
    translate_corpus([feed], tmp_path / "one", _options(tiny_marian))
    expected = {r["id"].split("#")[-1]: r  # the file job's ids are feed#<id>
                for r in map(json.loads, (tmp_path / "one" / "feed.en.jsonl").read_text().splitlines())}

    rows = translate_dataset(local_ray.data.read_json(str(feed)), _options(tiny_marian)).take_all()
    assert sorted(r["id"] for r in rows) == ["a0", "a1", "a2"]
    for row in rows:
        assert row["error"] is None
        assert row["translation"] == expected[row["id"]]["translation"]
        assert row["source_name"] == expected[row["id"]]["source_name"]  # other columns pass through
        assert row["glossary_matched"] > 0 and row["glossary_missed"] == 0


def test_translate_dataset_from_parquet(local_ray, tiny_marian, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _rows(2) + [{"id": "empty", "text": "   ", "source_name": "feed x"}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "feed.parquet")
    out = translate_dataset(local_ray.data.read_parquet(str(tmp_path / "feed.parquet")),
                            _options(tiny_marian)).take_all()
    by_id = {r["id"]: r for r in out}
    assert set(by_id) == {"a0", "a1", "empty"}
    assert by_id["a0"]["translation"] and by_id["a1"]["translation"] and by_id["a0"]["sentences"] > 0
    assert by_id["empty"]["translation"] is None and "empty" in by_id["empty"]["error"]  # one bad row, not a failed run


def test_auto_glossary_counts_merge_into_the_whole_corpus():
    """--auto-glossary on Ray: counts and occurrences per chunk, merged, are the single-machine ones."""
    from mt.glossary.draft import _occurrences, corpus_counts, occurrences, text_sentences

    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    whole, lower, capmid = _occurrences(texts)
    chunks = [texts[:2], texts[2:]]
    counts = corpus_counts(text_sentences(chunks[0])).merge(corpus_counts(text_sentences(chunks[1])))
    assert (counts.lower, counts.capmid) == (lower, capmid)
    found = [o for chunk in chunks for o in occurrences(text_sentences(chunk), counts)]
    assert found == whole and len(found) > 100


def test_the_workers_get_where_models_and_stores_are_never_secrets():
    from mt.distributed.cluster import forwarded_env

    env = {"MT_MODELS_DIR": "/data/models", "HF_HOME": "/data/hf", "HF_TOKEN": "hf_x", "AWS_ENDPOINT_URL": "http://s3",
           "AWS_REGION": "eu-central-1", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ACCESS_KEY_ID": "k", "MT_API_KEY": "x",
           "HOME": "/root", "CT2_VERBOSE": "1"}
    assert forwarded_env(env) == {"MT_MODELS_DIR": "/data/models", "HF_HOME": "/data/hf",
                                  "AWS_ENDPOINT_URL": "http://s3", "AWS_REGION": "eu-central-1", "CT2_VERBOSE": "1"}
