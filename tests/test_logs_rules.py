"""The CloudWatch Logs rulebook: quotes are exact, every rule is exercised, every error
names a rule, the scenarios pass, and nothing reads the wall clock."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import test_logs_arn_partition
import test_logs_assoc
import test_logs_data
import test_logs_events
import test_logs_query
import test_paging
from freezegun import freeze_time

from projections.rulebook import (
    all_assumptions,
    all_rules,
    resolve_settings,
    rule,
)
from sim.runner import run_file

ROOT = Path(__file__).resolve().parent.parent
LOGS_SCENARIOS = sorted((ROOT / "scenarios").glob("logs-*.toml"))
LOGS_MODULES = [*sorted((ROOT / "sim" / "services" / "logs").glob("*.py")),
                ROOT / "sim" / "services" / "simops" / "logs.py"]

#: Where each rule is exercised: a test function (module.name) or a scenario file.
EXERCISED = {
    "R-LOGS-01": "test_logs_assoc.test_query_result_association_by_resource_identifier",
    "R-LOGS-02": "test_logs_assoc.test_target_checks_are_invalid_parameter",
    "R-LOGS-03": "test_logs_assoc.test_replace_keeps_old_batches_under_the_old_key",
    "R-LOGS-04": "test_logs_assoc.test_replace_keeps_old_batches_under_the_old_key",
    "R-LOGS-05": "test_logs_assoc.test_window_models_decide_which_key_a_batch_is_under",
    "R-LOGS-06": "test_logs_data.test_key_lifecycle_disable_enable_schedule_cancel_delete",
    "R-LOGS-07": "test_logs_query.test_results_are_plaintext_under_the_query_result_key",
    "R-LOGS-08": "test_logs_query.test_results_started_before_a_key_change_keep_their_key",
    "R-LOGS-09": "test_logs_query.test_results_are_plaintext_under_the_query_result_key",
    "R-LOGS-10": "test_logs_query.test_without_a_query_result_key_results_use_the_service_key",
    "R-LOGS-11": "test_logs_query.test_cross_account_query_uses_the_monitoring_account_key",
    "R-LOGS-12": "test_logs_data.test_key_lifecycle_disable_enable_schedule_cancel_delete",
    "R-LOGS-13": "test_logs_assoc.test_asymmetric_key_refused_by_default_accepted_as_alternative",
    "R-LOGS-14": "test_logs_assoc.test_window_models_decide_which_key_a_batch_is_under",
    "R-LOGS-15": "test_logs_assoc.test_unknown_disabled_pending_deletion_and_other_region_keys",
    "R-LOGS-16": "test_logs_assoc.test_same_instant_change_is_operation_aborted",
    "R-LOGS-17": "test_logs_assoc.test_missing_group_is_resource_not_found_before_key_checks",
    "R-LOGS-18": "test_logs_assoc.test_injected_fault_window_answers_service_unavailable",
    "R-LOGS-19": "test_logs_assoc.test_target_checks_are_invalid_parameter",
    "R-LOGS-20": "test_logs_assoc.test_kms_key_id_must_be_a_key_arn",
    "R-LOGS-21": "test_logs_assoc.test_target_checks_are_invalid_parameter",
    "R-LOGS-22": "test_logs_assoc.test_same_instant_change_is_operation_aborted",
    "R-LOGS-23": "test_logs_assoc.test_replace_keeps_old_batches_under_the_old_key",
    "R-LOGS-24": "test_logs_assoc.test_key_policy_without_logs_is_access_denied_with_the_observed_"
                 "message",
    "R-LOGS-25": "test_logs_assoc.test_disassociate_keeps_old_data_under_the_old_key",
    "R-LOGS-26": "test_logs_assoc.test_disassociate_without_a_key",
    "R-LOGS-27": "test_logs_data.test_group_and_stream_errors_change_nothing",
    "R-LOGS-28": "test_logs_assoc.test_create_log_group_with_bad_key_creates_nothing",
    "R-LOGS-29": "test_logs_data.test_delete_log_group_makes_its_events_gone_and_drops_the_"
                 "association",
    "R-LOGS-30": "test_logs_data.test_retention_makes_batches_gone_in_ingestion_order",
    "R-LOGS-31": "test_logs_data.test_key_lifecycle_disable_enable_schedule_cancel_delete",
    "R-LOGS-32": "test_logs_data.test_ingest_into_a_group_whose_key_is_disabled_fails_and_stores_"
                 "nothing",
    "R-LOGS-33": "test_logs_data.test_get_log_events_fails_while_the_key_is_unusable",
    "R-LOGS-34": "test_logs_data.test_read_error_code_is_an_assumption",
    "R-LOGS-35": "test_logs_query.test_results_are_kept_seven_days",
    "R-LOGS-36": "test_logs_query.test_unreadable_sources_fail_by_default_or_are_skipped_when_"
                 "partial",
    "R-LOGS-37": "test_logs_query.test_cross_account_query_uses_the_monitoring_account_key",
    "R-LOGS-38": "test_logs_assoc.test_injected_fault_window_answers_service_unavailable",
    "R-LOGS-39": "test_logs_events.test_a_missing_stream_is_not_found_unless_the_create_"
                 "alternative",
    "R-LOGS-40": "test_logs_data.test_group_and_stream_errors_change_nothing",
    "R-LOGS-65": "test_logs_data.test_group_and_stream_errors_change_nothing",
    "R-LOGS-41": "test_logs_data.test_messages_come_back_with_their_timestamps",
    "R-LOGS-42": "test_logs_data.test_retention_makes_batches_gone_in_ingestion_order",
    "R-LOGS-43": "test_paging.test_describe_log_groups_pages_by_name",
    "R-LOGS-44": "test_logs_events.test_a_batch_out_of_chronological_order_fails_and_stores_"
                 "nothing",
    "R-LOGS-45": "test_logs_events.test_a_batch_out_of_chronological_order_fails_and_stores_"
                 "nothing",
    "R-LOGS-46": "test_logs_events.test_too_old_and_too_new_events_are_rejected_and_the_rest_"
                 "stored",
    "R-LOGS-47": "test_logs_events.test_events_before_the_retention_period_are_expired",
    "R-LOGS-48": "test_logs_events.test_where_the_end_indexes_point_is_an_assumption",
    "R-LOGS-49": "test_logs_events.test_the_batch_size_counts_utf8_bytes_plus_26_per_event",
    "R-LOGS-50": "test_logs_events.test_the_batch_size_counts_utf8_bytes_plus_26_per_event",
    "R-LOGS-51": "test_logs_events.test_at_most_10000_events_a_batch",
    "R-LOGS-52": "test_logs_events.test_the_kept_events_may_span_at_most_24_hours",
    "R-LOGS-53": "test_logs_events.test_the_kept_events_may_span_at_most_24_hours",
    "R-LOGS-54": "test_logs_events.test_get_log_events_pages_forward_and_backward",
    "R-LOGS-55": "test_logs_events.test_a_token_kmsim_did_not_issue_for_the_stream_is_invalid",
    "R-LOGS-56": "test_logs_events.test_log_group_identifier_is_a_name_or_an_arn",
    "R-LOGS-57": "test_logs_query.test_rows_hold_the_fields_asked_for_then_ptr",
    "R-LOGS-58": "test_logs_query.test_without_fields_a_row_is_timestamp_and_message_and_"
                 "display_decides",
    "R-LOGS-59": "test_logs_events.test_a_missing_stream_is_not_found_unless_the_create_"
                 "alternative",
    "R-LOGS-60": "test_logs_query.test_query_result_encryption_context_is_an_assumption",
    "R-LOGS-61": "test_logs_query.test_query_result_encryption_context_is_an_assumption",
    "R-LOGS-62": "test_logs_assoc.test_disassociate_answers_an_empty_response",
    "R-LOGS-63": "test_logs_assoc.test_create_log_group_association_timing_is_an_assumption",
    "R-LOGS-70": "test_logs_arn_partition.test_another_partition_names_no_log_group",
    "R-LOGS-75": "test_logs_assoc.test_asymmetric_key_refused_by_default_accepted_as_alternative",
    "R-LOGS-76": "test_logs_assoc.test_unknown_disabled_pending_deletion_and_other_region_keys",
    "R-LOGS-77": "test_logs_assoc.test_unknown_disabled_pending_deletion_and_other_region_keys",
    "R-LOGS-78": "test_logs_assoc.test_same_instant_change_is_operation_aborted",
    "R-LOGS-79": "test_logs_assoc.test_injected_fault_window_answers_service_unavailable",
    "R-LOGS-80": "test_logs_query.test_cross_account_query_uses_the_monitoring_account_key",
    "R-LOGS-81": "test_logs_assoc.test_foreign_group_arn_error_is_an_assumption",
    "R-LOGS-82": "test_logs_assoc.test_key_id_or_alias_is_resolved_under_the_resolve_alternative",
    "R-LOGS-83": "test_logs_data.test_when_retention_makes_a_batch_gone_is_an_assumption",
    "R-LOGS-84": "test_logs_data.test_get_log_events_fails_while_the_key_is_unusable",
    "R-LOGS-85": "test_logs_query.test_expired_results_error_is_an_assumption",
    "R-LOGS-86": "test_paging.test_describe_log_groups_pages_by_name",
    "R-LOGS-87": "test_logs_query.test_ptr_form_is_an_assumption",
    "R-LOGS-88": "test_logs_data.test_describe_shows_the_latest_or_the_effective_key_while_"
                 "propagating",
}
MODULES = {"test_logs_arn_partition": test_logs_arn_partition,
           "test_logs_assoc": test_logs_assoc, "test_logs_data": test_logs_data,
           "test_logs_events": test_logs_events, "test_logs_query": test_logs_query,
           "test_paging": test_paging}


def logs_rules():
    """The area's own R-LOGS-NN rules; the issue-13 parts' R-LOGS-WORD-NN rules are
    exercised where their parts list them (tests/test_logs_streams_rules.py, ...)."""
    return [r for r in all_rules() if re.fullmatch(r"R-LOGS-\d{2}[a-z]?", r.id)]


def test_every_rule_is_exercised_by_a_named_test():
    assert set(EXERCISED) == {r.id for r in logs_rules()}
    for rule_id, where in EXERCISED.items():
        module, name = where.split(".")
        assert callable(getattr(MODULES[module], name, None)), (rule_id, where)


def test_every_assumption_has_a_default_and_working_alternatives():
    ids = {"A-LOGS-POLICY", "A-LOGS-ASYMMETRIC", "A-INGEST-UNUSABLE-KEY", "A-QUERY-UNREADABLE",
           "A-LOGS-READ-ERROR", "A-LOGS-NO-KEY", "A-IMPLICIT-STREAM", "A-REJECTED-INDEX",
           "A-QUERY-FIELDS", "A-TOKEN-DIRECTION", "A-LOGS-FOREIGN-ARN", "A-LOGS-KEY-REF",
           "A-LOGS-RETENTION", "A-LOGS-EXPIRED-QUERY", "A-LOGS-SHOWN-KEY", "A-QUERY-PTR"}
    found = {a.id: a for a in all_assumptions()}
    assert ids <= set(found)
    for a_id in ids:
        a = found[a_id]
        assert a.alternatives
        for value in a.alternatives:
            assert resolve_settings("seed", [(a.name, value)])[a.name] == value
        assert any(r.assumption == a_id for r in logs_rules()), a_id


def test_every_aws_error_names_a_declared_rule():
    for path in LOGS_MODULES:
        name = path.name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "AwsError":
                assert len(node.args) >= 3, f"{name}:{node.lineno}"
                arg = node.args[2]
                assert isinstance(arg, ast.Constant), f"{name}:{node.lineno}"
                assert rule(arg.value).id == arg.value


@pytest.mark.parametrize("path", LOGS_SCENARIOS, ids=lambda p: p.name)
def test_scenario_passes(path):
    report = run_file(path)
    assert report.passed, [s.message for s in report.steps if not s.ok] + [
        c.failures for c in report.checks if not c.passed]


def test_at_least_eight_teaching_scenarios_and_the_cli_exit_code():
    assert len(LOGS_SCENARIOS) >= 8
    result = subprocess.run([sys.executable, "-m", "sim.cli", "run",
                             *[str(p) for p in LOGS_SCENARIOS]],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_no_wall_clock_reads():
    path = ROOT / "scenarios" / "logs-cross-account-query.toml"
    runs = []
    for frozen in ("2001-01-01", "2040-06-30"):
        with freeze_time(frozen):
            report = run_file(path)
        runs.append([(e.seq, e.t, e.op, e.out, e.draws) for e in report.sim.events])
    assert runs[0] == runs[1]
