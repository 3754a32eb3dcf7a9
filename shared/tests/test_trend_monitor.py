"""The trend monitor factory (guidelines §8): a metric against the mean of its recent history."""

from __future__ import annotations

import dagster as dg
import pytest
from dag_shared.checks.trend_monitor import evaluate_trend, trend_monitor
from dag_shared.resources.postgres import PostgresResource


def test_a_value_within_the_threshold_passes_and_one_beyond_it_warns():
    history = [("2024-01", 100), ("2024-02", 110), ("2024-03", 90)]
    calm = evaluate_trend([*history, ("2024-04", 112)], metric="members", threshold=0.15)
    assert calm.passed and calm.baseline == 100 and calm.deviation == pytest.approx(0.12)
    jump = evaluate_trend([*history, ("2024-04", 130)], metric="members", threshold=0.15)
    assert not jump.passed and jump.period == "2024-04"
    assert "30.0%" in jump.description and "above the 15% threshold" in jump.description


def test_only_the_window_before_the_latest_period_is_the_baseline_whatever_the_row_order():
    series = [("d5", 200), ("d1", 1), ("d2", 1), ("d3", 100), ("d4", 100)]
    reading = evaluate_trend(series, metric="value", window=2)
    assert (reading.period, reading.baseline, reading.history) == ("d5", 100, 2)
    assert not reading.passed  # 100% above the baseline of d3 and d4; d1 and d2 are out of the window


def test_too_little_history_or_no_data_passes_and_says_why():
    assert evaluate_trend([], metric="m").description == "m: no data yet"
    short = evaluate_trend([("a", 1), ("b", 50)], metric="m")
    assert short.passed and short.baseline is None and "need 2" in short.description
    assert not evaluate_trend([("a", 0), ("b", 0), ("c", 5)], metric="m").passed


def test_the_check_reads_the_series_from_postgres_and_warns(postgres_url):
    resource = PostgresResource(url=postgres_url)
    resource.execute("CREATE TABLE daily (day date, traded bigint)")
    resource.execute(
        "INSERT INTO daily VALUES ('2024-01-02', 100), ('2024-01-02', 0), ('2024-01-03', 100), "
        "('2024-01-04', 100), ('2024-01-05', 300)"
    )

    @dg.asset(description="The day.")
    def cd_day():
        return dg.MaterializeResult(metadata={"dagster/row_count": 1})

    check = trend_monitor(
        asset="cd_day",
        name="cd_day_trend",
        metric="traded value",
        query="SELECT day, sum(traded) FROM daily GROUP BY day",
        resource_key="cd_postgres",
    )
    result = dg.materialize([cd_day, check], resources={"cd_postgres": resource})
    evaluation = result.get_asset_check_evaluations()[0]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["current_value"].value == 300
    assert evaluation.metadata["baseline_mean"].value == 100
    assert evaluation.metadata["period"].value == "2024-01-05"
    resource.close()
