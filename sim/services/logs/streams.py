"""logs:DescribeLogStreams and logs:DeleteLogStream (issue 13, part L1), and what the
stream readers share: the log group a request names, a stream's batches, opaque tokens.

A stream's batches are the log-events items of its group whose PutLogEvents named it,
from the stream's creating event on (``LogGroup.streams[name]``): a stream deleted and
created again starts empty (R-LOGS-API-32). The stream times (R-LOGS-API-06, -07, -11)
count the batches retention deleted too; readers of events take the live ones only.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass

from events.timefmt import HOUR
from projections.logs.model import LogGroup, item_span
from projections.model import DataItem
from sim.errors import AwsError
from sim.params import Param
from sim.services.logs.common import (
    BAD_TOKEN,
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
    require_group,
)
from sim.services.logs.events import GROUP_IDENTIFIER
from sim.services.registry import CallContext, operation

STREAM_PREFIX = Param("logStreamNamePrefix", str, min=1, max=512, pattern=r"[^:*]*")
NEXT_TOKEN = Param("nextToken", str, min=1)


def named_group(ctx: CallContext, req: dict) -> LogGroup:
    """The log group of a request with exactly one of logGroupName and logGroupIdentifier
    (R-LOGS-API-01, R-LOGS-56, R-LOGS-17)."""
    if bool(req.get("logGroupName")) == bool(req.get("logGroupIdentifier")):
        raise AwsError(IPE, "Specify exactly one of logGroupName and logGroupIdentifier",
                       "R-LOGS-API-01")
    if req.get("logGroupName"):
        return require_group(ctx, req["logGroupName"])
    return group_by_identifier(ctx, req["logGroupIdentifier"], "logGroupIdentifier")


def stream_batches(ctx: CallContext, g: LogGroup, live: bool
                   ) -> dict[str, list[DataItem]]:
    """The batches of each stream of ``g`` (stream name -> batches in write order); with
    ``live`` only those not gone."""
    world = ctx.world
    select = getattr(world.items, "select", None)  # the live store: scans its columns
    pool: Iterable[DataItem] = (select("log-events", {g.arn}) if select
                                else world.iter_items())
    out: dict[str, list[DataItem]] = {name: [] for name in g.streams}
    for item in pool:
        if item.kind != "log-events" or item.resource != g.arn or (live and item.gone):
            continue
        name = event_req(ctx, item.seq).get("logStreamName")
        created = g.streams.get(name) if isinstance(name, str) else None
        if created is not None and item.seq >= created:  # R-LOGS-API-32
            out[name].append(item)
    return out


# -- tokens ------------------------------------------------------------------------------
# A token is URL-safe base64 of a small JSON document naming the operation, the log group
# and the order it pages in, and the sort key of the last entry returned: the next page
# starts after it, even when entries came or went in between.

def write_token(op: str, arn: str, order: str, after: list) -> str:
    """The token of the page after ``after`` (a sort key) in ``order``."""
    doc = json.dumps({"op": op, "group": arn, "order": order, "after": after},
                     separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(doc).decode("ascii")


def read_token(token: str, op: str, arn: str) -> tuple[str, list]:
    """``(order, after)`` of a token ``op`` issued for log group ``arn``; any other token is
    InvalidParameterException 'The specified nextToken is invalid.' (R-LOGS-API-29)."""
    try:
        doc = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise AwsError(IPE, BAD_TOKEN, "R-LOGS-API-29") from None
    if not isinstance(doc, dict) or doc.get("op") != op or doc.get("group") != arn or \
            not isinstance(doc.get("order"), str) or not isinstance(doc.get("after"), list):
        raise AwsError(IPE, BAD_TOKEN, "R-LOGS-API-29")
    return doc["order"], doc["after"]


# -- DescribeLogStreams ------------------------------------------------------------------

@dataclass
class _Stream:
    """What DescribeLogStreams shows of one stream, and its sort keys."""

    name: str
    entry: dict
    last: int  # the LastEventTime sort key (R-LOGS-API-08)


def _describe(ctx: CallContext, g: LogGroup, name: str, items: list[DataItem]) -> _Stream:
    created_event = ctx.event(g.streams[name])
    created = created_event.t if created_event is not None else 0
    entry: dict = {"logStreamName": name, "creationTime": created,
                   "arn": f"{g.arn}:log-stream:{name}",  # R-LOGS-API-10
                   "storedBytes": 0}  # R-LOGS-API-05
    caught_up = ctx.t - (HOUR if ctx.setting("logs_api_stream_times") == "hour" else 0)
    if items:  # R-LOGS-API-06, -11: the batches retention deleted count too
        entry["firstEventTimestamp"] = min(item_span(i)[0] for i in items)
        counted = [i for i in items if i.written_at <= caught_up]  # R-LOGS-API-07
        if counted:
            entry["lastEventTimestamp"] = max(item_span(i)[1] for i in counted)
            entry["lastIngestionTime"] = max(i.written_at for i in counted)
        # R-LOGS-API-09: the nextSequenceToken of its latest PutLogEvents
        entry["uploadSequenceToken"] = f"{items[-1].seq:056d}"
    last = entry.get("lastEventTimestamp")
    if last is None:  # R-LOGS-API-08
        last = created if ctx.setting("logs_api_empty_order") == "creation" else -1
    return _Stream(name, entry, last)


@operation("logs:DescribeLogStreams")
def describe_log_streams(ctx: CallContext, req: dict) -> dict:
    """The streams of a log group, by name or by last event time (R-LOGS-API-01..11)."""
    check(req, GROUP_NAME, GROUP_IDENTIFIER, STREAM_PREFIX,
          Param("orderBy", str, enum=("LogStreamName", "LastEventTime")),
          Param("descending", bool), NEXT_TOKEN, Param("limit", int, min=1, max=50))
    order = req.get("orderBy") or "LogStreamName"
    prefix = req.get("logStreamNamePrefix")
    if order == "LastEventTime" and prefix:
        raise AwsError(IPE, "Cannot order by LastEventTime with a logStreamNamePrefix.",
                       "R-LOGS-API-02")
    g = named_group(ctx, req)
    descending = req.get("descending") is True
    mode = f"{order}/{'desc' if descending else 'asc'}"
    after = None
    if req.get("nextToken"):
        token_mode, after = read_token(req["nextToken"], "logs:DescribeLogStreams", g.arn)
        if token_mode != mode:
            raise AwsError(IPE, BAD_TOKEN, "R-LOGS-API-29")
    batches = stream_batches(ctx, g, live=False)
    streams = [_describe(ctx, g, name, batches[name]) for name in g.streams
               if not prefix or name.startswith(prefix)]

    def key(s: _Stream) -> list:  # R-LOGS-API-03: name order, or last event time then name
        return [s.name] if order == "LogStreamName" else [s.last, s.name]

    streams.sort(key=key, reverse=descending)
    if after is not None:
        try:
            streams = [s for s in streams
                       if (key(s) < after if descending else key(s) > after)]
        except TypeError:  # a key of the wrong shape: not a token this call issued
            raise AwsError(IPE, BAD_TOKEN, "R-LOGS-API-29") from None
    limit = req.get("limit", 50)  # R-LOGS-API-04
    page = streams[:limit]
    check_fault(ctx, "logs:DescribeLogStreams")
    out: dict = {"logStreams": [s.entry for s in page]}
    if len(streams) > limit:
        out["nextToken"] = write_token("logs:DescribeLogStreams", g.arn, mode, key(page[-1]))
    return out


# -- DeleteLogStream ---------------------------------------------------------------------

@operation("logs:DeleteLogStream")
def delete_log_stream(ctx: CallContext, req: dict) -> dict:
    """Delete a stream and every event it stored (R-LOGS-API-32, R-LOGS-API-54)."""
    check(req, GROUP_NAME_REQ, STREAM_NAME_REQ)
    g = require_group(ctx, req["logGroupName"])
    if req["logStreamName"] not in g.streams:
        raise AwsError(RNF, NO_STREAM, "R-LOGS-17")
    check_fault(ctx, "logs:DeleteLogStream")
    return {}
