"""``kmsim timeline``: a self-contained HTML page, rendered in headless Chromium.

The Chromium tests skip only when no chromium binary is found (CI installs the Debian
package: ``apt-get install -y chromium``).
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from debug_fake import build_fake_log

from sim.cli import main
from sim.loading import load_timeline
from sim.timeline_html import TimelinePage, write_timeline

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = str(ROOT / "scenarios" / "quickstart.toml")
CHROMIUM = next((p for p in (shutil.which(n) for n in (
    "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) if p), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary found "
                                    "(apt-get install -y chromium)")


def _page(tmp_path: Path) -> Path:
    loaded = load_timeline(str(build_fake_log(tmp_path / "fake.kmlog")))
    return write_timeline(loaded, tmp_path / "fake.html", principal="reader")


def _data(html: str) -> dict:
    m = re.search(r"const D = (\{.*?\});\n", html, re.S)
    assert m, "the page embeds its answers as JSON"
    return json.loads(m.group(1))


def test_cli_writes_a_self_contained_page(tmp_path: Path, capsys) -> None:
    out = tmp_path / "q.html"
    assert main(["timeline", QUICKSTART, "-o", str(out), "--at", "+5m"]) == 0
    assert "wrote" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<link" not in html and "@import" not in html and "url(http" not in html
    assert "<svg" in html and "<script>" in html
    data = _data(html)
    assert data["moments"][data["initial"]]["off"] == "+5m"
    assert "PendingDeletion" in html and "R-KMS-10" in html  # a band's tooltip: the timer


def test_statuses_are_precomputed_per_moment(tmp_path: Path) -> None:
    data = _data(_page(tmp_path).read_text(encoding="utf-8"))
    labels = [i["label"] for i in data["items"]]
    after = labels.index("after")
    by_off = {m["off"]: m for m in data["moments"]}
    assert {"+2m", "+7m"} <= set(by_off)  # the window's boundaries are moments
    assert by_off["+3m"]["st"][after] == "future"
    assert by_off["+8m"]["st"][after] == "yes"
    assert by_off["+10m"]["st"][after] == "no"
    assert by_off["+10m"]["st"][labels.index("inside")] == "maybe"


def test_a_bad_moment_or_principal_is_an_input_error(tmp_path: Path, capsys) -> None:
    assert main(["timeline", QUICKSTART, "-o", str(tmp_path / "x.html"), "--as", "nobody"]) == 2
    assert "unknown principal 'nobody'" in capsys.readouterr().err
    loaded = load_timeline(QUICKSTART)
    with pytest.raises(Exception, match="bad"):
        TimelinePage(loaded, at="+soon")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--run-all-compositor-stages-before-draw", "--window-size=1400,900", *args],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)


def _png_pixels(png: bytes) -> bytes:
    """The decompressed image data of a PNG (stdlib only)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return zlib.decompress(idat)


@needs_chromium
def test_screenshot_in_headless_chromium(tmp_path: Path) -> None:
    page = _page(tmp_path)
    shot = tmp_path / "shot.png"
    result = _chromium(tmp_path, f"--screenshot={shot}", page.resolve().as_uri())
    assert shot.exists(), result.stderr[-2000:]
    data = shot.read_bytes()
    assert len(data) > 20_000
    pixels = _png_pixels(data)
    assert len(set(pixels)) > 50  # many colours: lanes, bands, marks, text
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1400, 900)


@needs_chromium
def test_the_url_hash_moves_the_slider(tmp_path: Path) -> None:
    page = _page(tmp_path)
    html = page.read_text(encoding="utf-8")
    seq = next(i["id"] for i in _data(html)["items"] if i["label"] == "after")

    def mark_class(hash_: str) -> str:
        dom = _chromium(tmp_path, "--dump-dom", page.resolve().as_uri() + hash_).stdout
        m = re.search(rf'<circle id="{seq}" class="([^"]+)"', dom)
        assert m, dom[:500]
        return m.group(1)

    assert mark_class("#t=+9m") == "mark st-yes"
    assert mark_class("#t=+11m") == "mark st-no"      # the key was disabled at +10m
    assert mark_class("#t=2026-01-01T00:05:00Z") == "mark st-future"
