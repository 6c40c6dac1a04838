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


def _offsets(data: dict) -> dict[str, int]:
    """Moment offset (``+5m``) -> moment index."""
    return {m[3]: i for i, m in enumerate(data["moments"])}


def _item_status(data: dict, label: str, moment: int) -> str:
    """A tracked item's status at a moment, as the page's script reads it from its runs."""
    item = next(i for i in data["items"] if i[1] == label)
    answer = -1
    for at, ai in item[5]:
        if at <= moment:
            answer = ai
    return "future" if answer == -1 else data["answers"][answer][0]


def test_cli_writes_a_self_contained_page(tmp_path: Path, capsys) -> None:
    out = tmp_path / "q.html"
    assert main(["timeline", QUICKSTART, "-o", str(out), "--at", "+5m"]) == 0
    said = capsys.readouterr().out
    assert "wrote" in said and "opens at +5m (at #8)" in said
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<link" not in html and "@import" not in html and "url(http" not in html
    assert "<svg" in html and "<script>" in html
    data = _data(html)
    assert data["moments"][data["initial"]][3] == "+5m"
    assert "PendingDeletion" in html and "R-KMS-10" in html  # a band's tooltip: the timer


def test_at_between_events_is_answered_there_and_said(tmp_path: Path, capsys) -> None:
    """``--at`` never snaps: a time between two events is a moment of its own, named."""
    out = tmp_path / "q.html"
    assert main(["timeline", QUICKSTART, "-o", str(out), "--at", "+90s"]) == 0
    assert "opens at +1m30s (between #4 and #5)" in capsys.readouterr().out
    data = _data(out.read_text(encoding="utf-8"))
    t, n, _x, off, iso, desc = data["moments"][data["initial"]]
    assert (t - data["start"], n, off) == (90_000, 4, "+1m30s")
    assert iso == "2026-01-01T00:01:30Z" and desc == "+1m30s (between #4 and #5)"


def test_the_axis_shows_clock_time_and_offsets(tmp_path: Path) -> None:
    html = _page(tmp_path).read_text(encoding="utf-8")
    ticks = re.findall(r'<g class="axis-tick" data-tip="([^"]+)">.*?<text[^>]*>([^<]+)</text>'
                       r'<text class="off"[^>]*>([^<]+)</text>', html)
    assert ticks, "axis ticks with a clock time and an offset"
    iso, clock, _off = next(t for t in ticks if t[2] == "+10m")
    assert iso == "2026-01-01T00:10:00Z" and clock == "00:10:00"
    assert ticks[0][1] == "01-01 00:00:00"  # the date where it starts (and where it changes)


def test_statuses_are_precomputed_per_moment(tmp_path: Path) -> None:
    data = _data(_page(tmp_path).read_text(encoding="utf-8"))
    by_off = _offsets(data)
    assert {"+2m", "+7m"} <= set(by_off)  # the window's boundaries are moments
    assert _item_status(data, "after", by_off["+3m"]) == "future"
    assert _item_status(data, "after", by_off["+8m"]) == "yes"
    assert _item_status(data, "after", by_off["+10m"]) == "no"
    assert _item_status(data, "inside", by_off["+10m"]) == "maybe"


def test_events_and_associations_at_the_cursor(tmp_path: Path) -> None:
    data = _data(_page(tmp_path).read_text(encoding="utf-8"))
    assert data["eventsAll"] and [e[0] for e in data["events"]] == \
        list(range(1, data["eventCount"] + 1))
    assert any(e[4] == "kms:DisableKey" and e[1] == "+10m" for e in data["events"])
    at3 = [data["assocRows"][r] for r in data["assocAt"][_offsets(data)["+3m"]]]
    assert [(a[1], a[2]) for a in at3] == [("associating", "owned")]
    assert at3[0][3] == "-> alias/blobs in window +2m..+7m (takes effect: uncertain)"
    at8 = [data["assocRows"][r] for r in data["assocAt"][_offsets(data)["+8m"]]]
    assert [(a[1], a[2], a[3]) for a in at8] == [("associated", "alias/blobs", "")]


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
    seq = next(i[0] for i in _data(html)["items"] if i[1] == "after")

    def mark_class(hash_: str) -> str:
        dom = _chromium(tmp_path, "--dump-dom", page.resolve().as_uri() + hash_).stdout
        m = re.search(rf'<circle id="item-{seq}" class="([^"]+)"', dom)
        assert m, dom[:500]
        return m.group(1)

    assert mark_class("#t=+9m") == "mark st-yes"
    dom = _chromium(tmp_path, "--dump-dom", page.resolve().as_uri() + "#t=+9m").stdout
    assert "#t=+9m is not a moment of this page: showing +8m (at #11), the last moment at " \
           "or before it." in dom  # a snap is said, never silent
    assert mark_class("#t=+11m") == "mark st-no"      # the key was disabled at +10m
    assert mark_class("#t=2026-01-01T00:05:00Z") == "mark st-future"
