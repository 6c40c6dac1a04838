"""CloudWatch Logs management folds of issue 13 (part L1): DeleteLogStream,
DeleteRetentionPolicy and tags (TagResource, UntagResource, TagLogGroup, UntagLogGroup).

The folds run for accepted events only, so they trust what
:mod:`sim.services.logs.streams` and :mod:`sim.services.logs.tags` checked. Tags and the
log group class live on the :class:`~projections.logs.model.LogGroup` (so they go with the
group when it is deleted); a stream is one entry of ``LogGroup.streams``.
"""

from __future__ import annotations

from events.record import Event
from projections.arns import LOG_GROUP_ARN, log_group_arn
from projections.logs.model import LogGroup, LogsState, batches
from projections.model import Cause, DataItem
from projections.world import World, folds


def tagged_group(world: World, arn: str) -> LogGroup | None:
    """The log group a tagging ``resourceArn`` names (the ARN without ':*',
    R-LOGS-API-37), if it exists."""
    m = LOG_GROUP_ARN.fullmatch(arn)
    if m is None or arn.endswith(":*"):
        return None
    return world.peek(LogsState).groups.get(log_group_arn(m.group(1), m.group(2), m.group(3)))


def _named(world: World, event: Event) -> LogGroup:
    return world.state(LogsState).groups[
        log_group_arn(event.region, event.account, str(event.req["logGroupName"]))]


def _by_arn(world: World, event: Event) -> LogGroup:
    m = LOG_GROUP_ARN.fullmatch(str(event.req["resourceArn"]))
    assert m is not None  # the handler checked it (R-LOGS-API-37)
    return world.state(LogsState).groups[log_group_arn(m.group(1), m.group(2), m.group(3))]


def stream_items(world: World, g: LogGroup, name: str) -> list[DataItem]:
    """The live batches of the stream ``name`` of ``g`` (in write order): the group's batches
    from the stream's creating event on whose PutLogEvents named it. A batch's stream is
    only in its event (nothing per batch is kept for it: the replay hot path adds none), so
    each candidate's event is read back; a world with no events to read raises."""
    created = g.streams[name]
    out = []
    for item in batches(world, {g.arn}):
        if item.seq < created:
            continue
        written = world.recorded(item.seq)
        if written is None:
            raise LookupError(f"event #{item.seq} (a batch of log group {g.name}) cannot be "
                              "read: DeleteLogStream's fold needs the timeline's events")
        if written.req.get("logStreamName") == name:
            out.append(item)
    return out


@folds("logs:DeleteLogStream")
def _delete_stream(world: World, event: Event) -> None:
    # R-LOGS-API-32: readers take a stream's batches from its creating event on, so a
    # stream made again with the name starts empty. R-LOGS-API-54: its batches are gone for
    # every reader (queries, kmsim at), as a deleted group's are.
    g = _named(world, event)
    name = str(event.req["logStreamName"])
    gone = Cause(event.t, event.seq, "R-LOGS-API-54", f"log stream {name} of {g.name} deleted")
    for item in stream_items(world, g, name):
        item.gone = gone
    del g.streams[name]


@folds("logs:DeleteRetentionPolicy")
def _delete_retention(world: World, event: Event) -> None:
    # R-LOGS-API-33: what retention has deleted stays gone; the rest never expires. The
    # sweep of the old value skips a group whose retention is no longer that value.
    g = _named(world, event)
    g.retention_days = None
    for item in batches(world, {g.arn}):
        if item.expires_at is not None:
            item.expires_at = None


@folds("logs:TagResource")
def _tag_resource(world: World, event: Event) -> None:
    _by_arn(world, event).tags.update(event.req["tags"])  # R-LOGS-API-34


@folds("logs:TagLogGroup")
def _tag_log_group(world: World, event: Event) -> None:
    _named(world, event).tags.update(event.req["tags"])  # R-LOGS-API-40


@folds("logs:UntagResource")
def _untag_resource(world: World, event: Event) -> None:
    tags = _by_arn(world, event).tags
    for key in event.req["tagKeys"]:  # R-LOGS-API-38
        tags.pop(key, None)


@folds("logs:UntagLogGroup")
def _untag_log_group(world: World, event: Event) -> None:
    tags = _named(world, event).tags
    for key in event.req["tags"]:  # R-LOGS-API-41
        tags.pop(key, None)
