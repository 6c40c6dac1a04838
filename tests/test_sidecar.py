"""The index beside a log (``LOG.kmidx``): used when it still describes the log, followed
when the log grew, rebuilt when it is stale, damaged, foreign or of another format, and
never required. What a load did is read from ``Timeline.load_stats`` (events folded)."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
from logs_support import logs_policy
from support import ACCT, ALLOW_ALL, REGION, START

from events.logfile import LogReader
from events.logindex import FileEvents
from projections.store import sidecar
from projections.store.itemsat import ItemsAt
from sim import loading
from sim.loading import load_timeline
from sim.simulator import SidecarNote, Simulator

N_PUTS = 30


@pytest.fixture(autouse=True)
def small_logs_get_an_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sidecar, "MIN_EVENTS", 0)
    monkeypatch.setattr(loading, "_SAID", set())


def put(sim: Simulator, i: int, group: str = "app", word: str = "message") -> None:
    r = sim.call("logs:PutLogEvents", {"logGroupName": group, "logStreamName": "s",
                                       "logEvents": [{"message": f"{word} {i:04d}"}]},
                 at=f"+{10 + i}s")
    assert r.ok, r.event.out


def make_log(path: Path, puts: int = N_PUTS, word: str = "message") -> str:
    sim = Simulator(start=START, account=ACCT, region=REGION, log=path,
                    default_principal="admin")
    sim.principal("admin", policy=ALLOW_ALL, at="+0s")
    key = sim.call("kms:CreateKey", {"Policy": logs_policy()}, at="+0s").get("KeyMetadata.Arn")
    for group in ("app", "web"):
        assert sim.call("logs:CreateLogGroup", {"logGroupName": group, "kmsKeyId": key},
                        at="+1s").ok
        assert sim.call("logs:CreateLogStream", {"logGroupName": group, "logStreamName": "s"},
                        at="+1s").ok
    for i in range(puts):
        put(sim, i, "app" if i % 3 else "web", word)
    sim.close()
    return str(path)


def answers(path: str) -> tuple:
    tl = load_timeline(path).timeline
    mid = tl.world_at(tl.times[len(tl.times) // 2])
    return (len(tl.times), sorted(tl.live.items), sorted(mid.items),
            {a: x.state for a, x in tl.live.associations.items()})


def frames(path: str) -> list[int]:
    with LogReader(path) as r:
        return [off for off, _ in r.iter_with_offsets()]


def test_a_second_load_reads_the_index_and_folds_nothing(tmp_path: Path) -> None:
    log = make_log(tmp_path / "a.kmlog")
    first = load_timeline(log).timeline
    n = len(first.times)
    assert first.load_stats == {"index": "built", "folded": n}
    assert os.path.exists(log + ".kmidx")
    second = load_timeline(log).timeline
    assert second.load_stats == {"index": "used", "folded": 0}
    assert isinstance(second.events, FileEvents) and len(second.events) == n
    assert answers(log) == answers(log)
    # The restored timeline answers as the folded one: every moment, items and states.
    for k in (0, 5, n // 2, n):
        a, b = first.world_after(k), second.world_after(k)
        assert sorted(a.items) == sorted(b.items)
        assert {s: k.state for s, k in a.keys.items()} == {s: k.state for s, k in b.keys.items()}
    assert second.events[n - 1] == first.events[n - 1]


def test_a_log_that_grew_is_followed_not_reloaded(tmp_path: Path) -> None:
    log = make_log(tmp_path / "a.kmlog")
    n = len(load_timeline(log).timeline.times)
    sim = Simulator.resume(log)
    assert sim.timeline.load_stats == {"index": "used", "folded": 0}
    for i in range(N_PUTS, N_PUTS + 3):
        put(sim, i)
    sim.close()
    grown = load_timeline(log).timeline
    assert grown.load_stats == {"index": "followed", "folded": 3}
    assert len(grown.times) == n + 3 and grown.events[n + 2].seq == n + 3
    assert load_timeline(log).timeline.load_stats == {"index": "used", "folded": 0}


def rewrite_frame(path: str, index: int, old: bytes, new: bytes) -> None:
    """Change a frame's payload in place (same length, its checksum fixed): a log
    rewritten to the same length that every frame check still accepts."""
    assert len(old) == len(new)
    off = frames(path)[index]
    data = bytearray(Path(path).read_bytes())
    (length,) = struct.unpack_from("<I", data, off)
    payload = bytes(data[off + 8:off + 8 + length])
    assert old in payload
    payload = payload.replace(old, new)
    struct.pack_into("<II", data, off, length, zlib.crc32(payload))
    data[off + 8:off + 8 + length] = payload
    st = os.stat(path)
    Path(path).write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # even the mtime is put back


def test_a_log_rewritten_to_the_same_length_is_not_trusted(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    # Only the very first and last bytes are compared cheaply: the middle needs the CRC.
    monkeypatch.setattr(sidecar, "EDGE", 16)
    log = make_log(tmp_path / "a.kmlog")
    before = load_timeline(log).timeline
    n = len(before.times)
    size = os.path.getsize(log)
    middle = n // 2
    assert before.events[middle - 1].req.get("logGroupName") == "app"
    rewrite_frame(log, middle - 1, b"message 0", b"massage 0")
    assert os.path.getsize(log) == size
    again = load_timeline(log).timeline
    assert again.load_stats == {"index": "built", "folded": n}
    assert again.events[middle - 1].req["logEvents"][0]["message"].startswith("massage")


def test_a_cut_log_is_not_trusted(tmp_path: Path) -> None:
    log = make_log(tmp_path / "a.kmlog")
    n = len(load_timeline(log).timeline.times)
    os.truncate(log, frames(log)[-1])  # the last event cut away, at a frame boundary
    cut = load_timeline(log).timeline
    assert cut.load_stats == {"index": "built", "folded": n - 1}
    assert len(cut.times) == n - 1


def test_a_replaced_log_is_not_trusted_unless_it_starts_with_the_same_bytes(
        tmp_path: Path) -> None:
    log = make_log(tmp_path / "a.kmlog")
    n = len(load_timeline(log).timeline.times)
    # The same calls again, and more: the same bytes then more, so it is followed.
    os.replace(make_log(tmp_path / "b.kmlog", puts=N_PUTS + 5), log)
    assert load_timeline(log).timeline.load_stats == {"index": "followed", "folded": 5}
    # Other calls, longer: the covered bytes differ, so it is folded from the start.
    os.replace(make_log(tmp_path / "c.kmlog", puts=N_PUTS + 9, word="massage"), log)
    assert load_timeline(log).timeline.load_stats == {"index": "built", "folded": n + 9}


@pytest.mark.parametrize("damage", ["garbage", "cut", "empty"])
def test_a_damaged_index_is_ignored_with_a_note_and_rewritten(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str) -> None:
    log = make_log(tmp_path / "a.kmlog")
    n = len(load_timeline(log).timeline.times)
    idx = Path(log + ".kmidx")
    blob = idx.read_bytes()
    idx.write_bytes({"garbage": b"\x00not an index" * 50, "cut": blob[:len(blob) - 40],
                     "empty": b""}[damage])
    capsys.readouterr()
    assert load_timeline(log).timeline.load_stats == {"index": "built", "folded": n}
    err = capsys.readouterr().err
    assert "a.kmlog.kmidx: damaged" in err and "rebuilding it" in err
    assert load_timeline(log).timeline.load_stats == {"index": "used", "folded": 0}


def test_another_format_version_is_rebuilt_quietly(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    log = make_log(tmp_path / "a.kmlog")
    monkeypatch.setattr(sidecar, "FORMAT", sidecar.FORMAT + 1)
    load_timeline(log)  # written as the "next" format
    monkeypatch.undo()
    monkeypatch.setattr(sidecar, "MIN_EVENTS", 0)
    capsys.readouterr()
    assert load_timeline(log).timeline.load_stats["index"] == "built"
    assert capsys.readouterr().err == ""


def test_an_index_others_can_write_is_not_unpickled(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    log = make_log(tmp_path / "a.kmlog")
    load_timeline(log)
    os.chmod(log + ".kmidx", 0o666)
    assert load_timeline(log).timeline.load_stats["index"] == "built"
    assert "not trusted" in capsys.readouterr().err


def test_an_index_that_cannot_be_written_is_said_once_and_not_needed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    log = make_log(tmp_path / "a.kmlog")

    def read_only(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sidecar.tempfile, "mkstemp", read_only)
    first, second = load_timeline(log).timeline, load_timeline(log).timeline
    assert first.load_stats["index"] == second.load_stats["index"] == "built"
    err = capsys.readouterr().err
    assert err.count("cannot write the index") == 1 and "Permission denied" in err
    assert not os.path.exists(log + ".kmidx")


def test_ctrl_c_while_the_index_is_written_leaves_no_part_of_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = make_log(tmp_path / "a.kmlog")

    def interrupted(obj: object, file: object) -> None:
        file.write(b"half")  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    real = sidecar.write_sidecar
    monkeypatch.setattr(sidecar, "write_sidecar",
                        lambda log, stamp, state, dump=None: real(log, stamp, state,
                                                                  interrupted))
    with pytest.raises(KeyboardInterrupt):
        load_timeline(log)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.kmlog"]


def test_other_code_or_settings_rebuild_the_index(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    log = make_log(tmp_path / "a.kmlog")
    load_timeline(log)
    monkeypatch.setattr(sidecar, "code_fingerprint", lambda: "another")
    assert load_timeline(log).timeline.load_stats["index"] == "built"


def test_a_checkpoints_items_read_in_one_pass_are_its_items(tmp_path: Path) -> None:
    log = make_log(tmp_path / "a.kmlog", puts=60)
    tl = load_timeline(log).timeline
    for k in range(0, len(tl.times) + 1, 7):
        world = tl.world_after(k)
        items = world.items
        assert isinstance(items, ItemsAt)
        fast = [(i.seq, i.resource, i.keys, i.gone) for i in items.peek_values()]
        slow = [(s, items[s].resource, items[s].keys, items[s].gone) for s in items]
        assert fast == slow


def test_a_simulator_with_a_log_keeps_events_in_the_file(tmp_path: Path) -> None:
    sim = Simulator(start=START, account=ACCT, region=REGION, log=tmp_path / "s.kmlog",
                    default_principal="admin")
    sim.principal("admin", policy=ALLOW_ALL, at="+0s")
    made = [sim.call("kms:CreateKey", {}, at=f"+{i}s").event for i in range(5)]
    assert isinstance(sim.events, FileEvents)
    assert list(sim.events[1:]) == made and sim.events[-1] == made[-1]
    assert sim.key_state(made[0].res["KeyMetadata"]["Arn"], at="+0s") == "Enabled"
    sim.close()


def test_resume_notes_a_damaged_index_as_a_warning(tmp_path: Path) -> None:
    log = make_log(tmp_path / "a.kmlog")
    load_timeline(log)
    Path(log + ".kmidx").write_bytes(b"KMSIMIX1junk")
    with pytest.warns(SidecarNote, match="damaged"):
        sim = Simulator.resume(log)
    sim.close()
