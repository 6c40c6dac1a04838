"""AWS identifiers as SPEC 3 spells them: building and recognising ARNs."""

from __future__ import annotations

import re

KEY_ARN = re.compile(r"(?a)arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/([A-Za-z0-9-]+)")
ALIAS_ARN = re.compile(r"(?a)arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias/.+)")
LOG_GROUP_ARN = re.compile(
    r"(?a)arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:*]+)(?::\*)?")
QUERY_RESULT_ARN = re.compile(r"(?a)arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):query-result:\*")
DATASET_ARN = re.compile(r"(?a)arn:aws[a-z-]*:cloudwatch:([a-z0-9-]*):(\d{12}):dataset/default")
IAM_ARN = re.compile(r"(?a)arn:aws[a-z-]*:iam::(\d{12}):(root|user/.+|role/.+)")
ACCOUNT = re.compile(r"(?a)\d{12}")
REGION = re.compile(r"(?a)[a-z]{2}(-[a-z]+)+-\d")
#: The partition of every simulated resource (the patterns above recognise any ``aws...``
#: partition, so that an ARN naming another one is refused by name, not by shape).
PARTITION = "aws"


def key_arn(region: str, account: str, key_id: str) -> str:
    """``arn:aws:kms:REGION:ACCOUNT:key/UUID``."""
    return f"arn:{PARTITION}:kms:{region}:{account}:key/{key_id}"


def key_arn_mismatch(ref: str, actual: str) -> str | None:
    """Why the key ARN ``ref`` does not name the key whose ARN is ``actual`` (R-KMS-34): the
    first of partition, Region, account and key id that differs, or None when they agree."""
    given, own = ref.split(":", 5), actual.split(":", 5)
    if len(given) != 6 or len(own) != 6:
        return "it is not a key ARN"
    for i, part in ((1, "partition"), (3, "Region"), (4, "account"), (5, "key id")):
        if given[i] != own[i]:
            return f"its {part} {given[i]!r} is not the key's own ({own[i]!r})"
    return None


def alias_arn(region: str, account: str, alias: str) -> str:
    """``arn:aws:kms:REGION:ACCOUNT:alias/NAME``."""
    return f"arn:aws:kms:{region}:{account}:{alias}"


def log_group_arn(region: str, account: str, name: str) -> str:
    """``arn:aws:logs:REGION:ACCOUNT:log-group:NAME``."""
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


def query_result_arn(region: str, account: str) -> str:
    """The account's query-result resource, ``arn:aws:logs:REGION:ACCOUNT:query-result:*``."""
    return f"arn:aws:logs:{region}:{account}:query-result:*"


def dataset_arn(region: str, account: str) -> str:
    """The implicit default dataset, ``arn:aws:cloudwatch:REGION:ACCOUNT:dataset/default``."""
    return f"arn:aws:cloudwatch:{region}:{account}:dataset/default"


def root_arn(account: str) -> str:
    """The account root principal."""
    return f"arn:aws:iam::{account}:root"


def logs_principal(region: str) -> str:
    """The CloudWatch Logs service principal of a region."""
    return f"logs.{region}.amazonaws.com"


CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"


def account_of_arn(arn: str) -> str | None:
    """The account id in an ARN (IAM ARNs have an empty region field)."""
    parts = arn.split(":")
    if len(parts) >= 5 and parts[0] == "arn" and ACCOUNT.fullmatch(parts[4]):
        return parts[4]
    return None


def short_resource(arn: str) -> str:
    """The scenario-style name of a resource ARN (``logs:app``, ``cloudwatch:dataset``)."""
    if m := LOG_GROUP_ARN.fullmatch(arn):
        return f"logs:{m.group(3)}"
    if QUERY_RESULT_ARN.fullmatch(arn):
        return "logs:query-result"
    if DATASET_ARN.fullmatch(arn):
        return "cloudwatch:dataset"
    return arn


def resource_from_name(name: str, region: str, account: str) -> str:
    """The ARN a scenario's resource name stands for (``logs:NAME``, ``logs:query-result``,
    ``cloudwatch:dataset``); an ARN is returned as given. Raises ValueError otherwise."""
    if name.startswith("arn:"):
        return name
    if name == "cloudwatch:dataset":
        return dataset_arn(region, account)
    if name == "logs:query-result":
        return query_result_arn(region, account)
    if name.startswith("logs:") and len(name) > 5:
        return log_group_arn(region, account, name[5:])
    raise ValueError(
        f"unknown resource {name!r}: write logs:NAME, logs:query-result, cloudwatch:dataset "
        "or an ARN"
    )
