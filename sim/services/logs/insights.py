"""The part of the Logs Insights query language kmsim reads, and the result rows it builds.

A query is commands separated by ``|`` (a ``|`` inside quotes, backticks or a ``/regex/``
belongs to its command; lines starting with ``#`` are comments). kmsim reads:

- ``fields A, B as C`` and ``display A, B``: the fields a row shows (R-LOGS-58);
- ``filter @message like /REGEX/`` (or ``"text"``, ``'text'``), all of them together;
- ``limit N``.

Any other command (``sort``, ``stats``, ``parse``, ...) and any other filter is accepted and
ignored. Rows hold the asked-for fields that have a value, then ``@ptr`` (R-LOGS-57, R-LOGS-87);
which fields have a value is A-QUERY-FIELDS.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

_FILTER = re.compile(r"filter\s+@message\s+like\s+(?:/(?P<re>(?:[^/\\]|\\.)*)/|"
                     r"\"(?P<text>[^\"]*)\"|'(?P<text2>[^']*)')\s*$", re.IGNORECASE)
_LIMIT = re.compile(r"limit\s+(\d+)\s*$", re.IGNORECASE)
_AS = re.compile(r"\s+as\s+", re.IGNORECASE)
#: With neither ``fields`` nor ``display`` a query shows these (R-LOGS-58).
DEFAULT_FIELDS = (("@timestamp", "@timestamp"), ("@message", "@message"))


@dataclass(frozen=True)
class Query:
    """What kmsim reads of a query string."""

    matchers: tuple[Callable[[str], bool], ...]
    #: ``(field, name in the row)`` in the order asked for.
    shown: tuple[tuple[str, str], ...]
    limit: int | None

    def matches(self, message: str) -> bool:
        """Whether a log event with this message passes every filter kmsim reads."""
        return all(m(message) for m in self.matchers)


@dataclass(frozen=True)
class Record:
    """One log event as a query sees it."""

    seq: int          # the PutLogEvents event that stored it
    index: int        # its place in that request
    timestamp: int
    ingested: int
    message: str
    stream: str
    log: str          # ACCOUNT:LOG_GROUP_NAME


def _commands(query: str) -> list[str]:
    """The commands of a query, split at the ``|`` that separate them."""
    text = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    out, cur, quote = [], [], ""
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'`":
            quote = ch
        elif ch == "/" and re.search(r"(\blike|=~|[(,])\s*$", "".join(cur), re.IGNORECASE):
            quote = "/"  # a regular expression: its '|' are not separators
        elif ch == "|":
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur).strip())
    return [c for c in out if c]


def _field_list(text: str) -> list[tuple[str, str]]:
    """``A, B as C`` as ``[(A, A), (B, C)]`` (backticks dropped)."""
    items, depth, cur = [], 0, []
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            items.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    items.append("".join(cur))
    out = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        parts = [p.strip().strip("`") for p in _AS.split(item, maxsplit=1)]
        out.append((parts[0], parts[-1]))
    return out


def _matcher(m: re.Match) -> Callable[[str], bool]:
    if m.group("re") is not None:
        pattern = re.compile(m.group("re"))
        return lambda msg: pattern.search(msg) is not None
    text = m.group("text") if m.group("text") is not None else m.group("text2")
    return lambda msg: text in msg


def parse(query: str) -> Query:
    """Read ``fields``, ``display``, ``filter @message like`` and ``limit`` from a query."""
    matchers: list[Callable[[str], bool]] = []
    fields: list[tuple[str, str]] = []
    display: list[tuple[str, str]] | None = None
    limit = None
    for command in _commands(query):
        word = command.split(None, 1)[0].lower()
        rest = command[len(word):]
        if word == "fields":
            fields += [f for f in _field_list(rest) if f not in fields]
        elif word == "display":
            display = _field_list(rest)  # the last display decides
        elif word == "filter" and (m := _FILTER.match(command)):
            matchers.append(_matcher(m))
        elif word == "limit" and (m := _LIMIT.match(command)):
            limit = int(m.group(1))
    shown = display if display is not None else fields or list(DEFAULT_FIELDS)
    return Query(tuple(matchers), tuple(shown), limit)


def stamp(ms: int) -> str:
    """A time as Logs Insights shows it: ``2026-01-01 00:05:00.000`` (UTC)."""
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def pointer(record: Record, form: str = "opaque") -> str:
    """The record's ``@ptr``: the same for the same log event (R-LOGS-57); ``form`` is
    A-QUERY-PTR's value (R-LOGS-87)."""
    raw = f"kmsim:{record.seq}:{record.index}"
    if form == "plain":
        return raw
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")


def json_fields(message: str) -> dict[str, str]:
    """The fields of a JSON object message, nested keys joined with '.' (A-QUERY-FIELDS json;
    GetLogGroupFields discovers the same names, R-LOGS-QRY-08)."""
    try:
        doc = json.loads(message)
    except ValueError:
        return {}
    out: dict[str, str] = {}

    def walk(value: object, name: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{name}.{k}" if name else str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{name}.{i}")
        elif name:
            out[name] = value if isinstance(value, str) else json.dumps(value)

    if isinstance(doc, dict):
        walk(doc, "")
    return out


def row(query: Query, record: Record, discover: str, ptr: str = "opaque"
        ) -> list[dict[str, str]]:
    """The result row of a record: the asked-for fields that have a value, then @ptr in
    A-QUERY-PTR's form ``ptr``."""
    values = {"@timestamp": stamp(record.timestamp), "@message": record.message,
              "@ingestionTime": stamp(record.ingested), "@logStream": record.stream,
              "@log": record.log}
    if discover == "json":
        values = {**json_fields(record.message), **values}
    out = [{"field": name, "value": values[source]} for source, name in query.shown
           if source in values and source != "@ptr"]
    out.append({"field": "@ptr", "value": pointer(record, ptr)})
    return out
