"""``kmsim serve`` with boto3: KMS over awsJson1_1, AWS error shapes, the caller's
identity, SigV4 verification and kmsim's own operations over HTTP (SPEC 10)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from server_support import (
    ACCT,
    ALLOW_ALL,
    client,
    error_of,
    json_call,
    raw,
    running,
)

ROLE = f"arn:aws:iam::{ACCT}:role/App"


def test_kms_lifecycle_round_trip() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        meta = kms.create_key(Description="orders")["KeyMetadata"]
        key = meta["KeyId"]
        assert meta["KeyState"] == "Enabled" and meta["Arn"].endswith(key)
        assert meta["CreationDate"].year == 2026  # epoch seconds parsed as a timestamp
        assert kms.describe_key(KeyId=meta["Arn"])["KeyMetadata"]["Description"] == "orders"
        kms.disable_key(KeyId=key)
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
        kms.enable_key(KeyId=key)
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
        out = kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        assert out["KeyState"] == "PendingDeletion"
        assert out["DeletionDate"].isoformat().startswith("2026-01-08T00:00:00")
        kms.cancel_key_deletion(KeyId=key)
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
        kms.enable_key(KeyId=key)
        plaintext = bytes(range(256)) * 4  # every byte value: blobs survive base64 both ways
        blob = kms.encrypt(KeyId=key, Plaintext=plaintext,
                           EncryptionContext={"app": "orders"})["CiphertextBlob"]
        assert isinstance(blob, bytes) and plaintext not in blob
        out = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "orders"})
        assert out["Plaintext"] == plaintext and out["KeyId"] == meta["Arn"]
        ops = [e.op for e in srv.app.sim.events]
        assert ops[:3] == ["kms:CreateKey", "kms:DescribeKey", "kms:DisableKey"]
        assert all(e.ok for e in srv.app.sim.events)


def test_errors_have_the_aws_shape_and_cite_the_rule() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        with pytest.raises(ClientError) as exc:
            kms.describe_key(KeyId="1234abcd-12ab-34cd-56ef-1234567890ab")
        code, status, headers = error_of(exc)
        assert (code, status) == ("NotFoundException", 400)
        assert headers["x-kmsim-rule"] == "R-KMS-13"
        assert "does not exist" in exc.value.response["Error"]["Message"]
        assert isinstance(exc.value, kms.exceptions.NotFoundException)
        event = srv.app.sim.events[-1]  # the rejected call is an event too
        assert (event.err, event.rule, headers["x-kmsim-event"]) == \
            ("NotFoundException", "R-KMS-13", str(event.seq))
        status, _, body = json_call(srv, "TrentService.DescribeKey", {"KeyId": "nope"})
        assert status == 400 and body["__type"] == "NotFoundException" and body["message"]


def test_invalid_state_and_disabled() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        with pytest.raises(kms.exceptions.KMSInvalidStateException) as exc:
            kms.enable_key(KeyId=key)
        assert error_of(exc)[2]["x-kmsim-rule"] == "R-KMS-STATE-03"
        with pytest.raises(ClientError) as exc:
            kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=3)
        assert error_of(exc)[0] == "ValidationException"
        kms.cancel_key_deletion(KeyId=key)
        with pytest.raises(kms.exceptions.DisabledException):
            kms.encrypt(KeyId=key, Plaintext=b"x")


def test_caller_is_the_mapped_principal_else_the_account_root() -> None:
    with running(principals={"AKIDAPP": ROLE}) as srv:
        app_kms = client(srv, "kms", akid="AKIDAPP")
        with pytest.raises(ClientError) as exc:  # a role without identity policies
            app_kms.create_key()
        assert error_of(exc)[:2] == ("AccessDeniedException", 400)
        assert srv.app.sim.events[-1].actor == ROLE
        client(srv, "kms", akid="AKIDUNMAPPED").create_key()
        assert srv.app.sim.events[-1].actor == f"arn:aws:iam::{ACCT}:root"
        # kmsim's own operations over HTTP: give the role a policy, then it may create keys
        status, _, _ = json_call(srv, "KmsimSim.PutPrincipal",
                                 {"Name": "app", "Arn": ROLE, "Policies": [ALLOW_ALL]})
        assert status == 200
        key = app_kms.create_key()["KeyMetadata"]
        assert key["AWSAccountId"] == ACCT and srv.app.sim.events[-1].actor == ROLE
        assert srv.app.sim.names["app"] == ROLE  # usable as /_kmsim/at?as=app


def test_credential_scope_region_is_the_calls_region() -> None:
    with running() as srv:
        arn = client(srv, "kms", region="eu-west-1").create_key()["KeyMetadata"]["Arn"]
        assert arn.startswith(f"arn:aws:kms:eu-west-1:{ACCT}:key/")
        with pytest.raises(ClientError) as exc:  # keys are regional
            client(srv, "kms").describe_key(KeyId=arn)
        assert error_of(exc)[0] == "NotFoundException"


def test_sim_operations_over_http() -> None:
    with running() as srv:
        key = client(srv, "kms").create_key()["KeyMetadata"]["KeyId"]
        status, headers, _ = json_call(srv, "KmsimSim.SetKeyUnavailable", {"KeyId": key})
        assert status == 200 and srv.app.sim.key_state(key) == "Unavailable"
        status, headers, body = json_call(srv, "KmsimSim.SetKeyUnavailable", {"KeyId": key})
        assert (status, body["__type"], headers["x-kmsim-rule"]) == \
            (400, "KMSInvalidStateException", "R-KMS-12")
        status, _, _ = json_call(srv, "KmsimSim.InjectFault",
                                 {"Operation": "*", "Duration": "2m"})
        assert status == 200


def test_signatures_are_checked_only_when_asked() -> None:
    secrets = {"AKIDGOOD": "right-secret"}
    with running(secrets=secrets, verify=True) as srv:
        assert client(srv, "kms", akid="AKIDGOOD", secret="right-secret").list_keys()["Keys"] \
            == []
        with pytest.raises(ClientError) as exc:
            client(srv, "kms", akid="AKIDGOOD", secret="wrong").list_keys()
        code, status, headers = error_of(exc)
        assert (code, status, headers["x-kmsim-rule"]) == \
            ("InvalidSignatureException", 400, "R-SRV-03")  # R-SRV-30
        with pytest.raises(ClientError) as exc:
            client(srv, "kms", akid="AKIDOTHER", secret="x").list_keys()
        assert error_of(exc)[:2] == ("UnrecognizedClientException", 400)
        status, _, body = json_call(srv, "TrentService.ListKeys", {})  # unsigned
        assert (status, body["__type"]) == (400, "MissingAuthenticationTokenException")
        assert [e.op for e in srv.app.sim.events] == ["kms:ListKeys"]  # refusals: no event
    with running() as srv:  # verification off: any secret is accepted
        assert client(srv, "kms", akid="AKIDGOOD", secret="wrong").list_keys()["Keys"] == []


def test_a_tampered_body_fails_the_signature() -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    with running(secrets={"AKIDGOOD": "s3cret"}, verify=True) as srv:
        host = srv.url.removeprefix("http://")
        body = json.dumps({"KeyId": "alias/a"})
        request = AWSRequest("POST", srv.url + "/", data=body, headers={
            "X-Amz-Target": "TrentService.DescribeKey",
            "Content-Type": "application/x-amz-json-1.1", "Host": host})
        SigV4Auth(Credentials("AKIDGOOD", "s3cret"), "kms", "us-east-1").add_auth(request)
        headers = dict(request.headers.items())
        status, _, out = raw(srv, "POST", "/", body, headers)
        assert status == 400 and json.loads(out)["__type"] == "NotFoundException"  # signed ok
        tampered = body.replace("alias/a", "alias/b")
        status, _, out = raw(srv, "POST", "/", tampered, headers)
        assert status == 400 and json.loads(out)["__type"] == "InvalidSignatureException"


def test_concurrent_clients_get_one_event_each() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with running() as srv:
        def work(i: int) -> list[str]:
            kms = client(srv, "kms", akid=f"AKID{i}")
            return [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(10)]

        with ThreadPoolExecutor(max_workers=8) as pool:
            keys = [k for batch in pool.map(work, range(8)) for k in batch]
        events = srv.app.sim.events
        assert len(set(keys)) == 80 and len(events) == 80
        assert [e.seq for e in events] == list(range(1, 81))
        assert {e.res["KeyMetadata"]["KeyId"] for e in events} == set(keys)
