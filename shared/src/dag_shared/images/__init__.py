"""The logo/thumbnail pipeline CD and DS share: crawler → object store → WebP → company URL.

`lib/` and `logo_crawler/` are free of dagster (the crawler runs in its own container with only
dagster-pipes); `factory`, `resources` and `checks` build the Dagster definitions a location
instantiates with its prefix, database, id column and target column.
"""
