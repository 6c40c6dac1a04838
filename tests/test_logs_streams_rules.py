"""The rules of issue 13's part L1 (projections/rulebook/logs_api.py): each is exercised by
a named test, every A-LOGS-API assumption is cited by a rule and its alternatives resolve,
and every error its handlers raise names a declared rule."""

from __future__ import annotations

import ast
from pathlib import Path

import test_logs_filter
import test_logs_stream_deleted
import test_logs_streams
import test_logs_tags

from projections.rulebook import all_assumptions, all_rules, resolve_settings, rule

ROOT = Path(__file__).resolve().parent.parent
MODULES = {"test_logs_filter": test_logs_filter, "test_logs_streams": test_logs_streams,
           "test_logs_tags": test_logs_tags, "test_logs_stream_deleted": test_logs_stream_deleted}
HANDLERS = [ROOT / "sim" / "services" / "logs" / f"{m}.py"
            for m in ("streams", "filter", "groups", "tags")]

EXERCISED = {
    "R-LOGS-API-01": "test_logs_streams.test_exactly_one_log_group_reference",
    "R-LOGS-API-02": "test_logs_streams.test_prefix_with_last_event_time_order_is_refused",
    "R-LOGS-API-03": "test_logs_streams.test_order_by_name_or_last_event_time_and_descending",
    "R-LOGS-API-04": "test_logs_streams.test_pages_follow_the_token_in_the_same_order",
    "R-LOGS-API-05": "test_logs_streams.test_streams_show_their_times_as_the_model_names_them",
    "R-LOGS-API-06": "test_logs_streams.test_streams_show_their_times_as_the_model_names_them",
    "R-LOGS-API-07": "test_logs_streams.test_stream_times_under_the_hour_alternative",
    "R-LOGS-API-08": "test_logs_streams.test_where_an_empty_stream_sorts_is_the_assumptions",
    "R-LOGS-API-09": "test_logs_streams.test_streams_show_their_times_as_the_model_names_them",
    "R-LOGS-API-10": "test_logs_streams.test_streams_show_their_times_as_the_model_names_them",
    "R-LOGS-API-11": "test_logs_streams.test_retention_deleted_batches_still_count_for_the_"
                     "stream_times",
    "R-LOGS-API-12": "test_logs_filter.test_stream_names_and_prefix",
    "R-LOGS-API-13": "test_logs_filter.test_the_time_range_includes_both_ends",
    "R-LOGS-API-14": "test_logs_filter.test_the_time_range_includes_both_ends",
    "R-LOGS-API-15": "test_logs_filter.test_events_are_interleaved_by_timestamp_then_ingestion_"
                     "time",
    "R-LOGS-API-16": "test_logs_filter.test_newest_first_and_the_token_keeps_its_direction",
    "R-LOGS-API-17": "test_logs_filter.test_newest_first_and_the_token_keeps_its_direction",
    "R-LOGS-API-18": "test_logs_filter.test_pages_and_partial_pages",
    "R-LOGS-API-19": "test_logs_filter.test_events_are_interleaved_by_timestamp_then_ingestion_"
                     "time",
    "R-LOGS-API-20": "test_logs_filter.test_events_are_interleaved_by_timestamp_then_ingestion_"
                     "time",
    "R-LOGS-API-21": "test_logs_filter.test_text_terms",
    "R-LOGS-API-22": "test_logs_filter.test_text_terms",
    "R-LOGS-API-23": "test_logs_filter.test_an_unquoted_term_with_other_characters_is_refused",
    "R-LOGS-API-24": "test_logs_filter.test_an_unquoted_term_with_other_characters_is_refused",
    "R-LOGS-API-25": "test_logs_filter.test_text_terms",
    "R-LOGS-API-26": "test_logs_filter.test_text_terms",
    "R-LOGS-API-27": "test_logs_filter.test_a_mix_of_or_and_plain_terms_is_the_assumptions",
    "R-LOGS-API-28": "test_logs_filter.test_json_space_delimited_and_regex_patterns",
    "R-LOGS-API-29": "test_logs_filter.test_a_token_of_another_group_is_refused",
    "R-LOGS-API-30": "test_logs_filter.test_a_full_page_stops_before_an_unreadable_batch_"
                     "unless_all",
    "R-LOGS-API-31": "test_logs_filter.test_event_ids_are_stable_and_distinct",
    "R-LOGS-API-32": "test_logs_streams.test_delete_log_stream_deletes_its_events_and_a_"
                     "namesake_starts_empty",
    "R-LOGS-API-33": "test_logs_streams.test_delete_retention_policy_keeps_the_events_not_yet_"
                     "deleted",
    "R-LOGS-API-34": "test_logs_tags.test_create_log_group_tags_and_tag_resource_adds_or_"
                     "replaces",
    "R-LOGS-API-35": "test_logs_tags.test_at_most_fifty_tags",
    "R-LOGS-API-36": "test_logs_tags.test_at_most_fifty_tags",
    "R-LOGS-API-37": "test_logs_tags.test_the_resource_arn",
    "R-LOGS-API-38": "test_logs_tags.test_create_log_group_tags_and_tag_resource_adds_or_"
                     "replaces",
    "R-LOGS-API-39": "test_logs_tags.test_no_tags_is_an_empty_map",
    "R-LOGS-API-40": "test_logs_tags.test_the_legacy_operations",
    "R-LOGS-API-41": "test_logs_tags.test_the_legacy_operations",
    "R-LOGS-API-42": "test_logs_tags.test_the_legacy_operations",
    "R-LOGS-API-43": "test_logs_tags.test_tag_keys_and_values_follow_the_model",
    "R-LOGS-API-44": "test_logs_streams.test_list_log_groups_answers_names_arns_and_classes",
    "R-LOGS-API-45": "test_logs_streams.test_list_log_groups_filters",
    "R-LOGS-API-46": "test_logs_streams.test_list_log_groups_filters",
    "R-LOGS-API-47": "test_logs_streams.test_list_log_groups_filters",
    "R-LOGS-API-48": "test_logs_streams.test_list_log_groups_of_linked_accounts",
    "R-LOGS-API-49": "test_logs_streams.test_list_log_groups_pages",
    "R-LOGS-API-50": "test_logs_streams.test_list_log_groups_filters",
    "R-LOGS-API-51": "test_logs_streams.test_describe_log_groups_shows_the_class_and_the_new_"
                     "key_at_once",
    "R-LOGS-API-52": "test_logs_streams.test_list_log_groups_answers_names_arns_and_classes",
    "R-LOGS-API-53": "test_logs_filter.test_stream_names_and_prefix",
    "R-LOGS-API-54": "test_logs_stream_deleted.test_a_query_after_the_deletion_does_not_read_"
                     "the_stream",
    "R-LOGS-API-55": "test_logs_stream_deleted.test_stored_results_drop_deleted_events_under_"
                     "the_alternative",
}


def test_every_rule_is_exercised_by_a_named_test():
    assert set(EXERCISED) == {r.id for r in all_rules() if r.id.startswith("R-LOGS-API-")}
    for rule_id, where in EXERCISED.items():
        module, name = where.split(".")
        assert callable(getattr(MODULES[module], name, None)), (rule_id, where)


def test_every_assumption_is_cited_and_its_alternatives_resolve():
    mine = [a for a in all_assumptions() if a.id.startswith("A-LOGS-API-")]
    assert len(mine) == 7
    for a in mine:
        assert any(r.assumption == a.id for r in all_rules()), a.id
        for value in a.alternatives:
            assert resolve_settings("seed", [(a.name, value)])[a.name] == value


def test_every_aws_error_names_a_declared_rule():
    for path in HANDLERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "AwsError":
                assert len(node.args) >= 3, f"{path.name}:{node.lineno}"
                arg = node.args[2]
                assert isinstance(arg, ast.Constant), f"{path.name}:{node.lineno}"
                assert rule(arg.value).id == arg.value
