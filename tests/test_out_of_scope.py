"""Operations kmsim does not simulate (R-SRV-OOS-01, A-OOS-ANSWER): every operation of the
kms, logs and cloudwatch models without a handler answers an error naming it, in-process and
through kmsim serve with boto3; an operation no model has stays R-SIM-03; what kmsim
implements is all in botocore's models (sim.services.coverage)."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.exceptions import ClientError
from server_support import client, error_of, running
from support import ACCT, REGION, START

from sim import Simulator
from sim.cli import main
from sim.services import known_operations
from sim.services.coverage import coverage, table
from sim.testing import simulated_aws

#: Operations of the models that kmsim does not simulate and no part of issue 13 adds.
OUT_OF_SCOPE = ("logs:CreateDelivery", "logs:PutTransformer", "cloudwatch:PutMetricAlarm")


def test_every_implemented_operation_is_in_botocore_s_model():
    session = botocore.session.get_session()
    for service, (implemented, missing) in coverage().items():
        model = set(session.get_service_model(service).operation_names)
        assert implemented and set(implemented) <= model, (service, set(implemented) - model)
        assert set(missing) == model - set(implemented)
    # sim: operations are kmsim's own; tests register test: ones (tests/debug_fake.py)
    ops = {op for op in known_operations() if not op.startswith(("sim:", "test:"))}
    assert ops == {f"{s}:{o}" for s, (done, _) in coverage().items() for o in done}
    assert "| logs |" in table()


@pytest.mark.parametrize("op", OUT_OF_SCOPE)
def test_an_out_of_scope_operation_names_itself_in_process(op):
    assert op.split(":")[1] in coverage()[op.split(":")[0]][1]
    sim = Simulator(start=START, account=ACCT, region=REGION)
    before = (dict(sim.world.area_states), len(sim.world.associations))
    r = sim.call(op, {"name": "x"}, at="+1m")
    assert (r.err, r.rule) == ("UnknownOperationException", "R-SRV-OOS-01")
    assert op in r.event.out["msg"] and "does not simulate" in r.event.out["msg"]
    assert sim.events[-1].op == op                       # an event like any other
    assert (dict(sim.world.area_states), len(sim.world.associations)) == before


def test_the_access_denied_alternative():
    sim = Simulator(start=START, account=ACCT, region=REGION,
                    assumptions={"oos_answer": "access-denied"})
    r = sim.call("logs:CreateDelivery", {}, at="+1m")
    assert (r.err, r.rule) == ("AccessDeniedException", "R-SRV-OOS-01")


def test_an_operation_no_model_has_is_still_r_sim_03():
    sim = Simulator(start=START, account=ACCT, region=REGION)
    r = sim.call("logs:MakeCoffee", {}, at="+1m")
    assert (r.err, r.rule) == ("UnknownOperationException", "R-SIM-03")


def test_boto3_against_the_server_gets_a_clear_error():
    with running() as srv:
        logs = client(srv, "logs")
        with pytest.raises(ClientError) as info:
            logs.create_delivery(deliverySourceName="s", deliveryDestinationArn="arn:aws:logs:"
                                 f"{REGION}:{ACCT}:delivery-destination:d")
        code, status, headers = error_of(info)
        assert (code, status, headers["x-kmsim-rule"]) == (
            "UnknownOperationException", 400, "R-SRV-OOS-01")
        assert "logs:CreateDelivery" in info.value.response["Error"]["Message"]
        cw = client(srv, "cloudwatch")
        with pytest.raises(ClientError) as info:
            cw.put_metric_alarm(AlarmName="a", EvaluationPeriods=1, ComparisonOperator=
                                "GreaterThanThreshold")
        assert "cloudwatch:PutMetricAlarm" in info.value.response["Error"]["Message"]
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_boto3_in_process_gets_the_same_error():
    with simulated_aws():
        logs = botocore.session.get_session().create_client(
            "logs", region_name=REGION, aws_access_key_id="AKID", aws_secret_access_key="s")
        with pytest.raises(ClientError) as info:
            logs.put_transformer(logGroupIdentifier="app", transformerConfig=[
                {"parseJSON": {}}])
        assert info.value.response["Error"]["Code"] == "UnknownOperationException"
        assert "logs:PutTransformer" in info.value.response["Error"]["Message"]
        headers = info.value.response["ResponseMetadata"]["HTTPHeaders"]
        assert headers["x-kmsim-rule"] == "R-SRV-OOS-01"


def test_kmsim_ops_lists_the_coverage(capsys):
    assert main(["ops", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {s: (v["simulated"], v["not_simulated"]) for s, v in doc.items()} == {
        s: (done, missing) for s, (done, missing) in coverage().items()}
    assert main(["ops", "--service", "logs", "--missing"]) == 0
    out = capsys.readouterr().out
    assert "CreateDelivery" in out and "PutResourcePolicy" not in out.split("not simulated):")[1]
