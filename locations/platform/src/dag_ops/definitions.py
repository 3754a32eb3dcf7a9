"""Definitions of the `platform` code location, the operations location: everything under `dag_ops.defs`.

It owns no data. Its two sensors watch every other location through the instance: a run that
fails anywhere (`platform_run_failure_alerts`) and an asset check that fails anywhere
(`platform_check_failure_alerts`) become one alert each, a row of the `alerts` table in the
platform database and, when PLATFORM_ALERT_WEBHOOK_URL is set, a Slack-compatible message.
Domain code without dagster (the table, the message, the webhook) is in `lib/`.
"""

import gc
from pathlib import Path

import dagster as dg
from dag_shared.instrumentation import instrument

# What the imports made lives as long as the process: frozen, the full collections that building
# the definitions triggers no longer walk it.
gc.freeze()
# Row count, execution time, peak memory and PII audit on every materialization (dag_shared.instrumentation).
defs = instrument(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))
