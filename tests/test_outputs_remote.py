"""OUT on a bucket (mt.outputs.remote), written to a local stand-in for S3 on 127.0.0.1."""
import json
import os
import socket
import time

import pytest
from click.testing import CliRunner

from mt.cli import main
from mt.errors import EXIT_LOCKED
from mt.inputs.remote import filesystem
from mt.outputs import remote
from tests.conftest import ROOT
from tests.fake_s3 import fake_s3, upload

GLOSSARY = ROOT / "seeds" / "glossary.tsv"


@pytest.fixture()
def s3(tmp_path, monkeypatch):
    monkeypatch.setenv("MT_MIRROR_DIR", str(tmp_path / "mirrors"))
    with fake_s3() as endpoint:
        filesystem.cache_clear()
        yield endpoint
    filesystem.cache_clear()
    remote._MIRRORS.clear()


def _objects(prefix: str) -> dict[str, bytes]:
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    bucket, _, key = prefix.removeprefix("s3://").partition("/")
    found = {}
    for item in client.list_objects_v2(Bucket=bucket, Prefix=key + "/").get("Contents", []):
        if item["Key"].endswith("/"):  # a folder marker (pyarrow keeps .mt/ once its lock is deleted)
            continue
        found[item["Key"][len(key) + 1:]] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return found


def _tree(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".mt" not in p.relative_to(out).parts}


def _translate(*args):
    return CliRunner().invoke(main, ["translate", *map(str, args), "--engine", "ct2", "-g", str(GLOSSARY), "--json"])


def test_mt_translate_into_a_bucket_writes_what_a_folder_gets(s3, tiny_marian, seeds_copy, tmp_path):
    upload(seeds_copy, "news", "keep")  # makes the bucket
    local = _translate(seeds_copy, "-o", tmp_path / "local", "-m", tiny_marian)
    result = _translate(seeds_copy, "-o", "s3://news/out/2024", "-m", tiny_marian)
    assert local.exit_code == result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["ok"] == 5 and summary["out"] == "s3://news/out/2024"
    stored, folder = _objects("s3://news/out/2024"), _tree(tmp_path / "local")
    assert ".mt/lock.json" not in stored  # the run's lock is gone with the run
    english = {k: v for k, v in folder.items() if k.endswith(".en.txt")}
    assert len(english) == 5 and {k: stored[k] for k in english} == english
    assert set(stored) == set(folder)  # every output, and the manifest
    lines = [json.loads(line) for line in stored["manifest.jsonl"].decode().splitlines()]
    assert [r["status"] for r in lines] == ["ok"] * 5


def test_another_machine_resumes_from_what_the_bucket_holds(s3, tiny_marian, seeds_copy, tmp_path, monkeypatch):
    upload(seeds_copy, "news", "keep")
    assert _translate(seeds_copy, "-o", "s3://news/out", "-m", tiny_marian).exit_code == 0
    monkeypatch.setenv("MT_MIRROR_DIR", str(tmp_path / "elsewhere"))  # an empty mirror, as on a new machine
    remote._MIRRORS.clear()
    again = _translate(seeds_copy, "-o", "s3://news/out", "-m", tiny_marian)
    assert again.exit_code == 0 and json.loads(again.output)["skipped"] == 5
    # an output deleted from the bucket is made again, and only that one
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    name = sorted(k for k in _objects("s3://news/out") if k.endswith(".en.txt"))[0]
    client.delete_object(Bucket="news", Key=f"out/{name}")
    third = _translate(seeds_copy, "-o", "s3://news/out", "-m", tiny_marian)
    assert (json.loads(third.output)["ok"], json.loads(third.output)["skipped"]) == (1, 4)
    assert name in _objects("s3://news/out")


def test_a_run_elsewhere_holding_the_bucket_is_refused(s3, tiny_marian, seeds_copy):
    import boto3

    upload(seeds_copy, "news", "keep")
    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    held = {"host": "other-" + socket.gethostname(), "pid": 4242, "since": "2026-12-01T10:00:00Z"}
    client.put_object(Bucket="news", Key="out/.mt/lock.json", Body=json.dumps(held).encode())
    result = _translate(seeds_copy, "-o", "s3://news/out", "-m", tiny_marian)
    assert result.exit_code == EXIT_LOCKED
    assert "another mt run (host other-" in result.output and "remove s3://news/out/.mt/lock.json" in result.output
    assert not any(k.endswith(".en.txt") for k in _objects("s3://news/out")), _objects("s3://news/out").keys()


def test_a_lock_left_by_a_dead_run_on_this_machine_is_taken_over(s3, tiny_marian, seeds_copy):
    import boto3

    upload(seeds_copy, "news", "keep")
    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    dead = {"host": socket.gethostname(), "pid": 2 ** 22 + 17, "since": "2026-12-01T10:00:00Z"}  # no such pid
    client.put_object(Bucket="news", Key="out/.mt/lock.json", Body=json.dumps(dead).encode())
    assert _translate(seeds_copy, "-o", "s3://news/out", "-m", tiny_marian).exit_code == 0


def test_the_mirror_follows_the_bucket(s3, tmp_path):
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    client.create_bucket(Bucket="mirror")
    client.put_object(Bucket="mirror", Key="out/a.en.txt", Body=b"A\n")
    mirror = remote.attach("s3://mirror/out")
    remote.remote_of(mirror).pull()
    assert (mirror / "a.en.txt").read_bytes() == b"A\n"
    (mirror / "stale.en.txt").write_text("not in the bucket")
    time.sleep(1.1)  # a new modification time, to the store's second
    client.put_object(Bucket="mirror", Key="out/a.en.txt", Body=b"B\n")  # the same size, other bytes
    client.put_object(Bucket="mirror", Key="out/../../escape.txt", Body=b"x")
    remote.remote_of(mirror).pull()
    assert (mirror / "a.en.txt").read_bytes() == b"B\n" and not (mirror / "stale.en.txt").exists()
    assert not (mirror.parent.parent / "escape.txt").exists() and not (mirror.parent / "escape.txt").exists()
    assert remote.shown(mirror) == "s3://mirror/out" and remote.shown(tmp_path) == str(tmp_path)


def test_mt_brief_into_a_bucket(s3, tiny_models, seeds_copy):
    upload(seeds_copy, "news", "keep")
    result = CliRunner().invoke(main, ["brief", str(seeds_copy), "-o", "s3://news/briefs", "-m",
                                       str(tiny_models["marian"]), "--sum-model", str(tiny_models["bart"]),
                                       "-g", str(GLOSSARY), "--max-words", "20", "--min-words", "5", "--json"])
    assert result.exit_code == 0, result.output
    stored = _objects("s3://news/briefs")
    assert sum(k.endswith(".brief.md") for k in stored) == 5 and "briefs.md" in stored
    assert sum(k.endswith(".summary.en.txt") for k in stored) == 5
    stages = [json.loads(line)["stage"] for line in stored["manifest.jsonl"].decode().splitlines()]
    assert stages.count("translate") == stages.count("summarize") == stages.count("brief") == 5


def test_a_lock_that_cannot_be_parsed_is_taken_as_held(s3, tiny_marian, seeds_copy):
    import boto3

    upload(seeds_copy, "news", "keep")
    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    client.put_object(Bucket="news", Key="out/.mt/lock.json", Body=b"")  # a run died while writing it
    result = _translate(seeds_copy, "-o", "s3://news/out", "-m", tiny_marian)
    assert result.exit_code == EXIT_LOCKED and "remove s3://news/out/.mt/lock.json" in result.output


def test_a_failed_manifest_upload_mid_run_does_not_stop_the_batch(s3, tiny_marian, seeds_copy, monkeypatch):
    upload(seeds_copy, "news", "keep")
    real = remote.RemoteOut.push_manifest
    calls = []

    def flaky(self, force=False):
        calls.append(force)
        if not force:
            raise remote.OutputError("cannot write s3://news/out/manifest.jsonl: connection reset")
        return real(self, force)

    monkeypatch.setattr(remote.RemoteOut, "push_manifest", flaky)
    result = _translate(seeds_copy, "-o", "s3://news/out", "-m", tiny_marian)
    assert result.exit_code == 0 and json.loads(result.output)["ok"] == 5
    assert False in calls and calls[-1] is True  # failed during the run, uploaded whole at its end
    lines = _objects("s3://news/out")["manifest.jsonl"].decode().splitlines()
    assert [json.loads(line)["status"] for line in lines] == ["ok"] * 5
