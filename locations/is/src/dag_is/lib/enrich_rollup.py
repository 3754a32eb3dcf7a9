"""The one image rollup (legacy defect A11-13: three divergent copies): image rows → post_enrichment.

For each post it aggregates the `post_image_enrichment` rows of the images the post still has:
`image_summary` (captions, newest first, joined with " | "), `image_keywords` (distinct lowercased
labels), `image_ocr` (the five most frequent OCR lines, one per line), `image_safety`
(`{nsfw: {avg, max}, violence: {avg, max}}`), `image_objects` (summed counts, averaged confidence),
`image_colors` (summed ratios), and `image_rev` = md5 of
`url_hashes|summary|ocr|keywords|objects|colors`. It returns the posts whose `image_rev` changed:
those are the posts the upgrade step moves to the image fusion key. `enriched_at` is the time of
the post's last rollup, so posts with newer image rows are found again after a failed run.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

LABELS_TOP_K = 20
OBJECTS_TOP_K = 20
COLORS_TOP_K = 10
OCR_TOP_K = 5


def stale_posts(conn: psycopg.Connection, limit: int) -> list[str]:
    """Posts with image results newer than their last rollup, oldest result first."""
    rows = conn.execute(
        """SELECT i.post_id FROM post_image_enrichment i
           JOIN post_images pi ON pi.post_id = i.post_id AND pi.url_hash = i.url_hash
           LEFT JOIN post_enrichment e ON e.post_id = i.post_id
           GROUP BY i.post_id, e.enriched_at
           HAVING max(i.enriched_at) > coalesce(e.enriched_at, '-infinity'::timestamptz)
           ORDER BY max(i.enriched_at), i.post_id LIMIT %s""",
        (limit,),
    ).fetchall()
    return [r[0] for r in rows]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The post_enrichment image fields of one post's image rows (any order)."""
    rows = sorted(rows, key=lambda r: (r["enriched_at"], r["url_hash"]), reverse=True)
    captions = [r["caption"] for r in rows if r.get("caption")]
    labels = list(dict.fromkeys(str(x).strip().lower() for r in rows for x in r["labels"] if str(x).strip()))
    line_counts = Counter(line for r in rows for line in r["ocr_lines"])
    first = {}
    for r in rows:
        for line in r["ocr_lines"]:
            first.setdefault(line, len(first))
    ocr = sorted(line_counts, key=lambda x: (-line_counts[x], first[x]))[:OCR_TOP_K]
    safety = None
    scored = [r["safety"] for r in rows if r.get("safety")]
    if scored:
        safety = {
            k: {
                "avg": round(sum(s[k] for s in scored) / len(scored), 3),
                "max": round(max(s[k] for s in scored), 3),
            }
            for k in ("nsfw", "violence")
        }
    objects: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    for r in rows:
        for obj in r["objects"]:
            entry = objects[obj["name"].lower()]
            entry[0] += int(obj["count"])
            entry[1] += float(obj["confidence"])
            entry[2] += 1
    top_objects = sorted(
        ({"name": n, "count": c, "confidence": round(s / k, 3)} for n, (c, s, k) in objects.items()),
        key=lambda o: (-o["count"], o["name"]),
    )[:OBJECTS_TOP_K]
    colors: dict[str, dict[str, Any]] = {}
    for r in rows:
        for color in r["colors"]:
            entry = colors.setdefault(
                color["hex"].lower(), {"name": color["name"], "hex": color["hex"].lower(), "ratio": 0.0}
            )
            entry["ratio"] += float(color["ratio"])
    top_colors = sorted(
        ({**c, "ratio": round(c["ratio"], 3)} for c in colors.values()), key=lambda c: (-c["ratio"], c["hex"])
    )[:COLORS_TOP_K]
    summary = " | ".join(captions) or None
    ocr_text = "\n".join(ocr) or None
    keywords = labels[:LABELS_TOP_K]
    hashes = ",".join(sorted(r["url_hash"] for r in rows))
    recipe = "|".join(
        [hashes, summary or "", ocr_text or "", _dumps(keywords), _dumps(top_objects), _dumps(top_colors)]
    )
    return {
        "image_summary": summary,
        "image_keywords": keywords,
        "image_ocr": ocr_text,
        "image_safety": safety,
        "image_objects": top_objects,
        "image_colors": top_colors,
        "image_rev": hashlib.md5(recipe.encode("utf-8")).hexdigest(),
    }


def roll_up(conn: psycopg.Connection, post_ids: list[str]) -> list[str]:
    """Write the image fields of `post_ids` into post_enrichment; the posts whose image_rev changed."""
    if not post_ids:
        return []
    from psycopg.rows import dict_row
    from psycopg.types.json import Jsonb

    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            """SELECT i.post_id, i.url_hash, i.caption, i.labels, i.ocr_lines, i.safety, i.objects, i.colors,
                      i.enriched_at
               FROM post_image_enrichment i
               JOIN post_images pi ON pi.post_id = i.post_id AND pi.url_hash = i.url_hash
               WHERE i.post_id = ANY(%s)""",
            (post_ids,),
        )
        by_post: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in cur.fetchall():
            by_post[row["post_id"]].append(row)
    changed = []
    for post_id in sorted(by_post):
        fields = aggregate(by_post[post_id])
        row = conn.execute(
            """WITH old AS (SELECT image_rev FROM post_enrichment WHERE post_id = %(post_id)s FOR UPDATE)
               INSERT INTO post_enrichment AS e (post_id, image_summary, image_keywords, image_ocr, image_safety,
                   image_objects, image_colors, image_rev, enriched_at)
               VALUES (%(post_id)s, %(image_summary)s, %(image_keywords)s, %(image_ocr)s, %(image_safety)s,
                   %(image_objects)s, %(image_colors)s, %(image_rev)s, now())
               ON CONFLICT (post_id) DO UPDATE SET image_summary = EXCLUDED.image_summary,
                   image_keywords = EXCLUDED.image_keywords, image_ocr = EXCLUDED.image_ocr,
                   image_safety = EXCLUDED.image_safety, image_objects = EXCLUDED.image_objects,
                   image_colors = EXCLUDED.image_colors, image_rev = EXCLUDED.image_rev, enriched_at = now()
               RETURNING (SELECT image_rev FROM old) IS DISTINCT FROM e.image_rev""",
            {
                "post_id": post_id,
                **{
                    k: Jsonb(v)
                    if k in ("image_keywords", "image_safety", "image_objects", "image_colors")
                    and v is not None
                    else v
                    for k, v in fields.items()
                },
            },
        ).fetchone()
        if row[0]:
            changed.append(post_id)
    return changed
