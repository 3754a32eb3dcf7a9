"""The image worker: one `post_image_enrichment` row per claimed `media_enrichment_jobs` row (spec A8.3).

Same shape as the fusion worker (enrich_fusion): a short claim transaction with the lease reaper,
work outside any transaction, one transaction per result, unreached jobs released. Per image: fetch
(error stage `img_fetch`), decode and router features (`img_decode`), then either the vision model
(prompt chosen by the router; `model_call` for a refused request, `parse_json` for an answer that
breaks the schema) or the local method (Tesseract OCR and dominant colours, `model = 'local'`).
With a vision model configured, images described only locally are queued again first, so the
model's result supersedes the local one. The report names the posts whose image rows changed:
the rollup turns them into `image_rev`.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dag_shared.resources.llm import AnswerError, ModelUnavailable

from dag_is.lib.enrich_fusion import BatchReport
from dag_is.lib.enrich_image_local import (
    ImageDecodeError,
    ImageFetchError,
    describe_locally,
    fetch_image,
    open_image,
    route,
    router_features,
)
from dag_is.lib.enrich_queue import MEDIA, claim_media, mark_done, mark_error, reap_stale, release_pending
from dag_is.lib.enrich_schema import VLM_MAX_TOKENS, VLM_SCHEMA, VLM_SYSTEM, normalize_vlm

if TYPE_CHECKING:
    from dag_shared.resources.llm import JsonChatClient
    from dag_shared.resources.postgres import PostgresResource

MAX_DATA_URL_BYTES = 6 * 1024 * 1024

_UPSERT = """INSERT INTO post_image_enrichment AS t (post_id, url_hash, image_url, model, version, route, caption,
        labels, ocr_lines, safety, objects, colors, features, enriched_at)
    VALUES (%(post_id)s, %(url_hash)s, %(image_url)s, %(model)s, 2, %(route)s, %(caption)s, %(labels)s,
        %(ocr_lines)s, %(safety)s, %(objects)s, %(colors)s, %(features)s, now())
    ON CONFLICT (post_id, url_hash) DO UPDATE SET image_url = EXCLUDED.image_url, model = EXCLUDED.model,
        version = EXCLUDED.version, route = EXCLUDED.route, caption = EXCLUDED.caption, labels = EXCLUDED.labels,
        ocr_lines = EXCLUDED.ocr_lines, safety = EXCLUDED.safety, objects = EXCLUDED.objects,
        colors = EXCLUDED.colors, features = EXCLUDED.features, enriched_at = now()"""


def requeue_local_results(conn, limit: int) -> int:
    """Queue again (P1) up to `limit` done image jobs whose result came from the local method."""
    return max(
        conn.execute(
            """UPDATE media_enrichment_jobs j SET status = 'queued', next_attempt_at = now(), updated_at = now(),
                   finished_at = NULL, last_error = 'superseding the local result'
               WHERE (j.post_id, j.url_hash) IN (
                   SELECT j2.post_id, j2.url_hash FROM media_enrichment_jobs j2
                   JOIN post_image_enrichment e ON e.post_id = j2.post_id AND e.url_hash = j2.url_hash
                   WHERE j2.status = 'done' AND e.model = 'local' ORDER BY j2.finished_at LIMIT %s)""",
            (limit,),
        ).rowcount,
        0,
    )


def data_url(image, data: bytes, mime: str | None) -> str:
    """The image as a data URL: JPEG and PNG as fetched when small enough, anything else as JPEG."""
    if mime not in ("image/jpeg", "image/png") or len(data) > MAX_DATA_URL_BYTES:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=90)
        data, mime = buffer.getvalue(), "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def describe_with_model(
    client: JsonChatClient, image, data: bytes, features: dict[str, Any], url: str
) -> tuple[dict[str, Any], str, str]:
    """(normalised result, route, raw answer) from the vision model."""
    chosen = route(features)
    context = {"url": url, "width": features["width"], "height": features["height"], "mode": chosen}
    messages = [
        {"role": "system", "content": VLM_SYSTEM[chosen]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": json.dumps(context, ensure_ascii=False)},
                {"type": "image_url", "image_url": {"url": data_url(image, data, features["mime"])}},
            ],
        },
    ]
    answer, raw = client.complete_json(messages, "VLMOutput", VLM_SCHEMA, max_tokens=VLM_MAX_TOKENS[chosen])
    return normalize_vlm(answer), chosen, raw


def run_media_batch(
    postgres: PostgresResource,
    client: JsonChatClient | None,
    worker: str,
    batch: int,
    lease_seconds: float,
    retry_delay_seconds: float,
    fetch: Callable[[str], bytes] = fetch_image,
) -> BatchReport:
    from psycopg.types.json import Jsonb

    report = BatchReport()
    with postgres.transaction() as conn:
        report.reaped = reap_stale(conn, MEDIA, lease_seconds)
        if client is not None:
            report.requeued_local = requeue_local_results(conn, batch)
        jobs = claim_media(conn, worker, batch)
    report.picked = len(jobs)
    pending = {(post_id, url_hash) for post_id, url_hash, _, _ in jobs}
    changed: dict[str, None] = {}
    release_reason, release_delay = "batch stopped before this job", 0.0

    def fail(job: tuple[str, str], stage: str, message: str) -> None:
        with postgres.transaction() as conn:
            mark_error(conn, MEDIA, job, worker, f"{stage}: {message[:400]}")
        pending.discard(job)
        report.failed.append({"post_id": job[0], "url_hash": job[1], "reason": f"{stage}: {message[:200]}"})

    try:
        for post_id, url_hash, url, _ in jobs:
            job = (post_id, url_hash)
            try:
                data = fetch(url)
            except ImageFetchError as error:
                fail(job, "img_fetch", str(error))
                continue
            try:
                image = open_image(data)
                features = router_features(image, data, url)
            except ImageDecodeError as error:
                fail(job, "img_decode", str(error))
                continue
            if client is None:
                try:
                    local = describe_locally(image)
                except ImageDecodeError as error:
                    fail(job, "ocr", str(error))
                    continue
                result = {
                    "caption": None,
                    "labels": [],
                    "ocr_lines": local.ocr_lines,
                    "safety": None,
                    "objects": [],
                }
                result["colors"], model, chosen = local.colors, "local", "local"
            else:
                try:
                    result, chosen, raw = describe_with_model(client, image, data, features, url)
                except AnswerError as error:
                    fail(job, "parse_json" if error.reply is not None else "model_call", error.reason)
                    continue
                except ModelUnavailable as error:
                    report.unavailable = str(error)
                    release_reason, release_delay = f"model unavailable: {error}", retry_delay_seconds
                    break
                model = client.model
                if len(report.previews) < 5:
                    report.previews.append(raw[:300])
            with postgres.transaction() as conn:
                if mark_done(conn, MEDIA, job, worker):
                    conn.execute(
                        _UPSERT,
                        {
                            "post_id": post_id,
                            "url_hash": url_hash,
                            "image_url": url,
                            "model": model,
                            "route": chosen,
                            "caption": result["caption"],
                            "labels": Jsonb(result["labels"]),
                            "ocr_lines": Jsonb(result["ocr_lines"]),
                            "safety": Jsonb(result["safety"]) if result["safety"] is not None else None,
                            "objects": Jsonb(result["objects"]),
                            "colors": Jsonb(result["colors"]),
                            "features": Jsonb(features),
                        },
                    )
                    report.done += 1
                    changed[post_id] = None
            pending.discard(job)
    finally:
        report.changed_post_ids = list(changed)
        report.released += release_pending(
            postgres, MEDIA, pending, worker, release_reason, release_delay, bool(report.unavailable)
        )
    return report
