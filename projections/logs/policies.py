"""CloudWatch Logs configuration kept beside the log groups: resource policies and metric
filters (issue 13), as one area state, :class:`LogsConfigState`.

Both are configuration: they decide no decryptability (R-LOGS-POL-09), and kmsim does not
extract metric data from log events with a filter. A metric filter belongs to its log group
(R-LOGS-MF-08) and a resource-scoped policy to the group its ``resourceArn`` names: each
remembers the event that created that group, so a filter of a group that was deleted (and
perhaps created again) is never shown, without a fold of DeleteLogGroup here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from events.record import Event
from projections.arns import LOG_GROUP_ARN, log_group_arn
from projections.logs.model import LogGroup, group
from projections.world import World, folds


@dataclass
class ResourcePolicy:
    """One resource policy as DescribeResourcePolicies shows it."""

    name: str
    document: str
    updated: int                 # lastUpdatedTime, ms
    resource_arn: str | None = None   # a resource-scoped policy's log group ARN
    revision_id: str | None = None
    group_seq: int | None = None      # the event that created that log group


@dataclass
class MetricFilter:
    """One metric filter of a log group."""

    name: str
    pattern: str
    transformations: list[dict]
    created: int                 # creationTime, ms
    extra: dict = field(default_factory=dict)  # the optional members given, as given


@dataclass
class GroupFilters:
    """The metric filters of one log group, for the group created by event ``group_seq``."""

    group_seq: int
    filters: dict[str, MetricFilter] = field(default_factory=dict)


@dataclass
class LogsConfigState:
    """Resource policies (account-scoped by (account, region, name), resource-scoped by log
    group ARN) and metric filters (by log group ARN)."""

    account_policies: dict[tuple[str, str, str], ResourcePolicy] = field(default_factory=dict)
    resource_policies: dict[str, ResourcePolicy] = field(default_factory=dict)
    filters: dict[str, GroupFilters] = field(default_factory=dict)


#: The optional PutMetricFilter members a filter keeps and DescribeMetricFilters shows.
FILTER_EXTRAS = ("applyOnTransformedLogs", "fieldSelectionCriteria", "emitSystemFieldDimensions")


def canonical_group_arn(arn: str) -> str | None:
    """The log group ARN a ``resourceArn`` names (with or without its ``:*``), or None."""
    m = LOG_GROUP_ARN.fullmatch(arn.removesuffix(":*"))
    return None if m is None else log_group_arn(*m.groups())


def config_state(world: World) -> LogsConfigState:
    """The state, to read (creates nothing)."""
    return world.peek(LogsConfigState)


def _live(world: World, arn: str, group_seq: int | None) -> LogGroup | None:
    """The log group ``arn`` if it is the one created by event ``group_seq``."""
    g = group(world, arn)
    return g if g is not None and g.created.seq == group_seq else None


def account_policies(world: World, account: str, region: str) -> list[ResourcePolicy]:
    """The account-scoped resource policies of an account and Region, by name."""
    pols = config_state(world).account_policies
    return sorted((p for (a, r, _), p in pols.items() if a == account and r == region),
                  key=lambda p: p.name)


def resource_policy(world: World, arn: str) -> ResourcePolicy | None:
    """The resource-scoped policy of log group ``arn``, while that group lives."""
    p = config_state(world).resource_policies.get(arn)
    return p if p is not None and _live(world, arn, p.group_seq) is not None else None


def resource_policies(world: World, account: str, region: str) -> list[ResourcePolicy]:
    """The resource-scoped policies of an account's live log groups, by log group ARN."""
    prefix = log_group_arn(region, account, "")
    return [p for arn, p in sorted(config_state(world).resource_policies.items())
            if arn.startswith(prefix) and resource_policy(world, arn) is p]


def metric_filters(world: World, arn: str) -> dict[str, MetricFilter]:
    """The metric filters of log group ``arn`` (empty when it has none or does not exist)."""
    entry = config_state(world).filters.get(arn)
    g = group(world, arn)
    if entry is None or g is None or g.created.seq != entry.group_seq:
        return {}
    return entry.filters


# -- folds --------------------------------------------------------------------------------

@folds("logs:PutResourcePolicy")
def _put_policy(world: World, event: Event) -> None:
    req, res = event.req, event.res
    state = world.state(LogsConfigState)
    arn = canonical_group_arn(str(req["resourceArn"])) if req.get("resourceArn") else None
    if arn:
        g = group(world, arn)
        assert g is not None  # the handler checked it (R-LOGS-POL-05)
        state.resource_policies[arn] = ResourcePolicy(
            str(req.get("policyName", "")), str(req["policyDocument"]), event.t, arn,
            str(res["revisionId"]), g.created.seq)
        return
    key = (event.account, event.region, str(req["policyName"]))
    state.account_policies[key] = ResourcePolicy(key[2], str(req["policyDocument"]), event.t)


@folds("logs:DeleteResourcePolicy")
def _delete_policy(world: World, event: Event) -> None:
    state = world.state(LogsConfigState)
    arn = event.req.get("resourceArn")
    if arn:
        state.resource_policies.pop(canonical_group_arn(str(arn)) or "", None)
    else:
        state.account_policies.pop((event.account, event.region,
                                    str(event.req["policyName"])), None)


@folds("logs:PutMetricFilter")
def _put_filter(world: World, event: Event) -> None:
    req = event.req
    arn = log_group_arn(event.region, event.account, str(req["logGroupName"]))
    g = group(world, arn)
    assert g is not None  # the handler checked it (R-LOGS-MF-01)
    state = world.state(LogsConfigState)
    entry = state.filters.get(arn)
    if entry is None or entry.group_seq != g.created.seq:
        entry = state.filters[arn] = GroupFilters(g.created.seq)  # a new group: no filters
    name = str(req["filterName"])
    # a put replaces the filter whole ("creates or updates"), creationTime included
    entry.filters[name] = MetricFilter(
        name, str(req["filterPattern"]), [dict(t) for t in req["metricTransformations"]],
        event.t, {k: req[k] for k in FILTER_EXTRAS if req.get(k) is not None})


@folds("logs:DeleteMetricFilter")
def _delete_filter(world: World, event: Event) -> None:
    arn = log_group_arn(event.region, event.account, str(event.req["logGroupName"]))
    entry = world.state(LogsConfigState).filters.get(arn)
    if entry is not None:
        entry.filters.pop(str(event.req["filterName"]), None)
