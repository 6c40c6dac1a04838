"""A scenario written as a Python script: the same engine as the TOML files, with loops.

Teaches: a key pending deletion can be rescued any day of its waiting period, and a
cancelled deletion always lands in Disabled, never back in Enabled (R-KMS-09). Each
window length 7..30 is tried on its own key; the key whose window is left to run out
is Deleted exactly at its DeletionDate (R-KMS-10), and 6 or 31 days are refused
(R-KMS-08).

Run it with ``kmsim run scenarios/lifecycle-script.py``.
"""

SCENARIO = {
    "name": "Lifecycle script: every pending window, cancelled or not",
    "start": "2026-01-01T00:00:00Z",
    "account": "111122223333",
    "region": "us-east-1",
    "principal": "admin",
}

ADMIN_POLICY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",'
                '"Resource":"*"}]}')


def run(scenario):
    """Create one key per window length, cancel all but the 7-day one, check the states.

    A script's steps run as they are called, so they are written in time order.
    """
    scenario.sim.principal("admin", policy=ADMIN_POLICY)
    for days in (6, 31, 7, 8, 15, 30):
        scenario.step("kms:CreateKey", at="+0s", save={f"k{days}": "KeyMetadata.Arn"})
    for days in (6, 31):  # outside 7..30: refused, and the key stays as it was
        scenario.step("kms:ScheduleKeyDeletion",
                      {"KeyId": f"${{k{days}}}", "PendingWindowInDays": days}, at="+1m",
                      expect="ValidationException")
    scenario.check("+2m", key_state={"k6": "Enabled", "k31": "Enabled"})
    for days in (7, 8, 15, 30):
        scenario.step("kms:ScheduleKeyDeletion",
                      {"KeyId": f"${{k{days}}}", "PendingWindowInDays": days}, at="+2h")
    # one day before the shortest window ends, rescue every key but the 7-day one
    for days in (8, 15, 30):
        scenario.step("kms:CancelKeyDeletion", {"KeyId": f"${{k{days}}}"}, at="+6d")
        # notice: Disabled, although the key was Enabled when its deletion was scheduled
        scenario.check("+6d", key_state={f"k{days}": "Disabled"})
    # the 7-day key: PendingDeletion up to its DeletionDate, Deleted from that instant on
    scenario.check("+7d1h59m59s", key_state={"k7": "PendingDeletion"})
    scenario.check("+7d2h", key_state={"k7": "Deleted"})
    scenario.step("kms:CancelKeyDeletion", {"KeyId": "${k7}"}, at="+7d2h",
                  expect="NotFoundException")
    # the rescued keys are untouched by their old deletion dates
    scenario.check("+31d", key_state={"k8": "Disabled", "k15": "Disabled", "k30": "Disabled"})
