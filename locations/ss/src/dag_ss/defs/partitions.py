"""The dynamic partitions of SS: one partition per crawl file, keyed by the file's stem."""

from __future__ import annotations

import dagster as dg

SS_CRAWL_FILES = dg.DynamicPartitionsDefinition(name="ss_crawl_files")
