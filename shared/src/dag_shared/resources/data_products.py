"""Where locations publish data products for one another: the shared object store.

A data product (CD's listed-company master, read by NPS) is an object one location writes and
others read by key, never by importing the writer. Both sides take the store from this resource,
resolved when a run starts: OBJECT_STORE_* (S3/R2) when set, else the local folder under the data
directory, so with one DAG_DATA_DIR both locations see the same objects. `local_root` points a
test or a one-off run at another folder.
"""

from __future__ import annotations

import dagster as dg
from pydantic import Field

from dag_shared.resources.object_store import ObjectStoreResource, object_store_resource


class DataProductStoreResource(dg.ConfigurableResource):
    """The object store data products are published to and read from, chosen when the run starts."""

    local_root: str | None = Field(
        default=None,
        description="Local store folder; unset: OBJECT_STORE_* or $DAG_DATA_DIR/object_store.",
    )

    def store(self) -> ObjectStoreResource:
        store = object_store_resource()  # reads OBJECT_STORE_* now, at run time
        if self.local_root and not store.endpoint_url:
            return ObjectStoreResource(bucket=store.bucket, local_root=self.local_root)
        return store
