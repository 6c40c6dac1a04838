"""logs:FilterLogEvents (issue 13, part L1): the events of a log group's streams, by time
range and filter pattern, interleaved and in the documented order, read through the same
decryptability as GetLogEvents.

Checks, the first failure decides: parameters (R-LOGS-19), one log group reference
(R-LOGS-API-01), not both stream filters (R-LOGS-API-12), startFromHead false before 2024
(R-LOGS-API-17), the filter pattern (R-LOGS-API-23, -24, -28), the log group (R-LOGS-17,
R-LOGS-56), the named streams (R-LOGS-API-53), the token (R-LOGS-API-29). Then the
events in order (R-LOGS-API-15, -16) are read batch by batch: a batch that logs cannot
certainly decrypt for the caller fails the call as GetLogEvents does (R-LOGS-33,
R-LOGS-34), under A-LOGS-API-FILTER-READ (R-LOGS-API-30).

The filter pattern syntax for text (R-LOGS-API-21..27): terms separated by spaces must all
appear; a "quoted phrase" is one term; ``-term`` must not appear; ``?term`` terms are
alternatives. JSON, space-delimited and regex patterns are A-LOGS-API-FILTER-SYNTAX's.
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass, field

from events.timefmt import parse_rfc3339
from projections.logs.model import LogGroup, readable
from projections.model import DataItem
from sim.errors import AwsError
from sim.params import Param
from sim.services.logs.common import (
    GROUP_NAME,
    IPE,
    NO_STREAM,
    RNF,
    check,
    check_fault,
    log_events_of,
    read_error,
)
from sim.services.logs.events import GROUP_IDENTIFIER
from sim.services.logs.streams import (
    NEXT_TOKEN,
    STREAM_PREFIX,
    named_group,
    read_token,
    stream_batches,
    write_token,
)
from sim.services.registry import CallContext, operation

OP = "logs:FilterLogEvents"
#: startFromHead false needs a startTime from here on (R-LOGS-API-17).
NEWEST_FIRST_FROM = parse_rfc3339("2024-01-01T00:00:00Z")
_PLAIN_TERM = re.compile(r"\w+")  # letters, digits, underscore (R-LOGS-API-23)
_TOKEN = re.compile(r'\s*(?:(?P<sign>[-?])\s*)?(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))')


@dataclass
class Pattern:
    """A parsed text filter pattern: terms that must appear, must not, and alternatives.
    ``never``: a pattern kmsim does not match (A-LOGS-API-FILTER-SYNTAX ``none``)."""

    required: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    optional: list[str] = field(default_factory=list)
    any_one: bool = False  # A-LOGS-API-OR-MIX any
    never: bool = False

    def matches(self, message: str) -> bool:
        """Whether ``message`` matches (case sensitive, anywhere: R-LOGS-API-22)."""
        if self.never:
            return False
        if any(t in message for t in self.excluded):  # R-LOGS-API-25
            return False
        if self.any_one and self.optional:  # R-LOGS-API-27 any
            return any(t in message for t in (*self.required, *self.optional))
        if not all(t in message for t in self.required):
            return False
        return not self.optional or any(t in message for t in self.optional)  # R-LOGS-API-26


def parse_pattern(ctx: CallContext, text: str | None) -> Pattern:
    """The pattern of ``filterPattern`` (R-LOGS-API-21..28)."""
    pattern = Pattern(any_one=ctx.setting("logs_api_or_mix") == "any")
    text = (text or "").strip()
    if not text:
        return pattern  # R-LOGS-API-21: every event matches
    syntax = {"{": "a JSON", "[": "a space-delimited", "%": "a regex"}.get(text[0])
    if syntax is not None:  # R-LOGS-API-28
        if ctx.setting("logs_api_filter_syntax") == "none":
            return Pattern(never=True)
        raise AwsError(IPE, f"kmsim matches text filter patterns only, not {syntax} pattern "
                       f"({text[:40]!r})", "R-LOGS-API-28")
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise AwsError(IPE, "Invalid character(s) in term", "R-LOGS-API-24")
        pos = m.end()
        term = m.group("phrase") if m.group("phrase") is not None else m.group("word")
        if m.group("word") is not None and not _PLAIN_TERM.fullmatch(term):
            raise AwsError(IPE, "Invalid character(s) in term", "R-LOGS-API-24")  # -23
        if not term:
            continue  # "" matches everything (R-LOGS-API-21)
        {"-": pattern.excluded, "?": pattern.optional}.get(
            m.group("sign") or "", pattern.required).append(term)
    return pattern


# -- positions, tokens and ids -----------------------------------------------------------
# An event's place in the order (R-LOGS-API-15): timestamp, ingestion time, event number,
# place in the batch.

Position = tuple[int, int, int, int]


def event_id(ctx: CallContext, g: LogGroup, pos: Position) -> str:
    """The eventId of the event at ``pos`` (A-LOGS-API-EVENT-ID, R-LOGS-API-31)."""
    ts, _, seq, index = pos
    if ctx.setting("logs_api_event_id") == "opaque":
        return base64.urlsafe_b64encode(f"{ts}/{seq}/{index}".encode()).decode("ascii")
    check_digits = zlib.crc32(f"{ts}/{seq}/{index}|{g.arn}".encode()) % 10**15
    return f"{ts:016d}{seq:020d}{index:05d}{check_digits:015d}"


@operation(OP)
def filter_log_events(ctx: CallContext, req: dict) -> dict:
    """Events of a log group matching a text filter pattern, oldest first unless
    startFromHead is false (R-LOGS-API-12..31, R-LOGS-API-53)."""
    check(req, GROUP_NAME, GROUP_IDENTIFIER,
          Param("logStreamNames", list, min=1, max=100,
                items=Param("logStreamNames", str, min=1, max=512, pattern=r"[^:*]*")),
          STREAM_PREFIX, Param("startTime", int, min=0), Param("endTime", int, min=0),
          Param("filterPattern", str, min=0, max=1024), NEXT_TOKEN,
          Param("limit", int, min=1, max=10000), Param("startFromHead", bool),
          Param("interleaved", bool), Param("unmask", bool))
    if bool(req.get("logGroupName")) == bool(req.get("logGroupIdentifier")):
        raise AwsError(IPE, "Specify exactly one of logGroupName and logGroupIdentifier",
                       "R-LOGS-API-01")
    names, prefix = req.get("logStreamNames"), req.get("logStreamNamePrefix")
    if names and prefix:
        raise AwsError(IPE, "logStreamNames and logStreamNamePrefix cannot both be specified",
                       "R-LOGS-API-12")
    lo, hi = req.get("startTime"), req.get("endTime")
    if req.get("startFromHead") is False and lo is not None and lo < NEWEST_FIRST_FROM:
        raise AwsError(IPE, "startFromHead false needs a startTime on or after "
                       "2024-01-01T00:00:00Z", "R-LOGS-API-17")
    pattern = parse_pattern(ctx, req.get("filterPattern"))
    g = named_group(ctx, req)
    for name in names or ():
        if name not in g.streams:
            raise AwsError(RNF, NO_STREAM, "R-LOGS-API-53")
    newest_first = req.get("startFromHead") is False
    after: list | None = None
    if req.get("nextToken"):  # its direction wins over startFromHead (R-LOGS-API-16)
        direction, after = read_token(req["nextToken"], OP, g.arn)
        if direction not in ("head", "tail") or len(after) != 4 or \
                not all(isinstance(x, int) for x in after):
            raise AwsError(IPE, "The specified nextToken is invalid.", "R-LOGS-API-29")
        newest_first = direction == "tail"
    streams = stream_batches(ctx, g, live=True)
    wanted = [s for s in streams if (not names or s in names)
              and (not prefix or s.startswith(prefix))]
    # Every candidate event in order, without reading a message yet: the batch a page
    # reaches is decrypted when the page reaches it (A-LOGS-API-FILTER-READ scan).
    candidates: list[tuple[Position, str, DataItem]] = []
    for stream in wanted:
        for item in streams[stream]:
            for index, ts, _ in log_events_of(ctx, item.seq, item.written_at):
                if (lo is not None and ts < lo) or (hi is not None and ts > hi):
                    continue  # R-LOGS-API-13, -14
                candidates.append(((ts, item.written_at, item.seq, index), stream, item))
    candidates.sort(key=lambda c: c[0], reverse=newest_first)
    if after is not None:
        mark = tuple(after)
        candidates = [c for c in candidates if (c[0] < mark if newest_first else c[0] > mark)]
    checked: dict[int, None] = {}

    def require_readable(item: DataItem, stream: str) -> None:
        if item.seq in checked:
            return
        ok, why = readable(ctx.world, item, ctx.actor)  # as GetLogEvents (R-LOGS-34)
        if not ok:
            raise read_error(ctx, f"Log events of {g.name}/{stream} written by event "
                             f"#{item.seq} cannot be decrypted: {why}")
        checked[item.seq] = None

    if ctx.setting("logs_api_filter_read") == "all":  # R-LOGS-API-30
        for _, stream, item in candidates:
            require_readable(item, stream)
    limit = req.get("limit", 10000)  # R-LOGS-API-18
    events: list[dict] = []
    last: Position | None = None
    messages: dict[int, dict[int, str]] = {}
    scanned = 0  # candidates looked at: a full page stops before the rest
    for pos, stream, item in candidates:
        if len(events) == limit:
            break
        scanned += 1
        require_readable(item, stream)
        if item.seq not in messages:
            messages[item.seq] = {i: m for i, _, m in
                                  log_events_of(ctx, item.seq, item.written_at)}
        last = pos
        message = messages[item.seq][pos[3]]
        if pattern.matches(message):
            events.append({"logStreamName": stream, "timestamp": pos[0], "message": message,
                           "ingestionTime": pos[1], "eventId": event_id(ctx, g, pos)})
    check_fault(ctx, OP)
    out: dict = {"events": events, "searchedLogStreams": []}  # R-LOGS-API-20
    if scanned < len(candidates) and last is not None:
        out["nextToken"] = write_token(OP, g.arn, "tail" if newest_first else "head",
                                       list(last))
    return out
