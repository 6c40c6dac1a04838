"""CloudWatch Logs on the read side: folds, timers and item evaluators (SPEC 3.4, 7).

Folds run for accepted events only, so they trust what the command side checked and
re-derive only what replay needs (which keys a batch is under, which batches a query
read). Two timers: ``retention`` (one per retention value in use, at the next expiry)
and ``query-expiry`` (7 days after each StartQuery).
"""

from __future__ import annotations

from collections.abc import Callable

from events.record import Event
from events.timefmt import DAY, HOUR, MINUTE, parse_duration
from projections.arns import log_group_arn, query_result_arn
from projections.decrypt import evaluates
from projections.logs.decisions import query_plan, stored_keys
from projections.logs.model import (
    QUERY_RESULT_TTL_DAYS,
    Fault,
    LogGroup,
    LogsState,
    Sweep,
    batches,
    kept_range,
    one_key,
    target_of,
    verdicts_for,
)
from projections.model import Cause, DataItem
from projections.windows import begin_change, change_now, drop
from projections.world import Timer, World, folds, on_timer, plain_fold

#: AssociateKmsKey / DisassociateKmsKey: "up to 5 minutes" (R-LOGS-14).
LOGS_WINDOW = 5 * MINUTE


def _cause(event: Event, rule: str, note: str = "") -> Cause:
    return Cause(event.t, event.seq, rule, note or event.op)


def _key_of(world: World, event: Event):
    """The key an accepted request's kmsKeyId names: a key ARN, or under A-LOGS-KEY-REF
    ``resolve`` a key id or alias as it resolved at the call (R-LOGS-82)."""
    ref = str(event.req["kmsKeyId"])
    return world.key_by_arn(ref) or world.find_key(ref, event.account, event.region)


def _lifetime(world: World, days: int) -> int:
    """How long a batch under ``days`` of retention stays (R-LOGS-83, A-LOGS-RETENTION)."""
    lag = 72 * HOUR if world.setting("logs_retention") == "lag" else 0
    return days * DAY + lag


def _group_of(world: World, event: Event, name_key: str = "logGroupName") -> LogGroup:
    arn = log_group_arn(event.region, event.account, str(event.req[name_key]))
    return world.state(LogsState).groups[arn]


# -- log groups, streams, retention ------------------------------------------------------

@folds("logs:CreateLogGroup")
def _create_group(world: World, event: Event) -> None:
    name = str(event.req["logGroupName"])
    arn = log_group_arn(event.region, event.account, name)
    world.state(LogsState).groups[arn] = LogGroup(
        name, arn, event.account, event.region, _cause(event, "R-LOGS-27"),
        tags=dict(event.req.get("tags") or {}),  # R-LOGS-API-43
        log_class=str(event.req.get("logGroupClass") or "STANDARD"))  # R-LOGS-API-52
    if event.req.get("kmsKeyId"):
        key = _key_of(world, event)
        assert key is not None  # the command side checked it (R-LOGS-28)
        assoc = world.association(arn, "log-group", event.account, event.region)
        # When it takes effect is A-LOGS-CREATE-WINDOW's (R-LOGS-63): the reference gives
        # CreateLogGroup no window; 'window' borrows AssociateKmsKey's 5 minutes.
        if world.setting("logs_create_window") == "window":
            begin_change(world, assoc, key.arn, LOGS_WINDOW, event, "create_in_window")
        else:
            change_now(world, assoc, key.arn, event, "create")


@folds("logs:DeleteLogGroup")
def _delete_group(world: World, event: Event) -> None:
    g = _group_of(world, event)
    gone = _cause(event, "R-LOGS-29", f"log group {g.name} deleted")
    for item in batches(world, {g.arn}):
        item.gone = gone
    del world.state(LogsState).groups[g.arn]
    assoc = world.associations.get(g.arn)
    if assoc is not None and assoc.state != "none":
        drop(world, assoc, gone)


@folds("logs:PutRetentionPolicy")
def _retention(world: World, event: Event) -> None:
    g = _group_of(world, event)
    days = g.retention_days = int(event.req["retentionInDays"])
    gone = _cause(event, "R-LOGS-83", f"{g.name}: retention of {days} days")
    first = None
    for item in batches(world, {g.arn}):
        item.expires_at = item.written_at + _lifetime(world, days)
        if item.expires_at <= event.t:
            item.gone = gone
        elif first is None:
            first = item.expires_at
    if first is not None:
        _arm(world, days, first, event.seq)


def _arm(world: World, days: int, due: int, seq: int | None) -> None:
    """Make sure the sweep of retention ``days`` runs by ``due`` (one timer per value)."""
    sweeps = world.state(LogsState).sweeps
    sweep = sweeps.get(days)
    if sweep is None:
        sweep = sweeps[days] = Sweep()
    if sweep.due is None or due < sweep.due:
        sweep.due = due
        world.schedule(due, "retention", str(days), due, seq)


@on_timer("retention", priority=3)
def _sweep(world: World, timer: Timer) -> None:
    """Batches of groups with this retention whose time is up are gone (R-LOGS-83).

    Batches are in write (= time) order, so one position per retention value suffices:
    every batch before ``pos`` was written at least ``days`` before the last sweep. The
    scan stops at the first batch (of any group) still younger than that.
    """
    days = int(timer.target)
    state = world.state(LogsState)
    sweep = state.sweeps.get(days)
    if sweep is None or sweep.due != timer.token:
        return  # superseded by an earlier timer, which re-armed the sweep
    sweep.due = None
    cutoff = timer.due - _lifetime(world, days)
    groups = state.groups
    seq = sweep.pos
    while seq < world.last_seq:
        item = world.items.get(seq + 1)
        if item is not None and item.kind == "log-events":
            if item.written_at > cutoff:
                _arm(world, days, item.written_at + _lifetime(world, days), timer.seq)
                break
            g = groups.get(item.resource)
            if item.gone is None and g is not None and g.retention_days == days:
                item.gone = Cause(timer.due, None, "R-LOGS-83",
                                  f"{g.name}: retention of {days} days")
        seq += 1
    sweep.pos = seq


@folds("logs:CreateLogStream")
def _create_stream(world: World, event: Event) -> None:
    _group_of(world, event).streams[str(event.req["logStreamName"])] = event.seq


@folds("logs:PutLogEvents")
def _put_events(world: World, event: Event) -> None:
    # The general fold; a plain batch (the 99% of a busy log) is plain_batch's row.
    row = plain_batch(world, event)
    if row is not None:
        world.items.add(*row)
        return
    req = event.req
    t = event.t
    g = world.area_states[LogsState].groups[log_group_arn(  # type: ignore[attr-defined]
        event.region, event.account, str(req["logGroupName"]))]
    arn = g.arn
    seq = event.seq
    log_events = req["logEvents"]
    res = event.out.get("res")
    if res and "rejectedLogEventsInfo" in res:  # only the events it kept (R-LOGS-46, -47)
        first, end = kept_range(res, len(log_events),
                                world.setting("rejected_index"))
        log_events = log_events[first:end]
    stream = req["logStreamName"]
    if stream not in g.streams:
        g.streams[str(stream)] = seq  # A-IMPLICIT-STREAM create
    if not log_events:
        return  # every event was rejected: nothing is stored
    assoc = world.associations.get(arn)
    state = "none" if assoc is None else assoc.state
    if state == "associated":  # what ingest_keys answers for an accepted write, inlined
        keys = one_key(assoc.key)  # type: ignore[union-attr]
    elif state == "none":
        keys = one_key(None)
    else:  # inside a window: the decision the handler made (decisions.stored_keys)
        keys, _ = stored_keys(world, assoc, arn, accepted=True)
    lo, hi = _span(log_events, t)
    days = g.retention_days
    expires = None if days is None else t + _lifetime(world, days)
    world.items.add(seq, "log-events", arn, g.account, g.region, t, keys, None, expires,
                    None if lo == hi == t else {"t0": lo, "t1": hi})
    if expires is not None:
        _arm(world, days, expires, seq)


def _span(log_events: list, t: int) -> tuple[int, int]:
    """The first and last timestamps of an accepted batch's events (R-LOGS-41: an event
    without one has the call's). An accepted batch is in chronological order (R-LOGS-44),
    so they are its first and last event's."""
    stamp = log_events[0].get("timestamp")
    lo = t if stamp is None else int(stamp)
    if len(log_events) == 1:
        return lo, lo
    stamp = log_events[-1].get("timestamp")
    hi = t if stamp is None else int(stamp)
    if lo > hi:  # not chronological: not a batch the service accepts, so take no chances
        stamps = [t if e.get("timestamp") is None else int(e["timestamp"])
                  for e in log_events]
        return min(stamps), max(stamps)
    return lo, hi


@plain_fold("logs:PutLogEvents", _put_events, reads=(LogsState,))
def make_plain(area_states: dict, associations: dict, out: tuple[list, ...]
               ) -> Callable[[dict], bool]:
    """The plain case of the PutLogEvents fold on a world with these ``area_states`` and
    ``associations``: given an accepted event's dict, it appends to the lists ``out`` the
    item's shape (its ``(kind, resource, account, region, keys)``), seq, write time and
    first and last event timestamps, and returns True, when all its fold does is add that
    plain item (no cause, no expiry); it returns False (and appends nothing) when the
    fold does more (a stream made implicitly, rejected events, a group with retention,
    whose expiry arms a timer, a key change in its window) or stores nothing. It only
    reads the world, and remembers what it read of each group: make another once a fold
    other than this one may have changed the groups or associations (SPEC 11's replay
    hot path)."""
    logs = area_states.get(LogsState)
    groups = {} if logs is None else logs.groups  # type: ignore[attr-defined]
    seen: dict[str, tuple] = {}  # group name -> _plain_group's answer
    shapes, seqs, written, t0s, t1s = (column.append for column in out)

    def plain(event: dict) -> bool:
        req = event["req"]
        name = req["logGroupName"]
        found = seen.get(name)
        if found is None or found[0] != event["region"] or found[1] != event["account"]:
            found = seen[name] = _plain_group(groups, associations, name, event["region"],
                                              event["account"])
        # _plain_span, inlined (replay's hot path: a call and a tuple per event cost ~2%)
        shape = found[2]
        if shape is None or req["logStreamName"] not in found[3]:
            return False
        res = event["out"].get("res")
        log_events = req["logEvents"]
        if (res and "rejectedLogEventsInfo" in res) or not log_events:
            return False
        t = event["t"]
        stamp = log_events[0].get("timestamp")
        lo = t if stamp is None else int(stamp)
        if len(log_events) == 1:
            hi = lo
        else:
            stamp = log_events[-1].get("timestamp")
            hi = t if stamp is None else int(stamp)
            if lo > hi:
                lo, hi = _span(log_events, t)
        shapes(shape)  # one shape object per group: the store finds its id by identity
        seqs(event["seq"])
        written(t)
        t0s(lo)
        t1s(hi)
        return True

    return plain


def _plain_group(groups: dict, associations: dict, name: str, region: str, account: str
                 ) -> tuple:
    """``(region, account, shape or None, streams)`` of the group ``name``: the shape of
    a plain batch written to it (None when its batches are not plain: no such group, a
    retention, a key change in its window) and its streams."""
    g = groups.get(log_group_arn(region, account, name))
    shape = None
    if g is not None and g.retention_days is None:
        assoc = associations.get(g.arn)
        state = "none" if assoc is None else assoc.state
        if state in ("associated", "none"):  # else decisions.stored_keys decides
            keys = one_key(assoc.key if state == "associated" else None)
            shape = ("log-events", g.arn, g.account, g.region, keys)
    return region, account, shape, {} if g is None else g.streams


def _plain_span(event: dict, found: tuple) -> tuple[int, int] | None:
    """The first and last timestamps of a plain batch (``found``: its group's
    :func:`_plain_group`), or None when the event is not a plain batch."""
    req = event["req"]
    if found[2] is None or req["logStreamName"] not in found[3]:
        return None
    res = event["out"].get("res")
    log_events = req["logEvents"]
    if (res and "rejectedLogEventsInfo" in res) or not log_events:
        return None
    # _span, inlined: an accepted batch is in time order (R-LOGS-44), and an event
    # without a timestamp has the call's (R-LOGS-41).
    t = event["t"]
    stamp = log_events[0].get("timestamp")
    lo = t if stamp is None else int(stamp)
    if len(log_events) == 1:
        return lo, lo
    stamp = log_events[-1].get("timestamp")
    hi = t if stamp is None else int(stamp)
    return (lo, hi) if lo <= hi else _span(log_events, t)


def plain_batch(world: World, event: Event) -> tuple | None:
    """The arguments of ``items.add`` for the item an accepted PutLogEvents adds when
    that is all its fold does (:func:`make_plain`), else None."""
    logs = world.area_states.get(LogsState)
    d = event.__dict__
    found = _plain_group({} if logs is None else logs.groups,  # type: ignore[attr-defined]
                         world.associations, d["req"]["logGroupName"], d["region"],
                         d["account"])
    span = _plain_span(d, found)
    if span is None:
        return None
    (kind, arn, account, region, keys), (lo, hi), t = found[2], span, d["t"]
    return (d["seq"], kind, arn, account, region, t, keys, None, None,
            None if lo == hi == t else {"t0": lo, "t1": hi})


# -- associations ------------------------------------------------------------------------

@folds("logs:AssociateKmsKey")
def _associate(world: World, event: Event) -> None:
    kind, arn = target_of(event.req, event.account, event.region)
    key = _key_of(world, event)
    assert key is not None  # the command side checked it (R-LOGS-15, R-LOGS-82)
    assoc = world.association(arn, kind, event.account, event.region)
    begin_change(world, assoc, key.arn, LOGS_WINDOW, event, "associate")


@folds("logs:DisassociateKmsKey")
def _disassociate(world: World, event: Event) -> None:
    _, arn = target_of(event.req, event.account, event.region)
    assoc = world.associations.get(arn)
    if assoc is None or assoc.state in ("none", "disassociating"):
        return  # A-LOGS-NO-KEY noop: nothing to change
    begin_change(world, assoc, None, LOGS_WINDOW, event, "disassociate")


# -- queries -----------------------------------------------------------------------------

@folds("logs:StartQuery")
def _start_query(world: World, event: Event) -> None:
    qr = query_result_arn(event.region, event.account)
    plan = query_plan(world, event.req, event.account, event.region, event.actor,
                      accepted=True)
    keys, sources = plan.keys, plan.sources
    qid = str(event.res["queryId"])
    expires = event.t + QUERY_RESULT_TTL_DAYS * DAY
    world.add_item(DataItem(event.seq, "query-result", qr, event.account, event.region, event.t,
                            keys, _cause(event, "R-LOGS-08"), expires_at=expires,
                            extra={"queryId": qid, "sources": sources}))
    world.state(LogsState).queries[qid] = event.seq
    world.schedule(expires, "query-expiry", str(event.seq), event.seq, event.seq)


@on_timer("query-expiry", priority=4)
def _query_expired(world: World, timer: Timer) -> None:
    item = world.items.get(int(timer.target))
    if item is not None and item.gone is None:
        item.gone = Cause(timer.due, None, "R-LOGS-35",
                          f"query results of event #{timer.seq} kept 7 days")


def _logs_shape(world: World, item: DataItem) -> tuple:
    """What :func:`~projections.logs.model.verdicts_for` reads from an item: the resource
    (its encryption context), the Region (the service principal) and the possible keys.
    A batch's own time, span and expiry do not change its answer (gone is answered first)."""
    return item.resource, item.region, item.keys


@evaluates("log-events", shape=_logs_shape, timeless=True)
def _log_events(world: World, item: DataItem, principal: str) -> list:
    return verdicts_for(world, item, "R-LOGS-33", principal)


@evaluates("query-result", shape=_logs_shape, timeless=True)
def _query_result(world: World, item: DataItem, principal: str) -> list:
    return verdicts_for(world, item, "R-LOGS-60", principal)


# -- the simulator's logs operations (sim/services/simops/logs.py) ---------------------------

@folds("sim:InjectFault")
def _inject_fault(world: World, event: Event) -> None:
    world.state(LogsState).faults.append(Fault(
        str(event.req["Operation"]), event.region, event.t,
        event.t + parse_duration(str(event.req["Duration"])), event.seq))


@folds("sim:Link")
def _link(world: World, event: Event) -> None:
    pair = (str(event.req["MonitoringAccount"]), str(event.req["SourceAccount"]))
    links = world.state(LogsState).links
    if pair not in links:
        links.append(pair)
