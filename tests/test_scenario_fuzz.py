"""A bounded scenario fuzz (issue 8): mutated scenario files never crash ``kmsim run``.

Every file in ``scenarios/`` is mutated (lines deleted, duplicated, garbled or truncated;
values of the wrong type, huge or negative numbers, random unicode, bad times, unknown
keys and argument names, ``@file`` references to odd paths, bytes that are not UTF-8)
and run in-process. Exit 0, 1 or 2 only: never 70 (an internal error) and never an
uncaught exception; an exit-2 message names the file, and its line when it has one.

The default run takes a few seconds; ``KMSIM_FUZZ_N=5000`` runs more mutants and
``KMSIM_FUZZ_SEED`` picks another sequence.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import shutil
import signal
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

import sim.cli
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "scenarios").glob("*.toml"))
COUNT = int(os.environ.get("KMSIM_FUZZ_N", "1000"))
SEED = int(os.environ.get("KMSIM_FUZZ_SEED", "8"))
#: A mutant that runs longer than this has hung (a FIFO opened, /dev/zero read...).
HANG_SECONDS = 10

NUMBERS = ["0", "-1", "1", "7", "-7", "10", "100000", str(10**30), str(-10**30), str(2**63),
           str(2**63 - 1), str(-2**63), str(-2**63 - 1), "1e308", "-1e308", "inf", "-inf",
           "nan", "0.5", "1767225600", "1767225600000", str(10**16)]
TIMES = ['"+0s"', '"+99999999d"', '"+1000000000000d"', '"9999-12-31T23:59:59Z"',
         '"9999-12-31T23:59:59.999Z"', '"1969-12-31T23:59:59Z"', '"0000-01-01T00:00:00Z"',
         '"0001-01-01T00:00:00Z"', '"1970-01-01T00:00:00Z"', '"2026-02-30T00:00:00Z"',
         '"#0"', '"#1"', '"#3"', '"#99999999999999999999"', '"+-5m"', '"+5x"', '"+"', '""',
         "9999-12-31T23:59:59Z", "2026-01-01", "12:00:00", "2026-01-01T00:00:00",
         '"2026-01-01T00:00:00+14:00"', '"9999-12-31T23:59:59-14:00"']
FILES = ['"@/dev/zero"', '"@/dev/null"', '"@/dev/stdin"', '"@/etc/passwd"', '"@../x.json"',
         '"@policies"', '"@fifo"', '"@binary.json"', '"@latin1.json"', '"@nul.json"',
         '"@big.json"', '"@outside-link"', '"@dir-link/x"', '"@"', '"@@literal"',
         '"@policies/../policies/logs-and-cloudwatch.json"', '"@policies/missing.json"',
         '"@policies/logs-and-cloudwatch.json"', '"@/"', '"@\\u0000"', '"@~/x"',
         '"@' + "a" * 300 + '"']
OTHER = ['"x"', '""', "true", "false", "[]", "{}", "{ a = 1 }", "[{ a = 1 }]", '["a", 1]',
         '"${k1}"', '"${nope}"', '"${"', '"alias/app"', '"Enabled"', '"yes"', '"kms:EnableKey"',
         '"sim:SetKeyUnavailable"', '"arn:aws:kms:us-east-1:111122223333:key/x"',
         '"\U0001f511\u202e\u0301"', "'''\n'''", '"\\ud800"']
KEYS = ["bogus", "PendingWindowDays", "KeyID", "keyId", "logEvent", "messages", "Policys",
        "args", "at", "call", "save", "label", "expect", "region", "as", "name", "start",
        "\u00e9", '"a b"', '"a.b"']


def _fixtures(folder: Path) -> None:
    """Odd files for @file references, beside the copied scenarios."""
    shutil.copytree(ROOT / "scenarios" / "policies", folder / "policies")
    os.mkfifo(folder / "fifo")
    (folder / "binary.json").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "latin1.json").write_bytes('{"Version": "\u00e9"}'.encode("latin-1"))
    (folder / "nul.json").write_bytes(b'{"Version":\x00 "2012-10-17"}')
    (folder / "big.json").write_bytes(b" " * (2 << 20))
    (folder / "outside-link").symlink_to("/etc/hostname")
    (folder / "dir-link").symlink_to("/etc")


def _random_text(rng: random.Random) -> str:
    alphabet = 'ab=[]{}"\'#@$.,+-:\\ \t\u00e9\u0301\u202e\U0001f511\x7f\u2028\x85\r'
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def _value(rng: random.Random) -> str:
    pool = rng.choice([NUMBERS, TIMES, FILES, OTHER, OTHER])
    return rng.choice(pool) if rng.random() < 0.9 else _random_text(rng)


def _mutate_line(rng: random.Random, line: str) -> str:
    key, eq, rest = line.partition("=")
    how = rng.choices(range(6), weights=[25, 15, 35, 10, 10, 5])[0]
    if how == 0 and eq:
        return f"{key}= {_value(rng)}"
    if how == 1 and "{" in rest:
        # an unknown or misspelled name inside an inline table (args, save, checks)
        inner = rest.index("{") + 1
        name = rng.choice(KEYS)
        return f"{key}={rest[:inner]} {name} = {_value(rng)},{rest[inner:]}"
    if how in (1, 2) and "=" in rest:
        # a value inside an inline table
        parts = rest.split("=")
        i = rng.randrange(1, len(parts))
        tail = parts[i].lstrip()
        cut = min((tail.find(c) for c in ",}]" if c in tail), default=len(tail))
        parts[i] = f" {_value(rng)}{tail[cut:]}"
        return f"{key}={'='.join(parts)}"
    if how == 3 and eq:
        return f"{rng.choice(KEYS)} ={rest}"
    if how == 4 and line:
        i = rng.randrange(len(line))
        return line[:i] + _random_text(rng) + line[i + rng.randint(0, 3):]
    if eq:
        return f"{key}= {_value(rng)}"
    return _random_text(rng)


def mutate(rng: random.Random, text: str) -> bytes:
    """One mutant of a scenario file, as bytes (some are not UTF-8 on purpose)."""
    lines = text.splitlines()
    for _ in range(rng.choices([1, 2, 3, 4], weights=[60, 25, 10, 5])[0]):
        values = [i for i, s in enumerate(lines) if "=" in s and not s.lstrip().startswith("#")]
        if not values:
            break
        i = rng.choice(values) if rng.random() < 0.85 else rng.randrange(len(lines))
        how = rng.randrange(20)
        if how == 0:
            del lines[i]
        elif how == 1:
            lines.insert(i, lines[i])
        elif how == 2:
            lines.insert(i, f"{rng.choice(KEYS)} = {_value(rng)}")
        else:
            lines[i] = _mutate_line(rng, lines[i])
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    roll = rng.random()
    if roll < 0.03:
        data = data[:rng.randrange(len(data) + 1)]  # an error at the end of the document
    elif roll < 0.05:
        i = rng.randrange(len(data) + 1)
        data = data[:i] + rng.choice([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80"]) + data[i:]
    return data


def _cases(count: int, seed: int) -> Iterator[tuple[int, str, bytes]]:
    rng = random.Random(seed)
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in SOURCES]
    for n in range(count):
        name, text = texts[n % len(texts)]
        yield n, name, mutate(rng, text)


def _run(argv: list[str]) -> tuple[int, str, str]:
    def hung(*_: object) -> None:
        raise TimeoutError(f"kmsim run took more than {HANG_SECONDS}s (a hang?)")

    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return code, out.getvalue(), err.getvalue()


#: Input errors that have no line to name: about the file as a whole.
NO_LINE = re.compile(r"cannot read scenario|nested too deeply")


@pytest.fixture
def one_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build the argument parser once: building it is most of an in-process run's time."""
    parser = sim.cli.build_parser()
    monkeypatch.setattr(sim.cli, "build_parser", lambda only=None: parser)


def test_fuzzed_scenarios_exit_0_1_or_2(tmp_path: Path, one_parser: None) -> None:
    _fixtures(tmp_path)
    codes = {0: 0, 1: 0, 2: 0}
    for n, source, data in _cases(COUNT, SEED):
        path = tmp_path / f"m{n}-{source}"
        path.write_bytes(data)
        flags = random.Random(n).choice([[], ["--json"], ["-q"], ["--log", str(tmp_path / "l")]])
        where = f"mutant {n} of {source} ({path}):\n{data.decode('utf-8', 'replace')}\n"
        try:
            code, out, err = _run(["run", *flags, str(path)])
        except Exception:  # main must never raise: fail with the mutant that made it
            pytest.fail(where + traceback.format_exc())
        where += err
        assert code in codes, where
        assert "Traceback" not in out + err, where
        codes[code] += 1
        if code == 2:
            errors = [e for e in err.splitlines() if e.startswith("kmsim: error: ")]
            assert errors, where
            for line in errors:
                m = re.match(rf"kmsim: error: {re.escape(str(path))}(:\d+)?: (.*)", line)
                assert m, where
                assert m.group(1) or NO_LINE.search(m.group(2)), where
        path.unlink()
    # the mutants exercise every outcome, not only the parser
    assert all(codes.values()), codes


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_every_scenario_survives_truncation(source: Path, tmp_path: Path,
                                            one_parser: None) -> None:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / source.name
    for n in range(0, len(lines), max(1, len(lines) // 8)):
        path.write_text("".join(lines[:n]) + lines[n][: len(lines[n]) // 2], encoding="utf-8")
        code, out, err = _run(["run", "-q", str(path)])
        assert code in (0, 1, 2), err
        assert "Traceback" not in out + err, err
