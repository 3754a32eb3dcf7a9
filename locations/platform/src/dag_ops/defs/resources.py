"""The alert sink both sensors write to: the platform database and, when set, the webhook.

Settings are read when a sensor ticks (never at load): PLATFORM_POSTGRES_URL (the stack gives the
location its database `platform`) and PLATFORM_ALERT_WEBHOOK_URL.
"""

from __future__ import annotations

import dagster as dg
from pydantic import Field


class AlertSinkResource(dg.ConfigurableResource):
    """Records alerts once (the `alerts` table) and posts new ones to a Slack-compatible webhook."""

    postgres_url: str | None = Field(default=None, description="Unset: PLATFORM_POSTGRES_URL.")
    webhook_url: str | None = Field(default=None, description="Unset: PLATFORM_ALERT_WEBHOOK_URL.")

    def _postgres_url(self) -> str:
        from dag_shared.settings import env

        url = self.postgres_url or env("PLATFORM_POSTGRES_URL")
        if not url:
            raise dg.Failure("PLATFORM_POSTGRES_URL is not set: alerts have no table to go to")
        return url

    def _webhook_url(self) -> str | None:
        from dag_shared.settings import env

        return (
            self.webhook_url if self.webhook_url is not None else env("PLATFORM_ALERT_WEBHOOK_URL")
        ) or None

    def raise_alerts(self, alerts: list) -> list:
        """Record the alerts, post the new ones (and earlier failed posts); returns the new alerts.

        A post that fails is kept and retried on the next call; the call then raises, so the
        sensor's tick shows the failure in the UI while the alert itself is already recorded.
        """
        from dag_ops.lib import alerts as ledger

        url, webhook = self._postgres_url(), self._webhook_url()
        new = ledger.record(url, alerts, webhook=webhook is not None)
        if webhook is not None:
            _, errors = ledger.deliver_pending(url, webhook)
            if errors:
                raise dg.Failure(
                    f"posting {len(errors)} alert(s) to PLATFORM_ALERT_WEBHOOK_URL failed: {errors}"
                )
        return new


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"alert_sink": AlertSinkResource()})
