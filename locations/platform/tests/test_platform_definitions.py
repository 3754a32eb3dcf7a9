"""The operations location loads light, follows the conventions, and its sensors watch every location."""

import subprocess
import sys

import dagster as dg
from dag_shared.conventions import check_location


def test_definitions_load_and_follow_the_conventions():
    from dag_ops.definitions import defs

    assert check_location("platform", defs) == []


def test_both_alert_sensors_run_by_default_and_the_run_sensor_watches_all_code_locations():
    from dag_ops.definitions import defs

    repository = defs.get_repository_def()
    sensors = {sensor.name: sensor for sensor in repository.sensor_defs}
    assert set(sensors) == {"platform_run_failure_alerts", "platform_check_failure_alerts"}
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())
    run_sensor = sensors["platform_run_failure_alerts"]
    assert isinstance(run_sensor, dg.RunStatusSensorDefinition)
    assert run_sensor._monitor_all_code_locations is True
    assert repository.get_top_level_resources()["alert_sink"] is not None


def test_loading_the_definitions_imports_no_database_driver():
    script = "import sys, dag_ops.definitions\nprint(','.join(m for m in ('psycopg', 'httpx') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
