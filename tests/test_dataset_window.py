"""Decryptability of metric data (SPEC 3.3, 7): the 3-hour disassociation window under every
A-PROPAGATION model, A-DS-RELEASE (caller-lifted, lifted, kept: what the window's end leaves
a point needing), A-DS-WINDOW-READERS, key states, and permanence."""

from __future__ import annotations

import pytest
from dataset_support import (
    DATASET,
    associate,
    cw_policy,
    disassociate,
    make_key,
    new_sim,
    put,
)
from freezegun import freeze_time

from events.timefmt import HOUR, MINUTE
from projections.dataset.fold import dataset_of
from projections.windows import draw_delay
from sim.replay import replay


def _window_sim(disable_at: str | int | None = None, **assumptions: str):
    """k1 associated at +1m, m_before at +5m, disassociated at +10m, m_during at +1h; with
    ``disable_at``, k1 is disabled then (after a step at the same moment)."""
    sim = new_sim(**assumptions)
    k1 = make_key(sim)
    steps = [("+1m", lambda: associate(sim, k1, at="+1m")),
             ("+5m", lambda: put(sim, "+5m", "m_before")),
             ("+10m", lambda: disassociate(sim, at="+10m")),
             ("+1h", lambda: put(sim, "+1h", "m_during"))]
    if disable_at is not None:
        steps.append((disable_at, lambda: sim.call("kms:DisableKey", {"KeyId": k1},
                                                   at=disable_at, as_="admin")))
    for _, step in sorted(steps, key=lambda s: sim.when(s[0])):
        assert step().ok
    return sim, k1


def status(sim, label: str, as_: str = "reader", at: str | None = None) -> str:
    return sim.decryptable(label, as_=as_, at=at).status


def test_uncertain_window_is_maybe_for_a_reader_and_yes_for_the_admin() -> None:
    sim, k1 = _window_sim()
    assert sim.world.item("m_during").keys == (k1, None)                    # R-DS-22
    assert status(sim, "m_before", at="+9m") == "no"
    assert status(sim, "m_before", at="+10m") == "maybe"
    answer = sim.decryptable("m_during", as_="reader", at="+2h")
    assert answer.status == "maybe" and "R-WIN-02" in answer.rules
    assert {"R-DS-21", "R-DS-23"} <= set(answer.rules)
    assert status(sim, "m_during", as_="admin", at="+2h") == "yes"
    assert sim.association("cloudwatch:dataset", at="+3h9m59s") == "disassociating"
    assert sim.association("cloudwatch:dataset", at="+3h10m") == "none"
    assert status(sim, "m_before", at="+3h10m") == "yes"                      # R-DS-23
    assert status(sim, "m_during", at="+3h10m") == "yes"
    assert put(sim, "+3h11m", "m_after").ok
    assert sim.world.item("m_after").keys == (None,)


def test_max_window_holds_until_its_end() -> None:
    sim, k1 = _window_sim(propagation="max")
    assert sim.world.item("m_during").keys == (k1,)
    assert status(sim, "m_before", at="+2h") == "no"
    assert status(sim, "m_during", at="+3h9m") == "no"
    assert status(sim, "m_during", at="+3h10m") == "yes"


def test_instant_window_lifts_at_once() -> None:
    sim, _ = _window_sim(propagation="instant")
    assert sim.association("cloudwatch:dataset", at="+10m") == "none"
    assert sim.world.item("m_during").keys == (None,)
    assert status(sim, "m_before", at="+10m") == "yes"


def test_fixed_window() -> None:
    sim, k1 = _window_sim(propagation="fixed:1h")
    assert sim.world.item("m_during").keys == (k1,)         # +1h: before it takes effect
    assert status(sim, "m_before", at="+1h9m") == "no"
    assert status(sim, "m_before", at="+1h10m") == "yes"


def test_random_window_records_its_delay_and_replays_the_same() -> None:
    sim, _ = _window_sim(propagation="random:7")
    event = next(e for e in sim.events if e.op == "cloudwatch:DisassociateDatasetKmsKey")
    delay = event.draws["delay"]
    assert delay == draw_delay("random:7", 3 * HOUR, event.seq)
    assert 0 <= delay < 3 * HOUR
    took = event.t + delay
    assert sim.association("cloudwatch:dataset", at=took - 1) == "disassociating"
    assert sim.association("cloudwatch:dataset", at=took) == "none"
    assert status(sim, "m_before", at=took - 1) == "no"
    assert status(sim, "m_before", at=took) == "yes"
    _, differences = replay(sim.events, sim.profile, sim.settings, sim.start)
    assert differences == []


def test_kept_release_old_data_still_needs_the_key() -> None:
    sim, k1 = _window_sim(ds_release="kept")
    assert status(sim, "m_before", at="+3h10m") == "no"
    assert status(sim, "m_before", as_="admin", at="+3h10m") == "yes"
    assert status(sim, "m_during", at="+3h10m") == "maybe"   # it may be under k1
    sim.call("kms:DisableKey", {"KeyId": k1}, at="+4h", as_="admin")
    assert status(sim, "m_before", as_="admin", at="+4h") == "no"
    sim.call("kms:EnableKey", {"KeyId": k1}, at="+5h", as_="admin")
    assert status(sim, "m_before", as_="admin", at="+5h") == "yes"         # R-DS-28


def test_lifted_release_frees_data_under_a_disabled_key() -> None:
    sim, k1 = _window_sim(propagation="max", ds_release="lifted")
    sim.call("kms:DisableKey", {"KeyId": k1}, at="+1h20m", as_="admin")
    assert status(sim, "m_before", as_="admin", at="+2h") == "no"
    answer = sim.decryptable("m_before", as_="admin", at="+3h10m")
    assert answer.status == "yes" and answer.rules == ("R-DS-47", "R-DS-23")


# -- A-DS-RELEASE = caller-lifted (the default): what the window's end leaves -------------
def _disable(sim, key: str, at: str) -> None:
    assert sim.call("kms:DisableKey", {"KeyId": key}, at=at, as_="admin").ok


def _enable(sim, key: str, at: str) -> None:
    assert sim.call("kms:EnableKey", {"KeyId": key}, at=at, as_="admin").ok


def test_key_disabled_when_the_window_ends_keeps_the_data_bound_to_it() -> None:
    sim, k1 = _window_sim(propagation="max")
    _disable(sim, k1, "+1h20m")                          # inside the window: E is +3h10m
    for who in ("admin", "reader"):
        answer = sim.decryptable("m_before", as_=who, at="+3h10m")
        assert (answer.status, answer.permanent) == ("no", False), who
        assert "R-DS-48" in answer.rules and "R-DS-47" not in answer.rules
    _enable(sim, k1, "+5h")
    answer = sim.decryptable("m_before", as_="reader", at="+5h")   # no kms:Decrypt on k1
    assert answer.status == "yes"
    assert {"R-DS-23", "R-DS-48", "R-DS-28"} <= set(answer.rules)
    assert status(sim, "m_during", at="+5h") == "yes"             # written in the window


def test_key_usable_when_the_window_ends_frees_the_data_for_good() -> None:
    sim, k1 = _window_sim(propagation="max")
    _disable(sim, k1, "+3h10m1ms")                       # just after the change took effect
    answer = sim.decryptable("m_before", as_="reader", at="+4h")
    assert answer.status == "yes" and answer.rules == ("R-DS-47", "R-DS-23")
    assert status(sim, "m_during", at="+4h") == "yes"


def test_policy_at_the_window_end_decides_not_the_policy_now() -> None:
    sim, k1 = _window_sim(propagation="max")
    no_cw = cw_policy([])
    # The policy forgets CloudWatch after the change took effect: the data is already free.
    sim.call("kms:PutKeyPolicy", {"KeyId": k1, "Policy": no_cw}, at="+3h20m", as_="admin")
    assert status(sim, "m_before", at="+3h30m") == "yes"
    # Another timeline: the policy forgets CloudWatch inside the window, and comes back after.
    sim, k1 = _window_sim(propagation="max")
    sim.call("kms:PutKeyPolicy", {"KeyId": k1, "Policy": no_cw}, at="+1h", as_="admin")
    answer = sim.decryptable("m_before", as_="admin", at="+3h30m")
    assert answer.status == "no" and "R-DS-48" in answer.rules
    assert "key policy did not allow" in " ".join(answer.reasons)
    sim.call("kms:PutKeyPolicy", {"KeyId": k1, "Policy": cw_policy()}, at="+4h", as_="admin")
    assert status(sim, "m_before", at="+4h") == "yes"        # the reader: no kms:Decrypt


def test_uncertain_window_with_a_key_disabled_inside_it_is_maybe_after_it() -> None:
    sim, k1 = _window_sim("+2h")                          # uncertain: E in [+10m, +3h10m)
    answer = sim.decryptable("m_before", as_="admin", at="+3h10m")
    assert answer.status == "maybe"
    assert {"R-DS-47", "R-DS-48", "R-WIN-02"} <= set(answer.rules)
    _enable(sim, k1, "+4h")
    assert status(sim, "m_before", at="+4h") == "yes"      # every possibility agrees again
    # Disabled before the window opened: CloudWatch could use k1 at no possible moment.
    sim, k1 = _window_sim("+9m", ds_window_readers="under-key", dis_disabled="proceed")
    assert status(sim, "m_before", as_="admin", at="+3h10m") == "no"


def test_uncertain_window_a_point_written_in_it_counts_only_later_moments() -> None:
    sim, _ = _window_sim("+30m")      # before m_during (+1h): if m_during is under k1, the
    answer = sim.decryptable("m_during", as_="admin", at="+3h10m")  # change came after +1h
    assert answer.status == "maybe"   # under k1 (bound, Disabled) or the AWS owned key (yes)
    assert "R-DS-47" not in answer.rules and "R-DS-48" in answer.rules


@pytest.mark.parametrize(("propagation", "took", "status_after"), [
    ("instant", "+10m", "yes"),     # k1 was Enabled at +10m, disabled at +20m
    ("fixed:1h", "+1h10m", "no"),   # disabled before +1h10m
])
def test_deterministic_window_models_have_one_end_moment(propagation, took, status_after
                                                         ) -> None:
    sim, _ = _window_sim("+20m", propagation=propagation)
    assert sim.association("cloudwatch:dataset", at=took) == "none"
    assert status(sim, "m_before", as_="admin", at="+3h20m") == status_after


def test_random_window_end_moment_is_the_recorded_delay() -> None:
    sim, _ = _window_sim(propagation="random:7")
    event = next(e for e in sim.events if e.op == "cloudwatch:DisassociateDatasetKmsKey")
    took = event.t + event.draws["delay"]
    assert sim.when("+10m") < took < sim.when("+3h10m")
    for disable_at, expected in ((took + 1, "yes"), (took - 1, "no")):
        sim, _ = _window_sim(disable_at, propagation="random:7")   # the same draw again
        assert status(sim, "m_before", as_="admin", at="+4h") == expected, disable_at


def test_key_deleted_by_the_window_end_is_lost_for_good() -> None:
    sim = new_sim("api-2026", propagation="max")
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    assert put(sim, "+2m", "m1").ok
    sim.call("kms:ScheduleKeyDeletion", {"KeyId": k1, "PendingWindowInDays": 7}, at="+3m",
             as_="admin")
    assert disassociate(sim, at="+7d").ok                 # PendingDeletion: R-DS-25
    answer = sim.decryptable("m1", as_="admin", at="+7d4h")   # deleted at +7d3m, E +7d3h
    assert (answer.status, answer.permanent) == ("no", True)
    assert {"R-DS-48", "R-KMS-10"} <= set(answer.rules)


def test_explain_names_the_rules_that_decided() -> None:
    from projections.timetravel.explain import explain_item

    sim, k1 = _window_sim(propagation="max")
    _disable(sim, k1, "+1h")
    _enable(sim, k1, "+4h")
    world = sim.timeline.world_at(sim.when("+4h"))
    ex = explain_item(world, world.item("m_before"), sim.principal_arn("reader"),
                      sim.timeline.event, sim.start)
    assert ex.headline.startswith("m_before is decryptable")
    first = ex.links[0]
    assert first.rule == "R-DS-48" and first.statement.startswith("A point the disassociation")
    assert "CloudWatch could not use" in first.text and "was Disabled" in first.text
    assert "R-DS-28" in sim.decryptable("m_before", as_="reader", at="+4h").rules


def test_window_readers_all_vs_under_key() -> None:
    for setting, expected in (("all", "maybe"), ("under-key", "yes")):
        sim = new_sim(ds_window_readers=setting)
        assert put(sim, "+0s", "m_plain").ok                 # under the AWS owned key
        k1 = make_key(sim)
        assert associate(sim, k1, at="+1m").ok
        assert status(sim, "m_plain", at="+2m") == "yes"
        assert disassociate(sim, at="+10m").ok
        assert status(sim, "m_plain", at="+1h") == expected, setting
        assert status(sim, "m_plain", at="+3h10m") == "yes"


def test_deleted_key_is_permanent_even_through_a_release() -> None:
    sim = new_sim("api-2026")
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    assert put(sim, "+2m", "m1").ok
    sim.call("kms:ScheduleKeyDeletion", {"KeyId": k1, "PendingWindowInDays": 7}, at="+3m",
             as_="admin")
    answer = sim.decryptable("m1", as_="admin", at="+4m")
    assert (answer.status, answer.permanent) == ("no", False)
    answer = sim.decryptable("m1", as_="admin", at="+7d4m")
    assert (answer.status, answer.permanent) == ("no", True)
    assert "R-KMS-10" in answer.rules
    assert disassociate(sim, at="+7d5m").ok                  # R-DS-25
    for at in ("+7d6m", "+7d4h"):
        answer = sim.decryptable("m1", as_="admin", at=at)
        assert (answer.status, answer.permanent) == ("no", True), at


def test_data_released_before_its_key_was_deleted_stays_readable() -> None:
    sim, k1 = _window_sim(propagation="instant")
    sim.call("kms:ScheduleKeyDeletion", {"KeyId": k1, "PendingWindowInDays": 7}, at="+4h",
             as_="admin")
    assert status(sim, "m_before", at="+8d") == "yes"


def test_key_policy_no_longer_allowing_cloudwatch() -> None:
    sim = new_sim()
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    assert put(sim, "+2m", "m1").ok
    sim.call("kms:PutKeyPolicy", {"KeyId": k1, "Policy": cw_policy([])}, at="+3m", as_="admin")
    answer = sim.decryptable("m1", as_="admin", at="+3m")
    assert answer.status == "no" and "R-DS-32" in answer.rules and not answer.permanent


def test_reassociating_the_same_key_inside_its_window_cancels_the_release() -> None:
    sim, k1 = _window_sim(propagation="max")
    assert associate(sim, k1, at="+1h20m").ok
    assert status(sim, "m_before", at="+4h") == "no"          # depends on k1 again
    assert status(sim, "m_before", as_="admin", at="+4h") == "yes"
    assert sim.association("cloudwatch:dataset", at="+4h") == "associated"


def test_answers_never_change_when_later_events_arrive() -> None:
    sim, k1 = _window_sim()
    early = sim.decryptable("m_before", as_="reader", at="+30m")
    sim.call("kms:DisableKey", {"KeyId": k1}, at="+1h30m", as_="admin")
    assert sim.decryptable("m_before", as_="reader", at="+30m") == early


def test_no_wall_clock_is_read() -> None:
    results = []
    for frozen in ("1999-01-01", "2040-06-01"):
        with freeze_time(frozen):
            sim, _ = _window_sim()
            results.append([status(sim, label, at=at) for label in ("m_before", "m_during")
                            for at in ("+1h30m", "+2h", "+4h")])
    assert results[0] == results[1]
    release = dataset_of(sim.world, DATASET).releases[0]
    assert release.end - release.start == 3 * HOUR
    assert MINUTE == 60_000


@pytest.mark.parametrize("propagation", ["uncertain", "max", "instant", "random:3"])
def test_scenario_check_kinds_work_for_the_dataset(propagation: str) -> None:
    from sim.scenario.checks import CHECKS, CheckContext

    sim, _ = _window_sim(propagation=propagation)
    world = sim.world_at("+3h10m")
    ctx = CheckContext(world, sim.principal_arn("reader"), {}, sim.account, sim.region)
    assert CHECKS["association"](ctx, {"cloudwatch:dataset": "none"}) == []
    assert CHECKS["decryptable"](ctx, {"m_before": "yes", "m_during": "yes"}) == []
