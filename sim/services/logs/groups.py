"""logs:ListLogGroups and logs:DeleteRetentionPolicy (issue 13, part L1).

ListLogGroups is the newer listing: names, ARNs (without ':*') and classes, filtered by a
name pattern, class, tags, and, from a monitoring account, the linked source accounts.
"""

from __future__ import annotations

from projections.logs.model import LogGroup, logs_state
from sim.errors import AwsError
from sim.params import Param, java_text, validation_message
from sim.services.logs.common import (
    BAD_TOKEN,
    GROUP_NAME_REQ,
    IPE,
    check,
    check_fault,
    require_group,
)
from sim.services.logs.tags import KEY_PATTERN, tag_text
from sim.services.paging import BadToken, page
from sim.services.registry import CallContext, operation

CLASSES = ("STANDARD", "INFREQUENT_ACCESS", "DELIVERY", "ESSENTIALS")
#: The model's pattern: up to five ``^?NAME`` patterns of 3..24 characters joined by '|'.
NAME_PATTERN = r"(\^?[\.\-_\/#A-Za-z0-9]{3,24})(\|\^?[\.\-_\/#A-Za-z0-9]{3,24}){0,4}"


def _name_matches(pattern: str | None, name: str) -> bool:
    """R-LOGS-API-45, -46: '^NAME' matches a prefix, 'NAME' a substring; '|' separates."""
    if not pattern:
        return True
    for part in pattern.split("|"):
        if part.startswith("^"):
            if name.startswith(part[1:]):
                return True
        elif part in name:
            return True
    return False


def _tags_match(filters: list[dict], g: LogGroup) -> bool:
    """R-LOGS-API-50: every filter's key, with one of its values when it lists any."""
    for f in filters:
        value = g.tags.get(f["key"])
        if value is None or (f.get("values") and value not in f["values"]):
            return False
    return True


def _check_tag_filters(filters: list) -> None:
    """logGroupTags' members: a tag key (its pattern uses Java's \\p classes, which
    :func:`~sim.services.logs.tags.check_tags` checks) and at most 5 values (R-LOGS-19)."""
    for i, f in enumerate(filters, 1):
        ok = isinstance(f, dict) and tag_text(f.get("key"), 1, 128) and (
            f.get("values") is None or (isinstance(f["values"], list) and len(f["values"]) <= 5
                                        and all(isinstance(v, str) for v in f["values"])))
        if not ok:
            raise AwsError(IPE, validation_message([
                f"Value '{java_text(f)}' at 'logGroupTags.{i}.member' failed to satisfy "
                f"constraint: Member must have a key of 1 to 128 characters matching "
                f"{KEY_PATTERN} and at most 5 values"]), "R-LOGS-19")


@operation("logs:ListLogGroups")
def list_log_groups(ctx: CallContext, req: dict) -> dict:
    """The log groups of the caller's account and Region (and linked accounts), with
    their ARNs and classes (R-LOGS-API-44..50, R-LOGS-API-52)."""
    check(req, Param("logGroupNamePattern", str, min=3, max=129, pattern=NAME_PATTERN),
          Param("logGroupClass", str, enum=CLASSES), Param("includeLinkedAccounts", bool),
          Param("accountIdentifiers", list, min=0, max=20,
                items=Param("accountIdentifiers", str, min=12, max=12, pattern=r"^\d{12}$")),
          Param("nextToken", str, min=1), Param("limit", int, min=1, max=1000),
          Param("dataSources", list, min=1, max=5,
                items=(Param("name", str, required=True), Param("type", str))),
          Param("fieldIndexNames", list, min=1, max=20,
                items=Param("fieldIndexNames", str, min=1, max=512,
                            pattern=r"[\.\-_/#A-Za-z0-9]+")),
          Param("logGroupTags", list, min=1, max=5))
    _check_tag_filters(req.get("logGroupTags") or [])
    accounts = {ctx.account}
    if req.get("includeLinkedAccounts") is True:  # R-LOGS-API-48
        linked = {source for monitoring, source in logs_state(ctx.world).links
                  if monitoring == ctx.account}
        accounts |= linked
        if req.get("accountIdentifiers"):  # only those; without them, every linked one
            accounts &= set(req["accountIdentifiers"])
    cls = req.get("logGroupClass")
    # R-LOGS-API-50: kmsim simulates no data sources or field indexes, so a filter on
    # them keeps nothing
    nothing = bool(req.get("dataSources") or req.get("fieldIndexNames"))
    groups = [g for g in logs_state(ctx.world).groups.values()
              if g.region == ctx.region and g.account in accounts and not nothing
              and _name_matches(req.get("logGroupNamePattern"), g.name)
              and (cls is None or g.log_class == cls)
              and _tags_match(req.get("logGroupTags") or [], g)]
    # a name sorts before the account (' ' is below every name character): one key per group
    groups.sort(key=lambda g: (g.name, g.account))
    check_fault(ctx, "logs:ListLogGroups")
    try:  # R-LOGS-API-49
        shown, token = page(groups, lambda g: f"{g.name} {g.account}", req.get("limit", 50),
                            req.get("nextToken"), "logs:ListLogGroups")
    except BadToken:
        raise AwsError(IPE, BAD_TOKEN, "R-LOGS-API-29") from None
    out: dict = {"logGroups": [{"logGroupName": g.name, "logGroupArn": g.arn,
                                "logGroupClass": g.log_class} for g in shown]}
    if token:
        out["nextToken"] = token
    return out


@operation("logs:DeleteRetentionPolicy")
def delete_retention_policy(ctx: CallContext, req: dict) -> dict:
    """The group's events no longer expire (R-LOGS-API-33)."""
    check(req, GROUP_NAME_REQ)
    require_group(ctx, req["logGroupName"])
    check_fault(ctx, "logs:DeleteRetentionPolicy")
    return {}
