"""Pages of ListKeys, ListAliases and DescribeLogGroups (R-KMS-24, R-KMS-25, R-LOGS-43):
through the Simulator, and through boto3's own paginators against ``kmsim serve``."""

from __future__ import annotations

import pytest
from server_support import client, running

from sim.services.paging import BadToken, page
from sim.simulator import Simulator

ADMIN_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",' \
    '"Resource":"*"}]}'


def _sim() -> Simulator:
    sim = Simulator(default_principal="admin")
    sim.principal("admin", policy=ADMIN_POLICY)
    return sim


def test_list_keys_pages_with_limit_and_marker() -> None:
    sim = _sim()
    made = [sim.call("kms:CreateKey", {}).get("KeyMetadata.KeyId") for _ in range(5)]
    first = sim.call("kms:ListKeys", {"Limit": 2})
    assert [k["KeyId"] for k in first.get("Keys")] == made[:2]
    assert first.get("Truncated") is True
    second = sim.call("kms:ListKeys", {"Limit": 2, "Marker": first.get("NextMarker")})
    assert [k["KeyId"] for k in second.get("Keys")] == made[2:4]
    last = sim.call("kms:ListKeys", {"Limit": 2, "Marker": second.get("NextMarker")})
    assert [k["KeyId"] for k in last.get("Keys")] == made[4:]
    assert last.get("Truncated") is False and "NextMarker" not in last.res
    everything = sim.call("kms:ListKeys", {})
    assert len(everything.get("Keys")) == 5 and everything.get("Truncated") is False


def test_a_page_continues_after_its_marker_when_an_earlier_item_goes_away() -> None:
    sim = _sim()
    for i in range(4):
        sim.call("kms:CreateKey", {})
        sim.call("kms:CreateAlias", {"AliasName": f"alias/a{i}",
                                     "TargetKeyId": sim.events[-1].res["KeyMetadata"]["KeyId"]})
    first = sim.call("kms:ListAliases", {"Limit": 2})
    assert [a["AliasName"] for a in first.get("Aliases")] == ["alias/a0", "alias/a1"]
    sim.call("kms:DeleteAlias", {"AliasName": "alias/a0"})
    rest = sim.call("kms:ListAliases", {"Marker": first.get("NextMarker")})
    assert [a["AliasName"] for a in rest.get("Aliases")] == ["alias/a2", "alias/a3"]


@pytest.mark.parametrize("marker", ["nope", "eyJvcCI6ImxvZ3M6RGVzY3JpYmVMb2dHcm91cHMiLCJhZnRl"
                                    "ciI6ImEifQ=="])
def test_a_marker_kms_did_not_issue_is_invalid(marker: str) -> None:
    sim = _sim()
    sim.call("kms:CreateKey", {})
    r = sim.call("kms:ListKeys", {"Marker": marker})  # the second: a logs token
    assert (r.outcome, r.rule) == ("InvalidMarkerException", "R-KMS-25")


def test_describe_log_groups_pages_by_name() -> None:
    sim = _sim()
    for name in ("c", "a", "b"):
        sim.call("logs:CreateLogGroup", {"logGroupName": name})
    first = sim.call("logs:DescribeLogGroups", {"limit": 2})
    assert [g["logGroupName"] for g in first.get("logGroups")] == ["a", "b"]
    rest = sim.call("logs:DescribeLogGroups", {"limit": 2, "nextToken": first.get("nextToken")})
    assert [g["logGroupName"] for g in rest.get("logGroups")] == ["c"]
    assert "nextToken" not in rest.res
    bad = sim.call("logs:DescribeLogGroups", {"nextToken": "garbage"})
    assert (bad.outcome, bad.rule) == ("InvalidParameterException", "R-LOGS-86")
    assert bad.event.out["msg"] == "The specified nextToken is invalid."


def test_page_refuses_tokens_of_the_wrong_shape() -> None:
    _, token = page([1, 2, 3], int, 1, None, "x:Op")
    assert token is not None
    assert page([1, 2, 3], int, 5, token, "x:Op") == ([2, 3], None)
    with pytest.raises(BadToken):
        page([1, 2, 3], int, 1, token, "y:Op")  # another operation's token
    _, names = page(["a", "b"], str, 1, None, "x:Op")
    with pytest.raises(BadToken):
        page([1, 2, 3], int, 1, names, "x:Op")  # a name where a number belongs


def test_boto3_paginators_see_every_item() -> None:
    with running() as srv:
        kms, logs = client(srv, "kms"), client(srv, "logs")
        made = {kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(7)}
        for i in range(7):
            logs.create_log_group(logGroupName=f"g{i}")
        keys = [k["KeyId"] for p in kms.get_paginator("list_keys").paginate(
            PaginationConfig={"PageSize": 3}) for k in p["Keys"]]
        assert sorted(keys) == sorted(made) and len(keys) == 7
        groups = [g["logGroupName"] for p in logs.get_paginator("describe_log_groups").paginate(
            PaginationConfig={"PageSize": 3}) for g in p["logGroups"]]
        assert groups == [f"g{i}" for i in range(7)]
