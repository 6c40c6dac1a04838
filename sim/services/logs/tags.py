"""Log group tags (issue 13, part L1): TagResource, UntagResource, ListTagsForResource by
the log group's ARN (without ':*'), and the legacy TagLogGroup, UntagLogGroup,
ListTagsLogGroup by its name. CreateLogGroup's ``tags`` go through :func:`check_tags` too.

The folds are in :mod:`projections.logs.manage`; the tags live on the log group.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from projections.arns import LOG_GROUP_ARN, PARTITION
from projections.logs.manage import tagged_group
from projections.logs.model import LogGroup
from sim.errors import AwsError
from sim.params import Param, java_text, validation_message
from sim.services.logs.common import (
    GROUP_NAME_REQ,
    IPE,
    NO_GROUP,
    RNF,
    check,
    check_fault,
    foreign_arn,
    require_group,
)
from sim.services.registry import CallContext, operation

MAX_TAGS = 50
#: The model's TagKey and TagValue patterns (Java's \p classes, checked by tag_text).
KEY_PATTERN = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$"
VALUE_PATTERN = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$"
RESOURCE_ARN = Param("resourceArn", str, required=True, min=1, max=1011,
                     pattern=r"[\w+=/:,.@-]*")
TAGS_REQ = Param("tags", dict, required=True, min=1, max=MAX_TAGS)


def tag_text(text: object, lo: int, hi: int) -> bool:
    """A tag key (lo 1, hi 128) or value (0, 256): letters, separators, digits, _.:/=+-@."""
    return isinstance(text, str) and lo <= len(text) <= hi and all(
        unicodedata.category(c)[0] in "LZN" or c in "_.:/=+-@" for c in text)


def _key_parts(keys: Iterable[object]) -> str | None:
    if all(tag_text(k, 1, 128) for k in keys):
        return None
    return ("Member must have length less than or equal to 128, Member must have length "
            f"greater than or equal to 1, Member must satisfy regular expression pattern: "
            f"{KEY_PATTERN}")


def check_tags(tags: object, member: str = "tags") -> None:
    """Tag keys and values as the model constrains them (R-LOGS-19, R-LOGS-API-43), in
    AWS's form for a map's keys and values."""
    if not isinstance(tags, dict):
        return  # the type and size are the Param's to check
    parts = []
    keys = _key_parts(tags)
    if keys:
        parts.append(f"Value '{java_text(tags)}' at '{member}' failed to satisfy constraint: "
                     f"Map keys must satisfy constraint: [{keys}]")
    if not all(tag_text(v, 0, 256) for v in tags.values()):
        parts.append(f"Value '{java_text(tags)}' at '{member}' failed to satisfy constraint: "
                     "Map value must satisfy constraint: [Member must have length less than "
                     f"or equal to 256, Member must satisfy regular expression pattern: "
                     f"{VALUE_PATTERN}]")
    if parts:
        raise AwsError(IPE, validation_message(parts), "R-LOGS-19")


def _check_keys(keys: object, member: str) -> None:
    """A list of tag keys (UntagResource's tagKeys, UntagLogGroup's tags) (R-LOGS-19)."""
    if isinstance(keys, list) and _key_parts(keys):
        raise AwsError(IPE, validation_message([
            f"Value '{java_text(keys)}' at '{member}' failed to satisfy constraint: Member "
            f"must satisfy constraint: [{_key_parts(keys)}]"]), "R-LOGS-19")


def _resource(ctx: CallContext, arn: str) -> LogGroup:
    """The log group a tagging resourceArn names (R-LOGS-API-37)."""
    m = LOG_GROUP_ARN.fullmatch(arn)
    if m is None or arn.split(":", 2)[1] != PARTITION:  # a destination, or nothing kmsim has
        raise AwsError(RNF, f"The specified resource does not exist: {arn}", "R-LOGS-API-37")
    if (m.group(1), m.group(2)) != (ctx.region, ctx.account):
        raise foreign_arn(ctx, NO_GROUP)
    g = tagged_group(ctx.world, arn)
    if g is None:
        raise AwsError(RNF, NO_GROUP, "R-LOGS-17")
    return g


def _too_many(g: LogGroup, tags: dict) -> str | None:
    """Why ``tags`` would give ``g`` more than 50 tags (R-LOGS-API-35), or None."""
    n = len({**g.tags, **tags})
    if n <= MAX_TAGS:
        return None
    return f"A resource can have no more than {MAX_TAGS} tags: {g.name} would have {n}"


@operation("logs:TagResource")
def tag_resource(ctx: CallContext, req: dict) -> dict:
    """Add or replace tags of a log group named by ARN (R-LOGS-API-34, -35, -37)."""
    check(req, RESOURCE_ARN, TAGS_REQ)
    check_tags(req["tags"])
    g = _resource(ctx, req["resourceArn"])
    if too_many := _too_many(g, req["tags"]):
        raise AwsError("TooManyTagsException", too_many, "R-LOGS-API-35")
    check_fault(ctx, "logs:TagResource")
    return {}


@operation("logs:UntagResource")
def untag_resource(ctx: CallContext, req: dict) -> dict:
    """Remove tags (by key) from a log group named by ARN (R-LOGS-API-38)."""
    check(req, RESOURCE_ARN, Param("tagKeys", list, required=True, min=0, max=MAX_TAGS))
    _check_keys(req["tagKeys"], "tagKeys")
    _resource(ctx, req["resourceArn"])
    check_fault(ctx, "logs:UntagResource")
    return {}


@operation("logs:ListTagsForResource")
def list_tags_for_resource(ctx: CallContext, req: dict) -> dict:
    """The tags of a log group named by ARN (R-LOGS-API-39)."""
    check(req, RESOURCE_ARN)
    g = _resource(ctx, req["resourceArn"])
    check_fault(ctx, "logs:ListTagsForResource")
    return {"tags": dict(g.tags)}


@operation("logs:TagLogGroup")
def tag_log_group(ctx: CallContext, req: dict) -> dict:
    """Add or update tags of a log group named by name (R-LOGS-API-40, -35, -36)."""
    check(req, GROUP_NAME_REQ, TAGS_REQ)
    check_tags(req["tags"])
    g = require_group(ctx, req["logGroupName"])
    if too_many := _too_many(g, req["tags"]):
        raise AwsError(IPE, too_many, "R-LOGS-API-36")
    return {}  # its model lists no ServiceUnavailableException: no fault check


@operation("logs:UntagLogGroup")
def untag_log_group(ctx: CallContext, req: dict) -> dict:
    """Remove tags (by key) from a log group named by name (R-LOGS-API-41)."""
    check(req, GROUP_NAME_REQ, Param("tags", list, required=True, min=1))
    _check_keys(req["tags"], "tags")
    require_group(ctx, req["logGroupName"])
    return {}  # its model lists no ServiceUnavailableException: no fault check


@operation("logs:ListTagsLogGroup")
def list_tags_log_group(ctx: CallContext, req: dict) -> dict:
    """The tags of a log group named by name (R-LOGS-API-42)."""
    check(req, GROUP_NAME_REQ)
    g = require_group(ctx, req["logGroupName"])
    check_fault(ctx, "logs:ListTagsLogGroup")
    return {"tags": dict(g.tags)}
