"""The review page in headless Chromium: the DOM after load, no script from content, a non-blank screenshot.

Chromium comes from Debian's `chromium` package. When it is missing and the tests
run as root (CI: `bash .ci/run` on a fresh machine) the session installs it with
`apt-get update && apt-get install -y chromium`; otherwise these tests are skipped
with the reason.
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from mt.review.page import write_report
from tests.review_helpers import (
    GLOSSARY,
    HOSTILE_ID,
    assert_counts_match_manifest,
    parse,
    records,
    report_out,  # noqa: F401 - report_out is a fixture
)

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars")


def _find() -> str | None:
    return shutil.which("chromium") or next((p for p in ("/usr/bin/chromium",) if os.access(p, os.X_OK)), None)


@pytest.fixture(scope="session")
def chromium() -> str:
    found = _find()
    if found:
        return found
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("headless Chromium is not installed: run `apt-get install -y chromium` (Debian) as root, "
                    "or run the tests as root so they install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
            if done.returncode != 0:
                pytest.skip(f"installing Chromium failed ({' '.join(cmd)}): {done.stderr.strip()[-300:]}")
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"installing Chromium failed: {exc}")
    found = _find()
    if not found:
        pytest.skip("apt-get installed chromium, but no chromium binary was found")
    return found


def browse(chromium: str, tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_dom_counts_and_no_script_from_content(chromium, report_out, tmp_path):
    # control: the browser does run an inline script when the page has one, so its absence below means something
    control = tmp_path / "control.html"
    control.write_text("<!DOCTYPE html><title>before</title><script>document.title='RAN'</script>", encoding="utf-8")
    assert "<title>RAN</title>" in browse(chromium, tmp_path, control, "--dump-dom").stdout

    page_path = write_report(report_out, tmp_path / "report.html", [GLOSSARY])
    dom = browse(chromium, tmp_path, page_path, "--dump-dom").stdout
    page = parse(dom)
    assert page.title == "mt review: out"  # not PWNED
    assert "PWNED" in dom  # ...though the text is there, as text
    assert_counts_match_manifest(page, report_out)
    assert not [t for t, a in page.tags if t in ("img", "script") or a.get("id") == "injected"]
    assert page.docs[HOSTILE_ID]["uk"] == records(report_out)[HOSTILE_ID]["paragraphs"]


def _png_pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows) of an 8-bit RGB/RGBA PNG, unfiltered; no dependencies."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def test_screenshot_is_not_blank(chromium, report_out, tmp_path):
    page_path = write_report(report_out, tmp_path / "report.html", [GLOSSARY])
    shot = tmp_path / "shot.png"
    browse(chromium, tmp_path, page_path, f"--screenshot={shot}", "--window-size=1280,2000")
    width, height, bpp, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (1280, 2000)
    pixels = [row[i:i + 3] for row in rows[::4] for i in range(0, len(row), bpp * 4)]
    colours = set(pixels)
    non_white = sum(p != b"\xff\xff\xff" for p in pixels) / len(pixels)
    assert len(colours) > 50 and non_white > 0.03, (len(colours), non_white)
    assert bytes((0xff, 0xf0, 0xa8)) in colours or bytes((0xff, 0xd9, 0xb0)) in colours  # highlights drawn
