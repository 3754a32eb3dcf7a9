"""The steps of `ss_ingest_job` for one crawl file, each inside the caller's transaction.

raw → normalized → rules → LLM → deals → daily aggregates. Every step reads the previous step's
rows of the same crawl file from the warehouse and replaces its own, so any step can be re-run
alone and re-running the whole chain leaves the same rows.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dag_ss.lib import warehouse
from dag_ss.lib.crawl_file import parse_timestamp, read_crawl_file
from dag_ss.lib.deals import deal_record, gate
from dag_ss.lib.dictionary import load_dictionary
from dag_ss.lib.llm_stage import Thresholds, run_llm_stage
from dag_ss.lib.normalize import KST, normalize_post
from dag_ss.lib.rules import extract_rules

RAW_COLUMNS = (
    "post_id", "url", "site", "board", "title", "author", "posted_at", "view_count", "like_count",
    "comment_count", "content", "comments",
)  # fmt: skip
NORMALIZED_COLUMNS = (
    "post_id", "url", "author", "title", "content", "op_comment_texts", "text", "op_comments",
    "other_comments", "channel", "city", "move_type", "contract", "payment", "capacity",
    "source_posted_at", "intent", "deal_candidate", "deal_candidate_score", "advertorial_score",
    "nondeal_reason",
)  # fmt: skip
RULES_COLUMNS = (
    "post_id", "segment", "url", "source_posted_at", "intent", "deal_candidate", "deal_candidate_score",
    "advertorial_score", "prefilter_passed", "filtered_reason", "deal", "flags",
)  # fmt: skip
LLM_COLUMNS = (
    "post_id", "segment", "url", "source_posted_at", "advertorial_score", "prefilter_passed",
    "filtered_reason", "extraction", "llm_status", "llm_reason", "deal", "flags",
)  # fmt: skip
QUARANTINE_COLUMNS = ("post_id", "segment", "url", "reason", "deal", "flags")
SEGMENT_ORDER = "post_id, segment"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_raw(conn, crawl_file: str, path: Path) -> dict[str, Any]:
    crawl = read_crawl_file(path)
    written = warehouse.replace_partition(conn, "raw_posts", crawl_file, RAW_COLUMNS, crawl.posts)
    crawled_at = parse_timestamp(crawl.meta.get("crawled_at"))
    sha256 = file_sha256(path)
    warehouse.record_crawl_file(conn, crawl_file, sha256, crawled_at, written)
    return {
        "posts": written,
        "site": crawl.meta.get("site"),
        "board": crawl.meta.get("board"),
        "crawled_at": crawled_at.isoformat() if crawled_at else None,
        "rejected": dict(crawl.rejected),
        "duplicate_post_ids_in_file": crawl.duplicates,
        "file_sha256": sha256,
    }


def normalize(conn, crawl_file: str, advertorial_high: float) -> dict[str, Any]:
    posts = warehouse.read_partition(conn, "raw_posts", crawl_file)
    rows = [normalize_post(post, advertorial_high) for post in posts]
    warehouse.replace_partition(conn, "normalized_posts", crawl_file, NORMALIZED_COLUMNS, rows)
    return {
        "posts": len(rows),
        "deal_candidates": sum(r["deal_candidate"] for r in rows),
        "non_deal": dict(Counter(r["nondeal_reason"] for r in rows if r["nondeal_reason"])),
        "zero_comments": sum(r["op_comments"] + r["other_comments"] == 0 for r in rows),
        "missing_source_posted_at": sum(r["source_posted_at"] is None for r in rows),
    }


def extract_with_rules(conn, crawl_file: str, thresholds: Thresholds) -> dict[str, Any]:
    dictionary = load_dictionary(conn)
    posts = warehouse.read_partition(conn, "normalized_posts", crawl_file)
    rows = [row for post in posts for row in extract_rules(post, dictionary, thresholds.as_dict())]
    warehouse.replace_partition(conn, "extracted_rules", crawl_file, RULES_COLUMNS, rows)
    return {
        "posts": len(posts),
        "rows": len(rows),
        "prefilter_passed": sum(r["prefilter_passed"] for r in rows),
        "filtered": dict(Counter(r["filtered_reason"] for r in rows if r["filtered_reason"])),
        "multi_scenario_posts": len({r["post_id"] for r in rows if r["segment"] > 0}),
        "dictionary_carriers": len(dictionary.carriers),
        "dictionary_models": len(dictionary.models),
    }


def allowed_lists(conn) -> tuple[list[str], list[str]]:
    """The dictionary's carrier and model names (raises when the dictionary is missing or empty)."""
    dictionary = load_dictionary(conn)
    return list(dictionary.carriers), list(dictionary.models)


def extract_with_llm(conn, crawl_file: str, extractor, thresholds: Thresholds, record_failures: bool):
    rules_rows = warehouse.read_partition(conn, "extracted_rules", crawl_file, SEGMENT_ORDER)
    posts = {p["post_id"]: p for p in warehouse.read_partition(conn, "normalized_posts", crawl_file)}
    result = run_llm_stage(rules_rows, posts, extractor, thresholds, record_failures)
    warehouse.replace_partition(conn, "extracted_llm", crawl_file, LLM_COLUMNS, result.rows)
    return result


def upsert_deals(conn, crawl_file: str) -> dict[str, Any]:
    rows = warehouse.read_partition(conn, "extracted_llm", crawl_file, SEGMENT_ORDER)
    good: dict[str, dict[str, Any]] = {}
    quarantined = []
    candidates = duplicates = 0
    for row in rows:
        if not row["prefilter_passed"]:
            continue
        candidates += 1
        if row["llm_status"] in ("invalid", "failed"):
            reason = row["llm_reason"]
        else:
            reason = gate(row["deal"], row["flags"])
        if reason:
            quarantined.append({**row, "reason": reason})
            continue
        record = deal_record(row, row["extraction"])
        duplicates += record["deal_hash"] in good
        good[record["deal_hash"]] = record
    changed = warehouse.upsert_deals(conn, list(good.values()))
    warehouse.replace_partition(conn, "deal_quarantine", crawl_file, QUARANTINE_COLUMNS, quarantined)
    reasons = Counter(q["reason"].split(":")[0] for q in quarantined)
    return {
        "candidates": candidates,
        "passed": len(good) + duplicates,
        "quarantined": len(quarantined),
        "quarantine_reasons": dict(reasons),
        "pass_rate": round((len(good) + duplicates) / candidates, 4) if candidates else 0.0,
        "upserted_or_changed": changed,
        "deals_in_file": len(good),
        "duplicates_in_batch": duplicates,
    }


def window_end(crawled_at: datetime | None, newest_post: datetime | None, today: date) -> date:
    """The last day of the aggregate window: the Korean date of the file's newest post (a crawl's
    newest post is from about when it ran), else the crawl's date, else today."""
    moment = newest_post or crawled_at
    return moment.astimezone(KST).date() if moment else today


def aggregate(conn, crawl_file: str, today: date) -> dict[str, Any]:
    crawled_at, newest_post = warehouse.crawl_file_facts(conn, crawl_file)
    end = window_end(crawled_at, newest_post, today)
    rows = warehouse.refresh_aggregates(conn, end)
    deals, quarantined = conn.execute(
        """SELECT (SELECT count(*) FROM extracted_llm WHERE crawl_file = %(f)s AND prefilter_passed)
                  - (SELECT count(*) FROM deal_quarantine WHERE crawl_file = %(f)s),
                  (SELECT count(*) FROM deal_quarantine WHERE crawl_file = %(f)s)""",
        {"f": crawl_file},
    ).fetchone()
    warehouse.mark_processed(conn, crawl_file, deals, quarantined)
    return {"aggregate_rows": rows, "window_end": end.isoformat(), "window_days": warehouse.WINDOW_DAYS}
