"""SPEC 11 invariants over random KMS call sequences (a hypothesis state machine).

- replay is deterministic: replaying the recorded events gives no differences and the
  same key states;
- a failed call changes nothing;
- an answer at T never changes when events are appended after T;
- a Deleted key never comes back;
- live answers equal the answers of a fresh replay of the log the simulator wrote
  (calls that could not be recorded left no trace in either).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)
from support import ACCT, ALLOW_ALL

from events.logfile import LogReader
from events.timefmt import DAY, HOUR, MINUTE, format_time
from projections.decrypt import decryptability
from projections.timetravel.timeline import Timeline
from sim import CallResult, Simulator
from sim.recording import NotRecorded
from sim.replay import replay

CRYPTO_ONLY = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt",
                                                            "kms:GenerateDataKey"],
                              "Resource": "*"}]}
ROOT = f"arn:aws:iam::{ACCT}:root"
READER = f"arn:aws:iam::{ACCT}:role/reader"


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ADMIN_STATEMENT = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
                   "Resource": "*"}
POLICIES = [
    _policy(ADMIN_STATEMENT),
    _policy(ADMIN_STATEMENT, {"Effect": "Allow", "Principal": {"AWS": READER},
                              "Action": "kms:Decrypt", "Resource": "*"}),
    _policy(ADMIN_STATEMENT, {"Effect": "Deny", "Principal": {"AWS": "*"},
                              "Action": "kms:Encrypt", "Resource": "*"}),
    _policy({"Effect": "Allow", "Principal": {"AWS": READER}, "Action": "kms:*",
             "Resource": "*"}),  # locks the admin out: refused by the lockout check
    "{not json",
]
PRINCIPALS = ["admin", "user", "reader"]
MOSTLY_ADMIN = st.sampled_from(["admin", "admin", "admin", "user", "reader"])
STEP = st.one_of(st.integers(1, 1000), st.integers(1, 10 * MINUTE), st.integers(1, 3 * HOUR))


def snapshot(s: Simulator) -> dict:
    """Everything a call could change in the world."""
    w = s.world
    return {
        "keys": {kid: (k.state, json.dumps(k.policy, sort_keys=True), k.deletion_date,
                       k.valid_to, k.has_material, k.was_enabled, tuple(k.history))
                 for kid, k in w.keys.items()},
        "aliases": dict(w.aliases),
        "principals": sorted(w.principals),
        "timers": [(t.due, t.kind, t.target, t.token) for t in w.pending_timers()],
        "items": sorted(w.items),
        "labels": dict(w.labels),
    }


class KeyLifecycle(RuleBasedStateMachine):
    """Random KMS calls on a few keys, with time moving forward by random steps."""

    keys = Bundle("keys")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="kmsim-props-"))
        self.s = Simulator(start="2026-01-01T00:00:00Z", account=ACCT,
                           log=self.dir / "live.kmlog")
        self.not_recorded = 0
        self.s.principal("admin", policy=ALLOW_ALL)
        self.s.principal("user", policy=CRYPTO_ONLY)
        self.s.principal("reader")
        self.answers: list[tuple[int, str, str | None]] = []
        self.deleted: set[str] = set()
        self.blobs: list[str] = []
        self.failed = 0

    @initialize(target=keys)
    def first_keys(self) -> object:
        arns = [self.call(1, "kms:CreateKey", args).get("KeyMetadata.Arn")
                for args in ({}, {"Origin": "EXTERNAL"})]
        return multiple(*arns)

    # -- calling -------------------------------------------------------------------------
    def call(self, step: int, op: str, args: dict, as_: str = "admin") -> CallResult | None:
        """Advance by ``step`` ms (firing timers), then call; a failure must change nothing,
        and a call that could not be recorded (None) must leave no trace."""
        self.s.advance(step)
        before = snapshot(self.s)
        n = len(self.s.events)
        try:
            result = self.s.call(op, args, as_=as_)
        except NotRecorded:
            self.not_recorded += 1
            assert snapshot(self.s) == before and len(self.s.events) == n
            return None
        if not result.ok:
            self.failed += 1
            assert snapshot(self.s) == before, f"failed {op} ({result.err}) changed the world"
        for arn in list(self.s.world.keys.values()):
            self.answers.append((self.s.now, arn.arn, arn.state))
        return result

    @rule(target=keys, step=STEP, external=st.booleans(),
          policy=st.sampled_from([*POLICIES, None]))
    def create_key(self, step: int, external: bool, policy: str | None) -> object:
        args: dict = {"Origin": "EXTERNAL"} if external else {}
        if policy is not None:
            args["Policy"] = policy
        r = self.call(step, "kms:CreateKey", args)
        return r.get("KeyMetadata.Arn") if r and r.ok else multiple()

    @rule(key=keys, step=STEP, op=st.sampled_from(["kms:EnableKey", "kms:DisableKey",
                                                   "kms:CancelKeyDeletion",
                                                   "kms:DescribeKey",
                                                   "kms:DeleteImportedKeyMaterial",
                                                   "sim:SetKeyUnavailable",
                                                   "sim:SetKeyAvailable",
                                                   "kms:NoSuchThing"]),
          who=MOSTLY_ADMIN)
    def state_call(self, key: str, step: int, op: str, who: str) -> None:
        self.call(step, op, {"KeyId": key}, as_=who)

    @rule(key=keys, step=STEP, who=MOSTLY_ADMIN)
    def disable(self, key: str, step: int, who: str) -> None:
        self.call(step, "kms:DisableKey", {"KeyId": key}, as_=who)

    @rule(key=keys, step=STEP, days=st.one_of(st.integers(5, 32), st.none()))
    def schedule_deletion(self, key: str, step: int, days: int | None) -> None:
        args: dict = {"KeyId": key}
        if days is not None:
            args["PendingWindowInDays"] = days
        r = self.call(step, "kms:ScheduleKeyDeletion", args)
        if r and r.ok:
            assert days is None or 7 <= days <= 30
            assert self.s.key_state(key) == "PendingDeletion"

    @rule(key=keys, step=STEP, valid=st.one_of(st.none(), st.integers(-HOUR, 20 * DAY)))
    def import_material(self, key: str, step: int, valid: int | None) -> None:
        # the token from GetParametersForImport (R-KMS-MGMT-13), or one it did not issue
        params = self.call(step, "kms:GetParametersForImport", {
            "KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
            "WrappingKeySpec": "RSA_2048"})
        token = params.get("ImportToken") if params is not None and params.ok else "t"
        step = 1  # a later instant: the answers kept at the first one must hold
        args: dict = {"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": "m"}
        if valid is None:
            args["ExpirationModel"] = "KEY_MATERIAL_DOES_NOT_EXPIRE"
        elif valid % 3 == 0:
            args["ValidTo"] = (self.s.now + step + valid) // 1000  # epoch seconds, as boto3
        else:
            args["ValidTo"] = format_time(self.s.now + step + valid)
        self.call(step, "kms:ImportKeyMaterial", args)

    @rule(key=keys, step=STEP, policy=st.sampled_from(POLICIES), bypass=st.booleans())
    def put_policy(self, key: str, step: int, policy: str, bypass: bool) -> None:
        args: dict = {"KeyId": key, "Policy": policy}
        if bypass:
            args["BypassPolicyLockoutSafetyCheck"] = True
        self.call(step, "kms:PutKeyPolicy", args)

    @rule(key=keys, step=STEP, name=st.sampled_from(["alias/a", "alias/b"]))
    def create_alias(self, key: str, step: int, name: str) -> None:
        self.call(step, "kms:CreateAlias", {"AliasName": name, "TargetKeyId": key})

    @rule(key=keys, alias=st.booleans(), step=STEP,
          who=st.sampled_from(PRINCIPALS),
          op=st.sampled_from(["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"]),
          size=st.one_of(st.none(), st.integers(1, 1024),
                         st.sampled_from([{"KeySpec": "AES_128"}, {"KeySpec": "AES_256"}])))
    def crypto(self, key: str, alias: bool, step: int, who: str, op: str,
               size: int | dict | None) -> None:
        key = "alias/a" if alias else key
        args: dict = {"KeyId": key}
        if op == "kms:Encrypt":
            args["Plaintext"] = "secret"
        if op == "kms:GenerateDataKey" and size is not None:
            args.update(size if isinstance(size, dict) else {"NumberOfBytes": size})
        r = self.call(step, op, args, as_=who)
        if r is None:
            return
        if r.ok:
            assert self.s.key_state(key) == "Enabled"
            if "CiphertextBlob" in r.res:
                self.blobs.append(r.get("CiphertextBlob"))
        else:
            assert r.err in ("NotFoundException", "DisabledException",
                             "KMSInvalidStateException", "AccessDeniedException",
                             "InvalidKeyUsageException"), r.err

    @precondition(lambda self: bool(self.blobs))
    @rule(data=st.data(), step=STEP, who=st.sampled_from(PRINCIPALS))
    def decrypt_blob(self, data: st.DataObject, step: int, who: str) -> None:
        blob = data.draw(st.sampled_from(self.blobs))
        r = self.call(step, "kms:Decrypt", {"CiphertextBlob": blob}, as_=who)
        if r and r.ok:
            assert r.get("Plaintext")
            assert r.get("KeyId") not in self.deleted

    @rule(key=keys, step=STEP, group=st.sampled_from(["app", "audit"]), associate=st.booleans())
    def log_group(self, key: str, step: int, group: str, associate: bool) -> None:
        self.call(step, "logs:CreateLogGroup", {"logGroupName": group})
        self.call(0, "logs:CreateLogStream", {"logGroupName": group, "logStreamName": "s"})
        if associate:
            self.call(0, "logs:AssociateKmsKey", {"logGroupName": group, "kmsKeyId": key})

    @rule(step=STEP, group=st.sampled_from(["app", "audit"]),
          offset=st.one_of(st.integers(-20 * DAY, 3 * HOUR), st.just(10**16)))
    def put_log_events(self, step: int, group: str, offset: int) -> None:
        stamp = self.s.now + step + offset
        self.call(step, "logs:PutLogEvents", {"logGroupName": group, "logStreamName": "s",
                                              "logEvents": [{"timestamp": stamp,
                                                             "message": "m"}]})

    @rule(key=keys, step=STEP, associate=st.booleans(),
          stamp=st.one_of(st.none(), st.integers(-20 * DAY, 3 * HOUR),
                          st.sampled_from([10**16, -(10**16), 1e308, 10**30])))
    def metrics(self, key: str, step: int, associate: bool, stamp: float | None) -> None:
        if associate:
            self.call(step, "cloudwatch:AssociateDatasetKmsKey",
                      {"DatasetIdentifier": "default", "KmsKeyArn": key})
        datum: dict = {"MetricName": "m", "Value": 1.0}
        if stamp is not None:
            near = abs(stamp) < 10**12
            datum["Timestamp"] = (self.s.now + step + stamp) / 1000 if near else stamp
        self.call(step, "cloudwatch:PutMetricData", {"Namespace": "Shop",
                                                     "MetricData": [datum]})

    @rule(duration=st.one_of(st.integers(1, 40 * DAY), st.integers(6 * DAY, 31 * DAY)))
    def advance(self, duration: int) -> None:
        self.s.advance(duration)
        for key in self.s.world.keys.values():
            self.answers.append((self.s.now, key.arn, key.state))

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def deleted_keys_stay_deleted(self) -> None:
        for key in self.s.world.keys.values():
            if key.arn in self.deleted:
                assert key.state == "Deleted", f"{key.arn} came back as {key.state}"
            if key.state == "Deleted":
                self.deleted.add(key.arn)
                assert key.key_id not in self.s.world.aliases.values()

    @invariant()
    def past_answers_never_change(self) -> None:
        # recheck a few recorded answers (all of them at the end, in teardown)
        for t, arn, state in self.answers[-3:] + self.answers[:2]:
            assert self.s.key_state(arn, at=t) == state, (format_time(t), arn)

    def teardown(self) -> None:
        s = self.s
        for t, arn, state in self.answers:
            assert s.key_state(arn, at=t) == state, (format_time(t), arn)
        timeline, differences = replay(s.events, s.profile, s.settings, s.start, seed=s.seed)
        assert [d.describe() for d in differences] == []
        timeline.live.advance_to(s.now)
        assert {k: v.state for k, v in timeline.live.keys.items()} == \
            {k: v.state for k, v in s.world.keys.items()}
        assert timeline.live.aliases == s.world.aliases
        self.live_answers_equal_a_fresh_replay_of_the_log()

    def live_answers_equal_a_fresh_replay_of_the_log(self) -> None:
        s = self.s
        s.close()
        try:
            with LogReader(self.dir / "live.kmlog") as reader:
                header = reader.header
                logged = [e.to_dict() for e in reader]
            assert logged == [e.to_dict() for e in s.events]
            fresh = Timeline.from_log(str(self.dir / "live.kmlog"), header.profile,
                                      header.assumptions, header.start)
            times = sorted({t for t, _, _ in self.answers[::7]} | {s.timeline.end})
            for t in times:
                assert answers(fresh.world_at(t)) == answers(s.timeline.world_at(t)), t
            fresh.events.close()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def answers(w) -> dict:
    """What a user asks of a world: key states, associations, and who can read each item."""
    return {
        "keys": {k: v.state for k, v in w.keys.items()},
        "associations": {r: (a.state, a.key) for r, a in w.associations.items()},
        "items": {seq: tuple(decryptability(w, item, who).status for who in (ROOT, READER))
                  for seq, item in ((i.seq, i) for i in w.iter_items())},
    }


KeyLifecycle.TestCase.settings = settings(
    max_examples=50, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestKeyLifecycle = KeyLifecycle.TestCase
