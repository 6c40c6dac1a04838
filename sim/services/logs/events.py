"""logs:PutLogEvents and logs:GetLogEvents: writing batches and reading a stream back
(SPEC 3.4), with the service's batch constraints, rejections and tokens.

PutLogEvents decides in this order, and the first failure decides (a failure stores
nothing): parameters and the 10,000-event bound (R-LOGS-19, R-LOGS-51), the batch size
(R-LOGS-49), chronological order (R-LOGS-44), the log group (R-LOGS-17) and stream
(R-LOGS-39), the 24-hour span of the events it would keep (R-LOGS-52), the group's key
(R-LOGS-32), an injected fault (R-LOGS-79). Events too new or too old are then left out,
not failed (R-LOGS-46, R-LOGS-47), and reported in ``rejectedLogEventsInfo`` (R-LOGS-48).
The fold reads that report back to store only the kept events.
"""

from __future__ import annotations

import re
import zlib
from itertools import pairwise

from projections.logs.decisions import stored_keys
from projections.logs.model import (
    MAX_BATCH_BYTES,
    MAX_SPAN_MS,
    batch_size,
    batches,
    event_stamps,
    readable,
    rejections,
)
from projections.model import DataItem
from sim.errors import AwsError
from sim.params import Param
from sim.services.logs.common import (
    BAD_TOKEN,
    GROUP_IDENTIFIER_PATTERN,
    GROUP_NAME,
    GROUP_NAME_REQ,
    IPE,
    NO_STREAM,
    RNF,
    STREAM_NAME_REQ,
    check,
    check_fault,
    event_req,
    group_by_identifier,
    log_events_of,
    read_error,
    require_group,
)
from sim.services.registry import CallContext, operation

#: Each event's members are checked too, every failing one listed (R-SRV-21); a missing
#: timestamp is the call's time (R-LOGS-41), so kmsim does not require it. At most 10,000
#: events (R-LOGS-51).
LOG_EVENTS = Param("logEvents", list, required=True, min=1, max=10000,
                   items=(Param("timestamp", int, min=0), Param("message", str, required=True,
                                                                min=1)))
#: The model's LogGroupIdentifier: no '*', so an ARN ending in ':*' fails it (R-LOGS-56).
GROUP_IDENTIFIER = Param("logGroupIdentifier", str, min=1, max=2048,
                         pattern=GROUP_IDENTIFIER_PATTERN)


@operation("logs:PutLogEvents")
def put_log_events(ctx: CallContext, req: dict) -> dict:
    """Store one batch under the group's possible keys, leaving out the events the service
    rejects (R-LOGS-05, R-LOGS-32, R-LOGS-39, R-LOGS-44..53)."""
    check(req, GROUP_NAME_REQ, STREAM_NAME_REQ, LOG_EVENTS, Param("sequenceToken", str, min=1))
    log_events = req["logEvents"]
    size = batch_size(log_events)
    if size > MAX_BATCH_BYTES:
        raise AwsError(IPE, f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}",
                       "R-LOGS-49")
    stamps = event_stamps(log_events, ctx.t)
    if any(later < earlier for earlier, later in pairwise(stamps)):
        raise AwsError(IPE, "Log events in a single PutLogEvents request must be in "
                       "chronological order.", "R-LOGS-44")
    g = require_group(ctx, req["logGroupName"])
    if req["logStreamName"] not in g.streams and ctx.setting("implicit_stream") == "strict":
        raise AwsError(RNF, NO_STREAM, "R-LOGS-39")
    first, end, rejected = rejections(stamps, ctx.t, g.retention_days,
                                      ctx.setting("rejected_index"))
    if end > first and stamps[end - 1] - stamps[first] > MAX_SPAN_MS:
        raise AwsError(IPE, "The batch of log events in a single PutLogEvents request cannot "
                       "span more than 24 hours.", "R-LOGS-52")
    keys, problems = stored_keys(ctx.world, ctx.world.associations.get(g.arn), g.arn,
                                 accepted=False)
    if not keys:
        raise AwsError(IPE, f"The KMS key of log group {g.name} cannot be used: "
                       + "; ".join(problems), "R-LOGS-32")
    check_fault(ctx, "logs:PutLogEvents")
    out: dict = {"nextSequenceToken": f"{ctx.seq:056d}"}
    if rejected:
        out["rejectedLogEventsInfo"] = rejected
    return out


# -- GetLogEvents ------------------------------------------------------------------------
#
# A position in a stream is (timestamp, batch event number, index in the batch + 1); the
# events of a stream are in that order. A token is "f/" or "b/" and 56 digits, as the
# service's are: the position (16 + 20 + 5 digits) and a 15-digit check of the direction,
# the position and the stream, so that a token is honoured only for the stream it was
# issued for (R-LOGS-55). "f/P" pages forward from after P, "b/P" backward from before P.

Position = tuple[int, int, int]
_TOKEN = re.compile(r"([fb])/(\d{16})(\d{20})(\d{5})(\d{15})")
_START: Position = (0, 0, 0)


def _check_digits(direction: str, pos: Position, stream_arn: str) -> int:
    text = f"{direction}/{pos[0]}/{pos[1]}/{pos[2]}|{stream_arn}".encode()
    return (zlib.crc32(text) << 20 ^ zlib.adler32(text)) % 10**15


def _token(direction: str, pos: Position, stream_arn: str) -> str:
    return (f"{direction}/{pos[0]:016d}{pos[1]:020d}{pos[2]:05d}"
            f"{_check_digits(direction, pos, stream_arn):015d}")


def _read_token(token: str, stream_arn: str) -> tuple[str, Position]:
    m = _TOKEN.fullmatch(token)
    if m is None:
        raise AwsError(IPE, BAD_TOKEN, "R-LOGS-55")
    direction = m.group(1)
    pos = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
    if int(m.group(5)) != _check_digits(direction, pos, stream_arn):
        raise AwsError(IPE, BAD_TOKEN, "R-LOGS-55")
    return direction, pos


@operation("logs:GetLogEvents")
def get_log_events(ctx: CallContext, req: dict) -> dict:
    """One page of a stream's events, decrypted by logs; a batch on the page it cannot
    certainly decrypt fails the read (R-LOGS-33, R-LOGS-34, R-LOGS-54..56)."""
    check(req, GROUP_NAME, GROUP_IDENTIFIER, STREAM_NAME_REQ, Param("startTime", int, min=0),
          Param("endTime", int, min=0), Param("limit", int, min=1, max=10000),
          Param("startFromHead", bool), Param("nextToken", str, min=1), Param("unmask", bool))
    if bool(req.get("logGroupName")) == bool(req.get("logGroupIdentifier")):
        raise AwsError(IPE, "Specify exactly one of logGroupName and logGroupIdentifier",
                       "R-LOGS-19")
    g = (require_group(ctx, req["logGroupName"]) if req.get("logGroupName") else
         group_by_identifier(ctx, req["logGroupIdentifier"], "logGroupIdentifier"))
    stream = req["logStreamName"]
    if stream not in g.streams:
        raise AwsError(RNF, NO_STREAM, "R-LOGS-17")
    stream_arn = f"{g.arn}:log-stream:{stream}"
    token = req.get("nextToken")
    direction, after = _read_token(token, stream_arn) if token else ("", _START)
    if direction == "f" and req.get("startFromHead") is not True and \
            ctx.setting("token_direction") == "refuse":
        raise AwsError(IPE, "A nextForwardToken needs startFromHead = true", "R-LOGS-54")
    lo, hi = req.get("startTime", 0), req.get("endTime")
    found: list[tuple[Position, dict, DataItem]] = []
    for item in batches(ctx.world, {g.arn}):
        if event_req(ctx, item.seq).get("logStreamName") != stream or \
                item.seq < g.streams[stream]:  # a deleted namesake's (R-LOGS-API-32)
            continue
        for i, ts, msg in log_events_of(ctx, item.seq, item.written_at):
            pos = (ts, item.seq, i + 1)
            if ts < lo or (hi is not None and ts >= hi):
                continue
            if (direction == "f" and pos <= after) or (direction == "b" and pos >= after):
                continue
            found.append((pos, {"timestamp": ts, "message": msg,
                                "ingestionTime": item.written_at}, item))
    found.sort(key=lambda f: f[0])
    limit = req.get("limit", 10000)
    from_head = direction == "f" or (not direction and req.get("startFromHead") is True)
    page = found[:limit] if from_head else found[-limit:]
    for item in {f[2].seq: f[2] for f in page}.values():
        ok, why = readable(ctx.world, item, ctx.actor)
        if not ok:
            raise read_error(ctx, f"Log events of {g.name}/{stream} written by event "
                             f"#{item.seq} cannot be decrypted: {why}")
    check_fault(ctx, "logs:GetLogEvents")
    if page:
        forward, backward = page[-1][0], page[0][0]
    elif direction == "f":  # at the end: the same token comes back (R-LOGS-54)
        forward, backward = after, (after[0], after[1], min(after[2] + 1, 99999))
    elif direction == "b":
        forward, backward = (after[0], after[1], max(after[2] - 1, 0)), after
    else:
        forward = backward = _START
    return {"events": [f[1] for f in page],
            "nextForwardToken": _token("f", forward, stream_arn),
            "nextBackwardToken": _token("b", backward, stream_arn)}
