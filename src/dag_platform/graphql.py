"""A small client for the webserver's GraphQL API: location status and reloads."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

LOCATIONS_QUERY = """
query LocationStatuses {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on PythonError { message }
        }
      }
    }
  }
}
"""

RELOAD_MUTATION = """
mutation Reload($name: String!) {
  reloadRepositoryLocation(repositoryLocationName: $name) {
    __typename
    ... on WorkspaceLocationEntry {
      name
      loadStatus
      locationOrLoadError { __typename ... on PythonError { message } }
    }
    ... on PythonError { message }
    ... on UnauthorizedError { message }
    ... on ReloadNotSupported { message }
    ... on RepositoryLocationNotFound { message }
  }
}
"""


LAUNCH_MUTATION = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""

RUN_QUERY = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { runId status tags { key value } }
  }
}
"""

TERMINAL_RUN_STATUSES = {"SUCCESS", "FAILURE", "CANCELED"}


@dataclass(frozen=True)
class LocationStatus:
    name: str
    load_status: str  # LOADING or LOADED
    outcome: str  # RepositoryLocation when usable, PythonError when its code failed
    error: str | None

    @property
    def usable(self) -> bool:
        return self.load_status == "LOADED" and self.outcome == "RepositoryLocation"


class DagsterGraphQL:
    def __init__(self, base_url: str, timeout: float = 30):
        self.endpoint = base_url.rstrip("/") + "/graphql"
        self.client = httpx.Client(timeout=timeout)

    def query(self, document: str, variables: dict | None = None) -> dict:
        response = self.client.post(self.endpoint, json={"query": document, "variables": variables or {}})
        response.raise_for_status()
        payload = response.json()
        if payload.get("errors"):
            raise RuntimeError(f"GraphQL errors: {payload['errors']}")
        return payload["data"]

    def locations(self) -> dict[str, LocationStatus]:
        data = self.query(LOCATIONS_QUERY)["workspaceOrError"]
        if data["__typename"] != "Workspace":
            raise RuntimeError(f"workspace did not load: {data}")
        statuses = {}
        for entry in data["locationEntries"]:
            outcome = entry["locationOrLoadError"] or {}
            statuses[entry["name"]] = LocationStatus(
                entry["name"], entry["loadStatus"], outcome.get("__typename", "None"), outcome.get("message")
            )
        return statuses

    def reload(self, name: str) -> LocationStatus:
        result = self.query(RELOAD_MUTATION, {"name": name})["reloadRepositoryLocation"]
        if result["__typename"] != "WorkspaceLocationEntry":
            raise RuntimeError(f"reloading {name} failed: {result}")
        outcome = result["locationOrLoadError"] or {}
        return LocationStatus(
            name, result["loadStatus"], outcome.get("__typename", "None"), outcome.get("message")
        )

    def launch_assets(self, location: str, asset_keys: list[str], tags: dict[str, str] | None = None) -> str:
        """Queue a run materializing `asset_keys` of one location; returns its run id."""
        selection = {"assetSelection": [{"path": [key]} for key in asset_keys]}
        return self.launch_job(location, "__ASSET_JOB", tags, selection)

    def launch_job(
        self,
        location: str,
        job: str,
        tags: dict[str, str] | None = None,
        selection: dict | None = None,
        run_config: dict | None = None,
    ) -> str:
        """Queue a run of one of the location's jobs (a partition through the `dagster/partition`
        tag, op config through `run_config`); returns its run id."""
        params = {
            "selector": {
                "repositoryLocationName": location,
                "repositoryName": "__repository__",
                "jobName": job,
                **(selection or {}),
            },
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]},
        }
        if run_config:
            params["runConfigData"] = run_config
        result = self.query(LAUNCH_MUTATION, {"params": params})["launchRun"]
        if result["__typename"] != "LaunchRunSuccess":
            raise RuntimeError(f"launching {job} {selection or ''} in {location} failed: {result}")
        return result["run"]["runId"]

    def wait_for_run(self, run_id: str, timeout: float, poll: float = 0.5) -> dict:
        """Poll a run until it ends; returns the run (status, tags)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.query(RUN_QUERY, {"runId": run_id})["runOrError"]
            if run.get("status") in TERMINAL_RUN_STATUSES:
                return run
            time.sleep(poll)
        raise TimeoutError(f"run {run_id} did not finish within {timeout:.0f}s")

    def wait_until_loaded(
        self, names: list[str], timeout: float, poll: float = 0.25
    ) -> dict[str, LocationStatus]:
        """Poll until every named location has finished loading (successfully or not)."""
        deadline = time.monotonic() + timeout
        last: dict[str, LocationStatus] | str = "webserver not answering"
        while time.monotonic() < deadline:
            try:
                last = self.locations()
                if all(name in last and last[name].load_status == "LOADED" for name in names):
                    return last
            except (httpx.HTTPError, RuntimeError) as error:
                last = str(error)
            time.sleep(poll)
        raise TimeoutError(f"locations not loaded after {timeout:.0f}s: {last}")

    def close(self) -> None:
        self.client.close()
