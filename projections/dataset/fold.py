"""The CloudWatch dataset on the read side (SPEC 3.3): folds, its metric index, and the
decryptability of metric data.

The dataset's association is an :class:`~projections.model.Association` (kind
``dataset``) changed only through :func:`projections.windows.begin_change`. A
disassociation also leaves a :class:`~projections.dataset.release.Release`: the 3-hour
enforcement window whose end lifts the callers' kms:Decrypt requirement on the previous key
(R-DS-20..23) and, as A-DS-RELEASE says, frees or keeps bound the data under it (R-DS-47,
R-DS-48). Metric values stay in the event's ``req``; the fold keeps one small
:class:`DataItem` per PutMetricData call plus a per-series columnar index (timestamps,
values, events as compact arrays, cheap to checkpoint) so that GetMetricData answers from
the world alone.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace

from events.record import Event
from events.timefmt import HOUR, format_time, parse_aws_timestamp
from projections.arns import CLOUDWATCH_PRINCIPAL, account_of_arn, dataset_arn
from projections.dataset.release import Release, end_moments, freed_over
from projections.decrypt import (
    Verdict,
    caller_can_decrypt,
    caller_decisions,
    evaluates,
    key_usable,
    policy_verdict,
    with_grant,
)
from projections.model import Association, Cause, DataItem
from projections.windows import begin_change, change_now
from projections.world import World, folds

#: How long a disassociation can take to take effect (SPEC 5; the associate has no window).
DISASSOCIATE_WINDOW = 3 * HOUR

SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]
#: One series' points as columns: timestamps (ms), values, the events that wrote them.
SeriesColumns = tuple[array, array, array]
#: One shared tuple per distinct key set: a million items share a handful of tuples.
_KEY_SETS: dict[tuple[str | None, ...], tuple[str | None, ...]] = {}


@dataclass
class DatasetState:
    """One dataset's fold state: its metric index and its disassociation windows."""

    series: dict[SeriesKey, SeriesColumns] = field(default_factory=dict)
    releases: list[Release] = field(default_factory=list)  # in Disassociate order


@dataclass
class DatasetsState:
    """The dataset area's state in the world: each dataset's, by dataset ARN."""

    by_arn: dict[str, DatasetState] = field(default_factory=dict)


def dataset_state(world: World, arn: str) -> DatasetState:
    """The dataset's fold state, made on first use (for folds)."""
    by_arn = world.state(DatasetsState).by_arn
    state = by_arn.get(arn)
    if state is None:
        state = by_arn[arn] = DatasetState()
    return state


def dataset_of(world: World, arn: str) -> DatasetState | None:
    """The dataset's fold state if a fold made it (to read: creates nothing)."""
    return world.peek(DatasetsState).by_arn.get(arn)


def current_key(assoc: Association | None) -> str | None:
    """The key the API reports as associated (GetDataset's KmsKeyArn): none once a
    Disassociate has completed, even while its 3-hour window runs."""
    if assoc is None:
        return None
    if assoc.state == "associating":
        return assoc.pending
    if assoc.state == "associated":
        return assoc.key
    return None


def service_context(account: str, region: str) -> dict[str, str]:
    """The condition keys CloudWatch's own KMS calls carry (dry runs and reads alike)."""
    return {"aws:SourceAccount": account, "aws:SourceArn": dataset_arn(region, account)}


def caller_context(principal: str) -> dict[str, str]:
    """The condition keys of a caller's kms:Decrypt (dry runs and reads alike)."""
    account = account_of_arn(principal)
    return {"kms:CallerAccount": account} if account else {}


def time_ms(value: object, default: int) -> int:
    """A CloudWatch timestamp: epoch seconds (as boto3 sends it), RFC 3339, or ``default``."""
    t = parse_aws_timestamp(value)
    return default if t is None else t


def series_key(namespace: str, name: str, dims: list | None) -> SeriesKey:
    """A metric's identity: namespace, name and its dimensions as a sorted tuple."""
    return (namespace, name, tuple(sorted((str(d["Name"]), str(d["Value"]))
                                          for d in dims or ())))


# -- folds --------------------------------------------------------------------------------
def _assoc(world: World, event: Event) -> Association:
    return world.association(dataset_arn(event.region, event.account), "dataset",
                             event.account, event.region)


@folds("cloudwatch:AssociateDatasetKmsKey")
def _associate(world: World, event: Event) -> None:
    assoc = _assoc(world, event)
    key = world.find_key(str(event.req["KmsKeyArn"]), event.account, event.region)
    if key is None:  # the command side accepted it, so the world must know the key
        raise LookupError(f"event #{event.seq}: key {event.req['KmsKeyArn']!r} not in the world")
    if assoc.last_change == event.t and current_key(assoc) == key.arn:
        return  # A-CONFLICT 'idempotent': a repeat of the change just made changes nothing
    # Points already written keep their key (R-DS-49): only the association moves.
    trigger = "replace" if current_key(assoc) else "associate"  # R-DS-04, R-DS-01
    state = dataset_state(world, assoc.resource)
    # Associating a key again inside its own window cancels that window's release: the
    # data under it depends on it again.
    state.releases = [dc_replace(r, keys=tuple(k for k in r.keys if k != key.arn))
                      if r.end > event.t and key.arn in r.keys else r
                      for r in state.releases]
    change_now(world, assoc, key.arn, event, trigger)


@folds("cloudwatch:DisassociateDatasetKmsKey")
def _disassociate(world: World, event: Event) -> None:
    assoc = _assoc(world, event)
    if assoc.last_change == event.t and current_key(assoc) is None:
        return  # A-CONFLICT 'idempotent' repeat
    previous = tuple(k for k in assoc.candidates() if k is not None)
    begin_change(world, assoc, None, DISASSOCIATE_WINDOW, event, "disassociate")
    effective = event.t if assoc.state == "none" else assoc.effective_at
    dataset_state(world, assoc.resource).releases.append(
        Release(previous, event.t, event.t + DISASSOCIATE_WINDOW, effective, event.seq))


@folds("cloudwatch:PutMetricData")
def _put_metric_data(world: World, event: Event) -> None:
    arn = dataset_arn(event.region, event.account)
    assoc = world.associations.get(arn)
    candidates = assoc.candidates() if assoc is not None else (None,)
    keys = _KEY_SETS.setdefault(candidates, candidates)
    # Items stay small (a million of them must fit): no cause for a plain write (R-DS-30);
    # a write inside a disassociation window keeps one, for explanations: some data may
    # still be under the previous key (R-DS-22), which data is A-PROPAGATION's (R-DS-42).
    cause = (Cause(event.t, event.seq, "R-DS-42", event.op)
             if assoc is not None and assoc.state == "disassociating" else None)
    # A plain write (no cause) is a row of the live store's columns, not an object.
    world.items.add(event.seq, "metric-data", arn, event.account, event.region, event.t, keys,
                    cause)
    series = dataset_state(world, arn).series
    namespace = event.req["Namespace"]
    for datum in event.req.get("MetricData", ()):
        if datum.get("Value") is None:
            continue
        key = series_key(namespace, datum["MetricName"], datum.get("Dimensions"))
        columns = series.get(key)
        if columns is None:
            columns = series[key] = (array("q"), array("d"), array("q"))
        columns[0].append(time_ms(datum.get("Timestamp"), event.t))
        columns[1].append(float(datum["Value"]))
        columns[2].append(event.seq)


def series_points(world: World, arn: str, key: SeriesKey) -> Iterator[tuple[int, float, int]]:
    """The (timestamp, value, event) points of one series of the dataset, in write order."""
    state = dataset_of(world, arn)
    columns = None if state is None else state.series.get(key)
    if columns is not None:
        yield from zip(*columns, strict=True)


# -- decryptability -----------------------------------------------------------------------
def _release_of(releases: list[Release], key: str, written_at: int) -> Release | None:
    """The disassociation that frees data written under ``key`` at ``written_at``: the first
    one of that key whose window had not ended when the data was written."""
    for r in releases:
        if key in r.keys and r.end > written_at:
            return r
    return None


def _tag(v: Verdict, rule: str, extra_events: tuple[int, ...] = ()) -> Verdict:
    """Add the dataset rule that applied a generic verdict."""
    return Verdict(v.readable, v.key, v.reasons, (rule, *v.rules), (*v.events, *extra_events),
                   v.permanent)


def _needs_key(world: World, item: DataItem, key_arn: str, principal: str
               ) -> list[Verdict]:
    """R-DS-32: the point needs its key usable by CloudWatch and the caller's kms:Decrypt
    (one verdict per possibility: a grant inside its window may or may not give it,
    R-KMS-GRANT-08)."""
    usable = key_usable(world, key_arn, CLOUDWATCH_PRINCIPAL,
                        service_context(item.account, item.region))
    if not usable.readable:
        return [_tag(usable, "R-DS-32")]
    key = world.key_by_arn(key_arn)
    assert key is not None
    return [_tag(with_grant(usable, d), "R-DS-32") if d.allowed else
            _tag(policy_verdict(key, principal, d), "R-DS-02")
            for d in caller_decisions(world, key, principal, caller_context(principal))]


def _released(world: World, item: DataItem, key_arn: str, principal: str, release: Release,
              mode: str) -> list[Verdict]:
    """The possibilities of a point under ``key_arn`` once ``release`` has taken effect, as
    A-DS-RELEASE (``mode``) says: free of the key (R-DS-47) or still bound to it (R-DS-48).

    The moment the change took effect decides (``end_moments``); when the window model
    leaves it open, each distinct outcome over the possible moments is one possibility.
    """
    if mode == "kept":
        return [Verdict(v.readable, v.key, (
            f"R-DS-48: A-DS-RELEASE = kept: data written under {key_arn} still needs it after "
            f"the disassociation of event #{release.seq}", *v.reasons),
            ("R-DS-48", *v.rules), (release.seq, *v.events), v.permanent)
            for v in _needs_key(world, item, key_arn, principal)]
    span = end_moments(release, item.written_at, world.now)
    key = world.key_by_arn(key_arn)
    if span is None or key is None:
        return []
    context = service_context(item.account, item.region)
    outcomes = freed_over(world, key, span, mode, context)
    exact = span[1] - span[0] == 1
    lifted = (f"R-DS-23: the callers' kms:Decrypt requirement on {key_arn} was lifted when the "
              f"window of event #{release.seq} elapsed")
    out = []
    for free, (t, why) in outcomes.items():
        when = (f"took effect at {format_time(t)}; then" if exact else
                f"may have taken effect at any moment from {format_time(span[0])} to "
                f"{format_time(span[1] - 1)}; had it at {format_time(t)},")
        if free:
            out.append(Verdict(True, key_arn, (
                f"R-DS-47: the disassociation of event #{release.seq} {when} {why}, so the data "
                f"no longer depends on {key_arn}", lifted), ("R-DS-47", "R-DS-23"),
                (release.seq,)))
            continue
        usable = key_usable(world, key_arn, CLOUDWATCH_PRINCIPAL, context)
        text = (f"R-DS-48: the disassociation of event #{release.seq} {when} {why}, so the "
                f"data still needs {key_arn} usable by CloudWatch")
        if usable.readable:
            again = ((f"R-DS-28: {key_arn} was only disabled; re-enabled, CloudWatch decrypts "
                      "the existing metric data again",) if why.endswith("Disabled") else ())
            out.append(Verdict(True, key_arn, (text, *again, lifted, *usable.reasons),
                               ("R-DS-48", *(("R-DS-28",) if again else ()), "R-DS-23",
                                *usable.rules), (release.seq, *usable.events)))
        else:
            out.append(Verdict(False, key_arn, (text, *usable.reasons),
                               ("R-DS-48", *usable.rules), (release.seq, *usable.events),
                               usable.permanent))
    return out


def _window_requirement(world: World, item: DataItem, key_arn: str | None, principal: str,
                        open_windows: list[tuple[Release, bool]]) -> Verdict | None:
    """R-DS-21: while a window's requirement holds, readers need kms:Decrypt on its key, for
    every point of the dataset under A-DS-WINDOW-READERS = all (R-DS-46)."""
    if world.setting("ds_window_readers") != "all":
        return None
    for release, holds in open_windows:
        if not holds:
            continue
        for prev in release.keys:
            key = world.key_by_arn(prev)
            if prev == key_arn or key is None:
                continue
            decision = caller_can_decrypt(world, key, principal, caller_context(principal))
            if not decision.allowed:
                v = policy_verdict(key, principal, decision)
                return Verdict(False, key_arn, (
                    f"R-DS-21: until the disassociation of event #{release.seq} takes effect "
                    f"(3 hours at most) readers still need kms:Decrypt on {prev}", *v.reasons),
                    ("R-DS-21", "R-DS-46", *v.rules), (release.seq, *v.events))
    return None


def metric_data_shape(world: World, item: DataItem) -> tuple:
    """What :func:`metric_data_verdicts` reads from a point: its dataset, account, Region and
    possible keys, and where its write time falls against each disassociation window.

    The write time matters only through the windows: which one frees the point (the first
    of its key not ended when it was written: before ``start``, inside, or after ``end``)
    and, inside an uncertain window (no ``effective`` moment), from when the change may have
    taken effect for it (``end_moments``: just after the write), so such a point keeps its
    own time in its shape.
    """
    state = dataset_of(world, item.resource)
    t = item.written_at
    where: list[tuple[int, ...]] = []
    for r in () if state is None else state.releases:
        if t < r.start:
            where.append((0,))
        elif t >= r.end:
            where.append((2,))
        elif r.effective is None:
            where.append((1, t))  # end_moments starts just after the write: its own shape
        else:
            where.append((1,))
    return item.resource, item.account, item.region, item.keys, tuple(where)


@evaluates("metric-data", shape=metric_data_shape)
def metric_data_verdicts(world: World, item: DataItem, principal: str) -> list[Verdict]:
    """One verdict per possibility: each key the point may be under, times whether each
    relevant disassociation window's requirement still holds (A-PROPAGATION), times, once a
    window has ended, what it left the point needing (A-DS-RELEASE)."""
    state = dataset_of(world, item.resource)
    releases = [] if state is None else state.releases
    mode = world.setting("ds_release")
    opened = [r for r in releases if r.start <= world.now < r.end and r.keys]
    verdicts: list[Verdict] = []
    for key_arn in item.keys:
        release = _release_of(releases, key_arn, item.written_at) if key_arn else None
        windows = list(dict.fromkeys([*opened, *([release] if release else [])]))
        for phases in itertools.product(*(w.phases(world.now) for w in windows)):
            holds = dict(zip(windows, phases, strict=True))
            blocked = _window_requirement(world, item, key_arn, principal,
                                          [(w, holds[w]) for w in opened])
            if blocked is not None:
                verdicts.append(blocked)
            elif key_arn is None:
                verdicts.append(Verdict(True, None, ("R-DS-16: under the AWS owned key",),
                                        ("R-DS-16",)))
            elif release is None or holds[release]:
                verdicts.extend(_needs_key(world, item, key_arn, principal))
            else:
                verdicts.extend(_released(world, item, key_arn, principal, release, mode))
    return verdicts


__all__ = ["DISASSOCIATE_WINDOW", "DatasetState", "DatasetsState", "Release",
           "caller_context", "current_key", "dataset_of", "dataset_state", "metric_data_shape",
           "metric_data_verdicts", "series_key", "series_points", "service_context", "time_ms"]
