"""Time in simulated_aws: the test moves the simulated clock (advance, set_time, now),
timers fire on the way (a key is deleted at its DeletionDate); clock="wall" follows
time.time(), so freezegun's frozen and ticking clocks move it; signing keeps working."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support import REGION

boto3 = pytest.importorskip("boto3")
freezegun = pytest.importorskip("freezegun")

from sim.testing import simulated_aws  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)


def _kms():
    return boto3.client("kms", region_name=REGION)


def test_advance_set_time_and_now_move_the_simulated_clock():
    with simulated_aws() as aws:
        assert aws.now == START
        assert aws.advance("5m") == START + timedelta(minutes=5)
        assert aws.advance(timedelta(seconds=30)) == START + timedelta(minutes=5, seconds=30)
        assert aws.set_time("2026-01-02T00:00:00Z") == START + timedelta(days=1)
        assert aws.set_time("+2d") == START + timedelta(days=2)
        assert aws.set_time(START + timedelta(days=3)) == START + timedelta(days=3)
        with pytest.raises(ValueError, match="only moves forward"):
            aws.set_time("+1d")
        made = _kms().create_key()
        # the request happened at the simulated now, as the server's headers say
        assert made["ResponseMetadata"]["HTTPHeaders"]["x-kmsim-time"] == \
            "2026-01-04T00:00:00Z"
        assert made["KeyMetadata"]["CreationDate"] == START + timedelta(days=3)


def test_a_key_is_deleted_at_its_deletion_date():
    with simulated_aws() as aws:
        kms = _kms()
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        due = kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)["DeletionDate"]
        assert aws.key_state(key) == "PendingDeletion"
        aws.set_time(due - timedelta(milliseconds=1))
        assert aws.key_state(key) == "PendingDeletion"
        aws.advance("1ms")
        assert aws.key_state(key) == "Deleted"
        with pytest.raises(kms.exceptions.NotFoundException):
            kms.describe_key(KeyId=key)
        assert aws.key_state(key, at=due - timedelta(hours=1)) == "PendingDeletion"


def test_wall_clock_follows_a_frozen_and_ticking_freezegun_clock():
    with freezegun.freeze_time("2026-03-01T12:00:00Z") as frozen, \
            simulated_aws(clock="wall") as aws:
        wall0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
        assert aws.now == wall0  # starts at the wall clock
        first = _kms().create_key()["KeyMetadata"]
        frozen.tick(timedelta(minutes=5))
        assert aws.now == wall0 + timedelta(minutes=5)
        second = _kms().create_key()["KeyMetadata"]
        assert second["CreationDate"] - first["CreationDate"] == timedelta(minutes=5)
        frozen.move_to("2026-03-01T11:00:00Z")  # the wall clock goes back: kmsim does not
        assert aws.now == wall0 + timedelta(minutes=5)


def test_wall_clock_ticks_with_freezegun_tick_true():
    with freezegun.freeze_time("2026-03-01T12:00:00Z", tick=True), \
            simulated_aws(clock="wall") as aws:
        t0 = aws.now_ms
        _kms().create_key()
        _kms().create_key()
        assert aws.events[1].t > aws.events[0].t >= t0


@pytest.mark.parametrize("clock", ["sim", "wall"])
def test_signatures_verify_under_a_frozen_clock(clock):
    # botocore signs with freezegun's time; kmsim checks the date against the same clock
    with freezegun.freeze_time("2030-06-01T00:00:00Z"), \
            simulated_aws(clock=clock, verify_signatures=True) as aws:
        kms = _kms()
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
        wrong = boto3.session.Session().client("kms", region_name=REGION,
                                               aws_access_key_id=aws_key(aws),
                                               aws_secret_access_key="not-the-secret")
        with pytest.raises(wrong.exceptions.ClientError, match="InvalidSignature"):
            wrong.describe_key(KeyId=key)
        assert [e.op for e in aws.events] == ["kms:CreateKey", "kms:DescribeKey"]


def aws_key(aws) -> str:
    """kmsim's default test access key id (the account root)."""
    return next(iter(aws.secrets))


def test_a_wall_clock_timeline_can_start_at_the_default_start():
    with freezegun.freeze_time("2026-03-01T12:00:00Z") as frozen, simulated_aws(
            clock="wall", assumptions={"test_wall_start": "default-start"}) as aws:  # R-TEST-04
        assert aws.now == START
        frozen.tick(timedelta(minutes=5))
        assert aws.now == START + timedelta(minutes=5)
