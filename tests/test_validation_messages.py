"""Validation errors in AWS's words (R-SRV-20..25, A-VALIDATION-FORM): the message of every
constraint kind, per service and protocol, through the Simulator and through ``kmsim serve``
with boto3; and every hand-written constraint checked against botocore's models (drift)."""

from __future__ import annotations

import botocore.session
import pytest
from support import START

import sim.params as params
from sim import Simulator
from sim.params import MISSING, Param, Violation, coral_part, query_part, validation_message
from sim.services import known_operations
from sim.services.dataset import metrics as cm

RETENTION = ("1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, "
             "2192, 2557, 2922, 3288, 3653")


def message(sim: Simulator, op: str, args: dict) -> tuple[str | None, str, str | None]:
    """(error code, message, rule) of a call that must fail."""
    r = sim.call(op, args)
    assert not r.ok, f"{op} {args} unexpectedly succeeded"
    return r.err, r.event.out["msg"], r.rule


def one(part: str) -> str:
    return validation_message([part])


# -- the formatter ----------------------------------------------------------------------

@pytest.mark.parametrize(("param", "value", "part"), [
    (Param("limit", int, min=1, max=50), 51,
     "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or "
     "equal to 50"),
    (Param("limit", int, min=1, max=50), 0,
     "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or "
     "equal to 1"),
    (Param("name", str, max=3), "abcd",
     "Value 'abcd' at 'name' failed to satisfy constraint: Member must have length less than or "
     "equal to 3"),
    (Param("name", str, min=1), "",
     "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or "
     "equal to 1"),
    (Param("name", str, pattern=r"[a-z]+"), "a1",
     "Value 'a1' at 'name' failed to satisfy constraint: Member must satisfy regular expression "
     "pattern: [a-z]+"),
    (Param("mode", str, enum=("A", "B", "C")), "D",
     "Value 'D' at 'mode' failed to satisfy constraint: Member must satisfy enum value set: "
     "[A, B, C]"),
    (Param("name", str, required=True), None,
     "Value null at 'name' failed to satisfy constraint: Member must not be null"),
    (Param("secret", str, min=1, sensitive=True), "",
     "Value at 'secret' failed to satisfy constraint: Member must have length greater than or "
     "equal to 1"),
    (Param("items", list, min=1), [],
     "Value '[]' at 'items' failed to satisfy constraint: Member must have length greater than "
     "or equal to 1"),
    (Param("items", list, max=1), ["a", "b"],
     "Value '[a, b]' at 'items' failed to satisfy constraint: Member must have length less than "
     "or equal to 1"),
    # kmsim's own wording (A-VALIDATION-FORM): only the Python API can send a wrong type
    (Param("name", str), float("inf"),
     "Value 'Infinity' at 'name' failed to satisfy constraint: Member must be of type string"),
])
def test_each_constraint_kind_in_aws_form(param: Param, value: object, part: str) -> None:
    assert param.check(value) == part


def test_a_pattern_must_match_the_whole_value() -> None:
    assert Param("name", str, pattern=r"[a-z]+").check("abc1") is not None
    assert Param("name", str, pattern=r"[a-z]+").check("abc") is None


def test_a_blob_counts_its_decoded_bytes() -> None:
    blob = Param("Plaintext", str, max=4, blob=True)
    assert blob.check("AAAAAA==") is None             # 4 bytes, 8 characters
    assert blob.check("AAAAAAA=") is not None         # 5 bytes


def test_one_error_is_singular_and_many_are_joined_with_semicolons() -> None:
    assert validation_message(["x"]) == "1 validation error detected: x"
    assert validation_message(["x", "y"]) == "2 validation errors detected: x; y"


def test_list_elements_are_named_with_member_and_counted_from_one() -> None:
    events = Param("logEvents", list, items=(Param("message", str, required=True, min=1),))
    found = events.violations([{"message": "ok"}, {"message": ""}, {}], "logEvents")
    assert [coral_part(v) for v in found] == [
        "Value '' at 'logEvents.2.member.message' failed to satisfy constraint: Member must "
        "have length greater than or equal to 1",
        "Value null at 'logEvents.3.member.message' failed to satisfy constraint: Member must "
        "not be null"]
    names = Param("names", list, items=Param("member", str, min=1))
    assert [v.path for v in names.violations(["a", ""], "names")] == ["names.2.member"]


@pytest.mark.parametrize(("v", "text"), [
    (Violation("Namespace", MISSING, "required", None), "The parameter Namespace is required."),
    (Violation("MetricData.member.1.Dimensions.member.1.Value", "x" * 1025, "max", 1024,
               length=True),
     "The parameter MetricData.member.1.Dimensions.member.1.Value must be shorter than 1025 "
     "characters."),
    (Violation("MetricData", [1] * 1001, "max", 1000, length=True),
     "The collection MetricData must not have a size greater than 1000."),
    (Violation("MetricDataQueries.member.1.Id", "Bad", "pattern", "[a-z][a-zA-Z0-9_]*"),
     "The value Bad for parameter MetricDataQueries.member.1.Id is not matching the expected "
     "pattern ^[a-z][a-zA-Z0-9_]*$."),
    (Violation("ScanBy", "Up", "enum", ("TimestampDescending", "TimestampAscending")),
     "The parameter ScanBy must be a value in the set [ TimestampDescending, "
     "TimestampAscending ]."),
])
def test_cloudwatch_query_form(v: Violation, text: str) -> None:
    assert query_part(v) == text


# -- through the Simulator, per service ---------------------------------------------------

@pytest.fixture
def sim() -> Simulator:
    s = Simulator(start=START)
    assert s.call("logs:CreateLogGroup", {"logGroupName": "app"}).ok
    assert s.call("logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}).ok
    return s


@pytest.mark.parametrize(("op", "args", "expected"), [
    ("kms:DescribeKey", {"KeyId": ""}, one(
        "Value '' at 'keyId' failed to satisfy constraint: Member must have length greater "
        "than or equal to 1")),
    ("kms:DescribeKey", {}, one(
        "Value null at 'keyId' failed to satisfy constraint: Member must not be null")),
    ("kms:ScheduleKeyDeletion", {"KeyId": "k", "PendingWindowInDays": 400}, one(
        "Value '400' at 'pendingWindowInDays' failed to satisfy constraint: Member must have "
        "value less than or equal to 365")),
    ("kms:ListKeys", {"Limit": 0, "Marker": ""}, validation_message([
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
        "than or equal to 1",
        "Value '' at 'marker' failed to satisfy constraint: Member must have length greater "
        "than or equal to 1"])),
    ("kms:Encrypt", {"KeyId": "k", "Plaintext": ""}, one(
        "Value at 'plaintext' failed to satisfy constraint: Member must have length greater "
        "than or equal to 1")),
    ("kms:CreateAlias", {"AliasName": "bad name", "TargetKeyId": "k"}, one(
        "Value 'bad name' at 'aliasName' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: ^[a-zA-Z0-9:/_-]+$")),
    ("kms:GenerateDataKey", {"KeyId": "k", "KeySpec": "AES_512"}, one(
        "Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum "
        "value set: [AES_256, AES_128]")),
])
def test_kms_messages(sim: Simulator, op: str, args: dict, expected: str) -> None:
    code, text, rule = message(sim, op, args)
    assert (code, text) == ("ValidationException", expected)
    assert rule is not None and rule.startswith("R-KMS-")  # the KMS check's own rule


@pytest.mark.parametrize(("args", "expected", "rule"), [
    ({"KeyId": "k", "PendingWindowInDays": 3}, "PendingWindowInDays must be between 7 and 30",
     "R-KMS-08"),
    ({"KeyId": "k", "PendingWindowInDays": 31}, "PendingWindowInDays must be between 7 and 30",
     "R-KMS-08"),
])
def test_kms_own_window_check_after_the_model(sim: Simulator, args: dict, expected: str,
                                              rule: str) -> None:
    assert message(sim, "kms:ScheduleKeyDeletion", args) == ("ValidationException", expected,
                                                             rule)


@pytest.mark.parametrize(("op", "name", "expected"), [
    ("kms:CreateAlias", "my-alias", 'Alias must start with the prefix "alias/". Please see '
     "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"),
    ("kms:UpdateAlias", "alias/Service:Test",
     "alias/Service:Test contains invalid characters for an alias"),
    ("kms:DeleteAlias", "alias/", "alias/ contains invalid characters for an alias"),
])
def test_kms_own_alias_checks_after_the_model(sim: Simulator, op: str, name: str,
                                              expected: str) -> None:
    args = {"AliasName": name} if op == "kms:DeleteAlias" else {"AliasName": name,
                                                                 "TargetKeyId": "k"}
    assert message(sim, op, args) == ("ValidationException", expected, "R-KMS-17")


@pytest.mark.parametrize(("op", "args", "expected"), [
    ("logs:DescribeLogGroups", {"limit": 51}, one(
        "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than "
        "or equal to 50")),
    ("logs:CreateLogGroup", {"logGroupName": "bad name"}, one(
        "Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy "
        r"regular expression pattern: [\.\-_/#A-Za-z0-9]+")),
    ("logs:CreateLogGroup", {"logGroupName": "x" * 513}, one(
        f"Value '{'x' * 513}' at 'logGroupName' failed to satisfy constraint: Member must have "
        "length less than or equal to 512")),
    ("logs:CreateLogGroup", {"logGroupName": "app", "logGroupClass": "COLD"}, one(
        "Value 'COLD' at 'logGroupClass' failed to satisfy constraint: Member must satisfy "
        "enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY, ESSENTIALS]")),
    ("logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 2}, one(
        "Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum "
        f"value set: [{RETENTION}]")),
    ("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s", "logEvents": []}, one(
        "Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length "
        "greater than or equal to 1")),
    ("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s", "logEvents": [
        {"message": ""}, {"message": "fine"}, {"message": ""}]}, validation_message([
            "Value '' at 'logEvents.1.member.message' failed to satisfy constraint: Member must "
            "have length greater than or equal to 1",
            "Value '' at 'logEvents.3.member.message' failed to satisfy constraint: Member must "
            "have length greater than or equal to 1"])),
    ("logs:GetLogEvents", {"logGroupName": "app", "logStreamName": "s", "nextToken": ""}, one(
        "Value '' at 'nextToken' failed to satisfy constraint: Member must have length "
        "greater than or equal to 1")),
    ("logs:StartQuery", {"logGroupNames": ["app", "bad name"], "startTime": 0, "endTime": 1,
                         "queryString": "fields @message"}, one(
        "Value 'bad name' at 'logGroupNames.2.member' failed to satisfy constraint: Member "
        r"must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+")),
])
def test_logs_messages(sim: Simulator, op: str, args: dict, expected: str) -> None:
    assert message(sim, op, args) == ("InvalidParameterException", expected, "R-LOGS-19")


def test_logs_names_members_as_written_and_lists_every_failure(sim: Simulator) -> None:
    err, msg, _ = message(sim, "logs:AssociateKmsKey", {"logGroupName": "a b",
                                                        "kmsKeyId": "k" * 257})
    assert err == "InvalidParameterException"
    assert msg == validation_message([
        f"Value '{'k' * 257}' at 'kmsKeyId' failed to satisfy constraint: Member must have "
        "length less than or equal to 256",
        "Value 'a b' at 'logGroupName' failed to satisfy constraint: Member must satisfy "
        r"regular expression pattern: [\.\-_/#A-Za-z0-9]+"])


def test_dataset_operations_name_members_in_lower_camel_case(sim: Simulator) -> None:
    err, msg, _ = message(sim, "cloudwatch:AssociateDatasetKmsKey",
                          {"DatasetIdentifier": "default", "KmsKeyArn": "alias/my-key"})
    assert err == "ValidationException"  # the default of the dataset's code assumption
    assert msg == validation_message([
        "Value 'alias/my-key' at 'kmsKeyArn' failed to satisfy constraint: Member must have "
        "length greater than or equal to 20",
        "Value 'alias/my-key' at 'kmsKeyArn' failed to satisfy constraint: Member must satisfy "
        r"regular expression pattern: arn:[a-zA-Z0-9-]+:kms:[a-zA-Z0-9-]+:\d{12}:key/[a-f0-9-]+"])


@pytest.mark.parametrize(("op", "args", "code", "expected"), [
    ("cloudwatch:PutMetricData", {"MetricData": [{"MetricName": "m", "Value": 1}]},
     "MissingRequiredParameterException", "The parameter Namespace is required."),
    ("cloudwatch:PutMetricData", {"Namespace": "App", "MetricData": []},
     "MissingRequiredParameterException", "The parameter MetricData is required."),
    ("cloudwatch:PutMetricData", {"Namespace": "App", "MetricData": [
        {"MetricName": "m", "Value": 1, "Dimensions": [{"Name": "host"}]}]},
     "MissingRequiredParameterException",
     "The parameter MetricData.member.1.Dimensions.member.1.Value is required."),
    ("cloudwatch:PutMetricData", {"Namespace": "App", "MetricData": [
        {"MetricName": "m", "Value": 1, "Dimensions": [{"Name": "host", "Value": "v" * 1025}]}]},
     "InvalidParameterValueException",
     "The parameter MetricData.member.1.Dimensions.member.1.Value must be shorter than 1025 "
     "characters."),
    ("cloudwatch:PutMetricData", {"Namespace": "App", "MetricData": [
        {"MetricName": "m", "Value": 1}] * 1001}, "InvalidParameterValueException",
     "The collection MetricData must not have a size greater than 1000."),
])
def test_cloudwatch_metrics_keep_the_query_form(sim: Simulator, op: str, args: dict,
                                                code: str, expected: str) -> None:
    assert message(sim, op, args) == (code, expected, "R-DS-31")


@pytest.mark.parametrize(("args", "rule", "expected"), [
    ({"MetricDataQueries": [{"Id": "Bad"}], "StartTime": 0, "EndTime": 60}, "R-DS-50",
     "The value Bad for parameter MetricDataQueries.member.1.Id is not matching the expected "
     "pattern ^[a-z][a-zA-Z0-9_]*$."),
    ({"MetricDataQueries": [{"Id": "q", "MetricStat": {
        "Metric": {"Namespace": "N" * 256, "MetricName": "m"}, "Period": 60, "Stat": "Sum"}}],
        "StartTime": 0, "EndTime": 60}, "R-DS-51",
     "The parameter MetricDataQueries.member.1.MetricStat.Metric.Namespace must be shorter "
     "than 256 characters."),
])
def test_get_metric_data_keeps_the_query_form(sim: Simulator, args: dict, rule: str,
                                              expected: str) -> None:
    """GetMetricData's code is the observed ValidationError (R-DS-50) or A-GETMETRIC-ERRORS's
    (R-DS-51); the words are the query protocol's either way."""
    assert message(sim, "cloudwatch:GetMetricData", args) == (
        "ValidationException", expected, rule)


def test_a_list_value_is_shown_or_omitted_as_the_assumption_says() -> None:
    too_many = {"logGroupName": "app", "logStreamName": "s",
                "logEvents": [{"message": "m"}] * 10001}
    shown = Simulator(start=START)
    omitted = Simulator(start=START, assumptions={"validation_form": "omit"})
    part = ("at 'logEvents' failed to satisfy constraint: Member must have length less than "
            "or equal to 10000")
    java = "[" + ", ".join(["{message=m}"] * 10001) + "]"
    assert message(shown, "logs:PutLogEvents", too_many)[1] == one(f"Value '{java}' {part}")
    assert message(omitted, "logs:PutLogEvents", too_many)[1] == one(f"Value {part}")
    # an empty list is always shown, as observed
    empty = dict(too_many, logEvents=[])
    assert "Value '[]' at 'logEvents'" in message(omitted, "logs:PutLogEvents", empty)[1]


# -- drift: every hand-written constraint against botocore's models -----------------------

#: (operation, member path) -> why kmsim's constraint differs from the model on purpose.
DELIBERATE = {
    ("kms:ListAliases", "Limit"): "max: the documentation narrows the model's 1..1000 to 1..100",
    ("kms:ReEncrypt", "CiphertextBlob"): "required: kmsim has no DryRun, so it needs the blob",
    ("logs:PutRetentionPolicy", "retentionInDays"): "enum: the documented values; the model "
    "leaves the integer open",
    ("logs:PutLogEvents", "logEvents.timestamp"): "required: a missing timestamp is the "
    "call's time (R-LOGS-41)",
    ("cloudwatch:PutMetricData", "MetricData"): "max: the documented 1000 (the model has none)",
    ("cloudwatch:GetMetricData", "MetricDataQueries"): "max: the documented 500",
    ("cloudwatch:GetMetricData", "MetricDataQueries.Id"): "pattern: observed from the service "
    "(influxdata/telegraf#5420), not in the model",
}
_TYPES = {"string": (str,), "blob": (str,), "integer": (int,), "long": (int,),
          "boolean": (bool,), "list": (list,), "map": (dict,), "structure": (dict,),
          "double": (int, float), "float": (int, float), "timestamp": (str, int, float)}


def _model():
    session = botocore.session.get_session()
    return {s: session.get_service_model(s) for s in ("kms", "logs", "cloudwatch")}


def _differences(op: str, param: Param, shape, path: str, required: bool,
                 check_required: bool = True) -> list[str]:
    """How ``param`` differs from the model's ``shape`` (minus the deliberate differences)."""
    meta = shape.metadata
    enum = tuple(getattr(shape, "enum", None) or ()) or None
    got = {"min": param.min, "max": param.max, "pattern": param.pattern,
           "enum": frozenset(param.enum) if param.enum else None,
           "sensitive": param.sensitive, "blob": param.blob}
    want = {"min": meta.get("min"), "max": meta.get("max"), "pattern": meta.get("pattern"),
            "enum": frozenset(enum) if enum else None, "sensitive": bool(meta.get("sensitive")),
            "blob": shape.type_name == "blob"}
    if check_required:
        got["required"], want["required"] = param.required, required
    out = []
    if (op, path) not in DELIBERATE:
        out += [f"{op} {path}: {k} is {got[k]!r}, the model says {want[k]!r}"
                for k in got if got[k] != want[k]]
        allowed = _TYPES.get(shape.type_name, ())
        types = param.type if isinstance(param.type, tuple) else (param.type,)
        if not set(types) <= set(allowed):
            out.append(f"{op} {path}: type {param.type} for a {shape.type_name}")
    if param.items is not None:
        member = shape.member
        if isinstance(param.items, Param):
            out += _differences(op, param.items, member, f"{path}.member", True, False)
        else:
            for item in param.items:
                out += _differences(op, item, member.members[item.name], f"{path}.{item.name}",
                                    item.name in member.required_members)
    return out


def _declared(monkeypatch) -> dict[str, dict[str, Param]]:
    """The Params each kms/logs/cloudwatch handler validates, captured while it runs."""
    seen: dict[str, dict[str, Param]] = {}
    current = [""]
    real = params.violations

    def spy(req, declared, lower_first=False):
        for p in declared:
            seen.setdefault(current[0], {})[p.name] = p
        return real(req, declared, lower_first)

    monkeypatch.setattr(params, "violations", spy)
    s = Simulator(start=START)
    for op in known_operations():
        if op.split(":")[0] not in ("kms", "logs", "cloudwatch"):
            continue
        current[0] = op
        for req in ({}, {"logGroupName": "g"}):  # AssociateKmsKey checks its target first
            s.call(op, req)
    return seen


def test_every_hand_written_constraint_is_the_models(monkeypatch) -> None:
    models = _model()
    seen = _declared(monkeypatch)
    unvalidated = {op for op in known_operations()
                   if op.split(":")[0] in ("kms", "logs", "cloudwatch") and op not in seen}
    assert unvalidated == {"cloudwatch:PutMetricData", "cloudwatch:GetMetricData",
                           "cloudwatch:ListMetrics", "cloudwatch:GetMetricStatistics"}
    problems = []
    for op, declared in sorted(seen.items()):
        service, name = op.split(":")
        shape = models[service].operation_model(name).input_shape
        for pname, p in declared.items():
            if pname not in shape.members:
                problems.append(f"{op}: {pname} is not a member of {name}")
                continue
            problems += _differences(op, p, shape.members[pname], pname,
                                     pname in shape.required_members)
    assert problems == []


#: The data plane's Params and where they sit in the model (checked by hand in handlers).
METRIC_PARAMS = [
    (cm.NAMESPACE, "PutMetricData", ("Namespace",)),
    (cm.METRIC_DATA, "PutMetricData", ("MetricData",)),
    (cm.METRIC_NAME, "PutMetricData", ("MetricData", "MetricName")),
    (cm.VALUE, "PutMetricData", ("MetricData", "Value")),
    (cm.DIMENSIONS, "PutMetricData", ("MetricData", "Dimensions")),
    (cm.DIM_NAME, "PutMetricData", ("MetricData", "Dimensions", "Name")),
    (cm.DIM_VALUE, "PutMetricData", ("MetricData", "Dimensions", "Value")),
    (cm.QUERIES, "GetMetricData", ("MetricDataQueries",)),
    (cm.METRIC_ID, "GetMetricData", ("MetricDataQueries", "Id")),
    (cm.PERIOD, "GetMetricData", ("MetricDataQueries", "MetricStat", "Period")),
    (cm.NAMESPACE, "GetMetricData", ("MetricDataQueries", "MetricStat", "Metric", "Namespace")),
    (cm.SCAN_BY, "GetMetricData", ("ScanBy",)),
]


@pytest.mark.parametrize(("param", "op", "path"), METRIC_PARAMS,
                         ids=[f"{op}.{'.'.join(p)}" for _, op, p in METRIC_PARAMS])
def test_cloudwatch_data_plane_constraints_are_the_models(param: Param, op: str,
                                                          path: tuple[str, ...]) -> None:
    shape = _model()["cloudwatch"].operation_model(op).input_shape
    for name in path:
        shape = (shape.member if shape.type_name == "list" else shape).members[name]
    # required-ness is checked apart, in the query protocol's words (_need)
    assert _differences(f"cloudwatch:{op}", param, shape, ".".join(path), False,
                        check_required=False) == []


def test_the_drift_check_catches_a_constraint_that_differs() -> None:
    shape = _model()["logs"].operation_model("DescribeLogGroups").input_shape.members["limit"]
    assert _differences("logs:DescribeLogGroups", Param("limit", int, min=1, max=50), shape,
                        "limit", False) == []
    assert _differences("logs:DescribeLogGroups", Param("limit", int, min=1, max=51), shape,
                        "limit", False) == [
        "logs:DescribeLogGroups limit: max is 51, the model says 50"]


# -- through kmsim serve, with boto3 ------------------------------------------------------

def test_boto3_sees_aws_messages() -> None:
    """botocore checks only minimums client-side, so every case here reaches the server."""
    support = pytest.importorskip("server_support")
    from botocore.exceptions import ClientError

    with support.running() as srv:
        kms, logs = support.client(srv, "kms"), support.client(srv, "logs")
        cw = support.client(srv, "cloudwatch")
        cases = [
            (lambda: kms.schedule_key_deletion(KeyId="k", PendingWindowInDays=400),
             "ValidationException", one(
                 "Value '400' at 'pendingWindowInDays' failed to satisfy constraint: Member "
                 "must have value less than or equal to 365")),
            (lambda: kms.schedule_key_deletion(KeyId="k", PendingWindowInDays=3),
             "ValidationException", "PendingWindowInDays must be between 7 and 30"),
            (lambda: kms.encrypt(KeyId="k", Plaintext=b"x" * 4097), "ValidationException", one(
                "Value at 'plaintext' failed to satisfy constraint: Member must have length "
                "less than or equal to 4096")),
            (lambda: logs.describe_log_groups(limit=51), "InvalidParameterException", one(
                "Value '51' at 'limit' failed to satisfy constraint: Member must have value "
                "less than or equal to 50")),
            (lambda: cw.put_metric_data(Namespace="App", MetricData=[
                {"MetricName": "m", "Value": 1.0,
                 "Dimensions": [{"Name": "host", "Value": "v" * 1025}]}]),
             "InvalidParameterValue",
             "The parameter MetricData.member.1.Dimensions.member.1.Value must be shorter "
             "than 1025 characters."),
            (lambda: cw.get_dataset(DatasetIdentifier="nope"), "ValidationError", one(
                "Value 'nope' at 'datasetIdentifier' failed to satisfy constraint: Member must "
                r"satisfy regular expression pattern: (default|arn:[a-zA-Z0-9-]+:cloudwatch:"
                r"[a-zA-Z0-9-]*:\d{12}:dataset/default)")),
        ]
        for call, code, text in cases:
            with pytest.raises(ClientError) as exc:
                call()
            error = exc.value.response["Error"]
            assert (error["Code"], error["Message"]) == (code, text)
