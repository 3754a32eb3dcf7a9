"""Definitions of the `platform` code location, the operations location: everything under `dag_ops.defs`.

It owns no data. Its two sensors watch every other location through the instance: a run that
fails anywhere (`platform_run_failure_alerts`) and an asset check that fails anywhere
(`platform_check_failure_alerts`) become one alert each, a row of the `alerts` table in the
platform database and, when PLATFORM_ALERT_WEBHOOK_URL is set, a Slack-compatible message.
Domain code without dagster (the table, the message, the webhook) is in `lib/`.
"""

from dag_shared.location_defs import load_location_defs

# The defs/ folder, instrumented (dag_shared.location_defs).
defs = load_location_defs(__file__)
