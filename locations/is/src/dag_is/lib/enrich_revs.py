"""The one rev_key recipe of the fusion queue (legacy defect A11-12: four drifting variants).

rev_key = md5(`<text_rev>:<image_rev or 'noimg'>::pv=<tag>`), where the tag is the single
prompt-version setting FUSION_PROMPT_VER for a model's result and `<FUSION_PROMPT_VER>+local` for the
local method's. A post is enriched when `post_enrichment.fuse_rev` equals the target key; a local
result therefore never satisfies a model target (configuring an endpoint re-enqueues every post
once), while a model result also satisfies the local target (removing the endpoint does not
replace model output with local output). `REV_KEY_SQL` is the same recipe for set-based SQL.
"""

from __future__ import annotations

import hashlib

LOCAL = "local"
MODEL = "model"


def prompt_tag(prompt_ver: str, method: str) -> str:
    """The `::pv=` part of a rev_key for a method class (`model` or `local`)."""
    if method not in (LOCAL, MODEL):
        raise ValueError(f"method must be {LOCAL!r} or {MODEL!r}, not {method!r}")
    return prompt_ver if method == MODEL else f"{prompt_ver}+{LOCAL}"


def rev_key(text_rev: str, image_rev: str | None, prompt_ver: str, method: str) -> str:
    image = image_rev if image_rev is not None else "noimg"
    return hashlib.md5(f"{text_rev}:{image}::pv={prompt_tag(prompt_ver, method)}".encode()).hexdigest()


def rev_key_sql(text_rev: str, image_rev: str, tag_param: str) -> str:
    """SQL expression of `rev_key` over two column expressions and a named parameter holding the tag."""
    return f"md5({text_rev} || ':' || COALESCE({image_rev}, 'noimg') || '::pv=' || %({tag_param})s)"


def fused_version(prompt_ver: str) -> str:
    """`post_enrichment.fused_version` of a result made under this prompt version."""
    return f"fusion:{prompt_ver}"
