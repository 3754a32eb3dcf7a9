"""HTML helpers site modules share: parsing, text, numbers, absolute URLs, images and embeds of a body.

Built on selectolax (lexbor). `body_parts` turns a post body node into the post's plain text, its
cleaned HTML (absolute URLs, no scripts, no tracking pixels), its image URLs and its embeds, the same
way for every board.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from dag_shared.crawler import embeds as embed_rules
from dag_shared.crawler.rules import ParseError
from dag_shared.crawler.schema import Embed

_DIGITS = re.compile(r"-?[\d,]+")
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_IMAGE_ATTRS = ("data-original", "data-src", "data-lazy-src", "src")


def parse_html(text: str) -> LexborHTMLParser:
    return LexborHTMLParser(text)


def page_tree(page, root: str, what: str) -> LexborHTMLParser:
    """The parsed page, or a ParseError naming it when the `root` element is missing: the page is
    not `what` (an error page, a login wall, a changed layout)."""
    tree = parse_html(page.text)
    if tree.css_first(root) is None:
        raise ParseError(f"{page.url}: no {root} (not {what})")
    return tree


def detail_tree(page, title: str, deleted: re.Pattern[str], what: str) -> tuple[LexborHTMLParser, str | None]:
    """A detail page parsed, with the text of its `title` element.

    No title is a deleted or restricted post when the page says so (`deleted` matches its text):
    the title is then None. Otherwise the page is not `what` (an error page, a changed layout) and
    a ParseError names it.
    """
    tree = parse_html(page.text)
    text = first_text(tree, title)
    if text is None and not deleted.search(page.text):
        raise ParseError(f"{page.url}: no {title} (not {what})")
    return tree, text


def clean_text(text: str | None) -> str:
    """Collapse runs of spaces, keep line breaks (at most one blank line), strip the ends."""
    if not text:
        return ""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def text_of(node: LexborNode | None) -> str:
    """The node's visible text, with line breaks where the page breaks lines."""
    if node is None:
        return ""
    html = node.html or ""
    html = re.sub(r"(?i)<br\s*/?>", "\n", html)
    html = re.sub(r"(?i)</(p|div|li|tr|h[1-6]|blockquote)>", "\n", html)
    fragment = LexborHTMLParser(html)
    for junk in fragment.css("script, style, noscript"):
        junk.decompose()
    root = fragment.body or fragment.root
    return clean_text(root.text(separator="", deep=True) if root is not None else "")


def first(root: LexborHTMLParser | LexborNode, selector: str) -> LexborNode | None:
    return root.css_first(selector)


def first_text(root: LexborHTMLParser | LexborNode, selector: str) -> str | None:
    node = root.css_first(selector)
    if node is None:
        return None
    value = clean_text(node.text(deep=True))
    return value or None


def attr(node: LexborNode | None, name: str) -> str | None:
    if node is None:
        return None
    value = node.attributes.get(name)
    return value.strip() if value else None


def int_of(text: str | None) -> int | None:
    """The first integer in a text (`1,234` → 1234), None when there is none."""
    if not text:
        return None
    match = _DIGITS.search(text)
    if match is None:
        return None
    digits = match[0].replace(",", "")
    return int(digits) if digits.strip("-") else None


def absolute(url: str | None, base: str) -> str | None:
    if not url:
        return None
    url = url.strip()
    if url.startswith(("data:", "javascript:", "about:", "#")):
        return None
    return urljoin(base, url)


def _is_tracking_pixel(node: LexborNode) -> bool:
    width, height = node.attributes.get("width"), node.attributes.get("height")
    return (width in {"0", "1"} and height in {"0", "1"}) or "display:none" in (
        node.attributes.get("style") or ""
    ).replace(" ", "")


@dataclass
class BodyParts:
    text: str
    html: str
    images: list[str]
    embeds: list[Embed]


def body_parts(node: LexborNode | None, base: str) -> BodyParts:
    """Text, cleaned HTML, images and embeds of a post body (or a comment) node."""
    if node is None:
        return BodyParts("", "", [], [])
    fragment = LexborHTMLParser(node.html or "")
    for junk in fragment.css("script, style, noscript"):
        junk.decompose()
    images: list[str] = []
    for img in fragment.css("img"):
        if _is_tracking_pixel(img):
            img.decompose()
            continue
        source = next(
            (absolute(img.attributes.get(a), base) for a in _IMAGE_ATTRS if img.attributes.get(a)), None
        )
        if source:
            img.attrs["src"] = source
            if source not in images:
                images.append(source)
    found: list[Embed] = []
    for frame in fragment.css("iframe"):
        src = absolute(frame.attributes.get("src") or frame.attributes.get("data-src"), base)
        if src:
            frame.attrs["src"] = src
            found.append(embed_rules.iframe_embed(src, frame.attributes.get("title")))
    for quote in fragment.css("blockquote.twitter-tweet"):
        for link in quote.css("a[href]"):
            status = embed_rules.tweet_id(link.attributes.get("href") or "")
            if status:
                found.append(embed_rules.tweet_embed(status, clean_text(quote.text(deep=True)) or None))
                break
    for video in fragment.css("video"):
        source = video.css_first("source")
        src = absolute(video.attributes.get("src") or attr(source, "src"), base)
        if src:
            found.append(
                embed_rules.video_embed(src, attr(source, "type"), absolute(attr(video, "poster"), base))
            )
    for link in fragment.css("a[href]"):
        href = absolute(link.attributes.get("href"), base)
        if href:
            link.attrs["href"] = href
            if embed_rules.youtube_id(href):
                found.append(embed_rules.youtube_embed(embed_rules.youtube_id(href) or ""))
    inner = fragment.body or fragment.root
    html = (inner.html or "") if inner is not None else ""
    html = re.sub(r"^<body>|</body>$", "", html.strip())
    return BodyParts(text_of(inner), html.strip(), images, embed_rules.deduplicate(found))
