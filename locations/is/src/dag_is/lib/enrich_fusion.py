"""The fusion worker: categories and keywords for each claimed `fusion_jobs` row (spec A8.2).

One batch: reap expired leases and claim jobs in one short transaction; read the posts; for each
job call the method (the text model, or the local method) with no transaction open; record each
result in its own transaction. A job whose post changed since it was queued (its rev_key is no
longer the post's) is canceled; a bad answer marks the job `error` with the reason and the batch
goes on; an unreachable endpoint stops the batch and returns the remaining jobs to the queue
(the asset then fails so Dagster's retry policy runs it again). Jobs never reached — the worker
crashed or was killed — return to the queue through the `finally` block or, if the process died,
through the lease reaper of the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from dag_shared.resources.llm import AnswerError, ModelUnavailable

from dag_is.lib.enrich_queue import (
    FUSION,
    claim_fusion,
    mark_canceled,
    mark_done,
    mark_error,
    reap_stale,
    release_pending,
)
from dag_is.lib.enrich_revs import LOCAL, MODEL, fused_version, prompt_tag, rev_key, rev_key_sql
from dag_is.lib.enrich_schema import FUSION_SCHEMA, FUSION_SYSTEM, fusion_user_message, normalize_fusion

if TYPE_CHECKING:
    from dag_shared.resources.llm import JsonChatClient
    from dag_shared.resources.postgres import PostgresResource

    from dag_is.lib.enrich_text_local import DocumentFrequencies


class TextMethod(Protocol):
    name: str  # recorded as fused_model: the model's name or "local"
    method: str  # LOCAL or MODEL: which rev_key tag its results carry

    def fuse(self, item: dict[str, Any]) -> tuple[list[str], list[str], str | None]:
        """(categories, keywords, raw answer or None)."""
        ...


class LocalTextMethod:
    name = "local"
    method = LOCAL

    def __init__(self, frequencies: DocumentFrequencies | Callable[[], DocumentFrequencies]):
        # A callable is called on the first post only: a run with an empty queue pays nothing.
        self._frequencies = frequencies

    @property
    def frequencies(self) -> DocumentFrequencies:
        if callable(self._frequencies):
            self._frequencies = self._frequencies()
        return self._frequencies

    def fuse(self, item: dict[str, Any]) -> tuple[list[str], list[str], str | None]:
        from dag_is.lib.enrich_text_local import keywords, lexicon

        ocr = "\n".join(line for image in item["images"] for line in image.get("ocr_lines") or [])
        body = "\n".join(part for part in (item.get("content") or "", ocr) if part)
        return (
            lexicon().categorize(item.get("title") or "", body),
            keywords(item.get("title") or "", body, self.frequencies),
            None,
        )


class ModelTextMethod:
    method = MODEL

    def __init__(self, client: JsonChatClient):
        self.client = client
        self.name = client.model

    def fuse(self, item: dict[str, Any]) -> tuple[list[str], list[str], str | None]:
        messages = [
            {"role": "system", "content": FUSION_SYSTEM},
            {"role": "user", "content": fusion_user_message(item)},
        ]
        answer, raw = self.client.complete_json(messages, "fusion_result", FUSION_SCHEMA)
        categories, keywords = normalize_fusion(answer)
        return categories, keywords, raw


@dataclass
class BatchReport:
    reaped: int = 0
    picked: int = 0
    done: int = 0
    canceled: int = 0
    released: int = 0
    requeued_local: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    unavailable: str | None = None
    changed_post_ids: list[str] = field(default_factory=list)
    previews: list[str] = field(default_factory=list)


def recent_texts(conn, limit: int) -> list[str]:
    """Title and text of the newest posts: the document-frequency corpus of the local keywords."""
    rows = conn.execute(
        """SELECT coalesce(title, '') || E'\\n' || left(coalesce(content, ''), 4000) FROM posts
           WHERE NOT is_deleted ORDER BY "timestamp" DESC NULLS LAST, id LIMIT %s""",
        (limit,),
    ).fetchall()
    return [r[0] for r in rows]


def load_inputs(conn, post_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The posts of the claimed jobs with their image results, by post id (deleted posts left out)."""
    from psycopg.rows import dict_row

    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            """SELECT p.id, p.site, p.board, p.title, p.content, p.tags, e.text_rev, e.image_rev
               FROM posts p JOIN post_enrichment e ON e.post_id = p.id
               WHERE p.id = ANY(%s) AND NOT p.is_deleted AND e.text_rev IS NOT NULL""",
            (post_ids,),
        )
        items = {row["id"]: {**row, "images": []} for row in cur.fetchall()}
        cur.execute(
            """SELECT i.post_id, i.url, ie.caption, ie.labels, ie.ocr_lines, ie.objects, ie.colors, ie.safety
               FROM post_images i JOIN post_image_enrichment ie ON ie.post_id = i.post_id AND ie.url_hash = i.url_hash
               WHERE i.post_id = ANY(%s) ORDER BY i.post_id, i.url_hash""",
            (list(items),),
        )
        for row in cur.fetchall():
            items[row.pop("post_id")]["images"].append(row)
    return items


_WRITE = f"""UPDATE post_enrichment e SET fused_categories = %(categories)s, fused_keywords = %(keywords)s,
        fused_model = %(model)s, fused_version = %(version)s, fused_at = now(), fuse_rev = %(key)s
    WHERE e.post_id = %(post_id)s AND {rev_key_sql("e.text_rev", "e.image_rev", "tag")} = %(key)s"""


class _Superseded(Exception):
    """Rolls back a result whose post or lease changed while the model answered."""


def run_fusion_batch(
    postgres: PostgresResource,
    method: TextMethod,
    prompt_ver: str,
    worker: str,
    batch: int,
    lease_seconds: float,
    retry_delay_seconds: float,
) -> BatchReport:
    from psycopg.types.json import Jsonb

    report = BatchReport()
    with postgres.transaction() as conn:
        report.reaped = reap_stale(conn, FUSION, lease_seconds)
        jobs = claim_fusion(conn, worker, batch)
    report.picked = len(jobs)
    pending = {(post_id, key) for post_id, key, _, _ in jobs}
    release_reason, release_delay = "batch stopped before this job", 0.0
    try:
        with postgres.connection() as conn:
            items = load_inputs(conn, [post_id for post_id, _, _, _ in jobs])
        tag = prompt_tag(prompt_ver, method.method)
        for post_id, key, _, _ in jobs:
            item = items.get(post_id)
            if item is None or rev_key(item["text_rev"], item["image_rev"], prompt_ver, method.method) != key:
                with postgres.transaction() as conn:
                    mark_canceled(
                        conn,
                        FUSION,
                        (post_id, key),
                        worker,
                        f"superseded: not the post's {method.method} rev_key",
                    )
                pending.discard((post_id, key))
                report.canceled += 1
                continue
            try:
                categories, keywords, raw = method.fuse(item)
            except AnswerError as error:
                with postgres.transaction() as conn:
                    mark_error(conn, FUSION, (post_id, key), worker, f"answer: {error.reason}")
                pending.discard((post_id, key))
                report.failed.append({"post_id": post_id, "reason": error.reason})
                continue
            except ModelUnavailable as error:
                report.unavailable = str(error)
                release_reason, release_delay = f"model unavailable: {error}", retry_delay_seconds
                break
            params = {
                "categories": Jsonb(categories),
                "keywords": Jsonb(keywords),
                "model": method.name,
                "version": fused_version(prompt_ver),
                "key": key,
                "tag": tag,
                "post_id": post_id,
            }
            try:
                with postgres.transaction() as conn:
                    written = conn.execute(_WRITE, params).rowcount
                    if not (written and mark_done(conn, FUSION, (post_id, key), worker)):
                        raise _Superseded
                report.done += 1
                report.changed_post_ids.append(post_id)
            except _Superseded:
                # The post changed under the job, or the lease expired: nothing of this answer is kept.
                with postgres.transaction() as conn:
                    mark_canceled(conn, FUSION, (post_id, key), worker, "superseded while the model answered")
                report.canceled += 1
            pending.discard((post_id, key))
            if raw is not None and len(report.previews) < 5:
                report.previews.append(raw[:300])
    finally:
        report.released += release_pending(
            postgres, FUSION, pending, worker, release_reason, release_delay, bool(report.unavailable)
        )
    return report
