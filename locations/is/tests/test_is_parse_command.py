"""The operators' parse command prints what the rules read from a saved page."""

import hashlib
import json
import subprocess
import sys

from dag_shared.crawler.sites import sample_dir

NOW = "2026-11-29T15:00:00+09:00"


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "dag_is.parse", *args], check=False, capture_output=True, text=True, timeout=60
    )


def test_list_prints_post_ids_urls_titles_and_utc_time_hints():
    done = run("damoang", "free", "list", str(sample_dir("damoang_free") / "list-2.html"), "--now", NOW)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        {"post_id": "5555950", "url": "https://damoang.net/free/5555950", "title": "어제 밤 축구 보신 분?",
         "time_hint": "2026-11-28T14:10:00Z"},
        {"post_id": "5555900", "url": "https://damoang.net/free/5555900", "title": "그제 올린 질문 해결했습니다",
         "time_hint": "2026-11-26T15:00:00Z"},
    ]  # fmt: skip


def test_detail_of_an_euc_kr_page_prints_the_post_with_its_comment_tree():
    url = "https://www.ppomppu.co.kr/zboard/view.php?id=freeboard&no=9870011"
    page = sample_dir("ppomppu_hot") / "view-freeboard-9870011.html"
    done = run("ppomppu", "hot", "detail", str(page), "--url", url, "--now", NOW, "--show-personal")
    assert done.returncode == 0, done.stderr
    post = json.loads(done.stdout)
    assert (post["post_id"], post["title"], post["isDeleted"]) == (
        "9870011",
        "오늘 퇴근길 지하철 대란 & 사진 있음",
        False,
    )
    assert post["id"] == hashlib.md5(b"ppomppu-hot-9870011").hexdigest()[:16]
    assert post["comments"][0]["replies"][0]["replies"][0]["content"] == "ㅠㅠ 고생하셨습니다"
    assert (
        post["comments"][0]["replies"][0]["replies"][0]["timestamp"] == "2026-11-29T05:55:00Z"
    )  # "5분 전" at --now
    assert post["comment_page_urls"] == [
        "https://www.ppomppu.co.kr/zboard/comment.php?id=freeboard&no=9870011&c_page=2&comment_mode="
    ]


def test_a_page_the_rules_cannot_read_exits_2_naming_the_file(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<html><body>점검 중</body></html>", encoding="utf-8")
    done = run("clien", "park", "detail", str(page), "--url", "https://www.clien.net/service/board/park/1")
    assert done.returncode == 2
    assert str(page) in done.stderr and "h3.post_subject" in done.stderr


def _comments(items):
    for comment in items:
        yield comment
        yield from _comments(comment["replies"])


def test_detail_masks_authors_avatars_and_comment_texts_unless_asked():
    url = "https://www.ppomppu.co.kr/zboard/view.php?id=freeboard&no=9870011"
    page = str(sample_dir("ppomppu_hot") / "view-freeboard-9870011.html")
    shown = json.loads(
        run("ppomppu", "hot", "detail", page, "--url", url, "--now", NOW, "--show-personal").stdout
    )
    masked = json.loads(run("ppomppu", "hot", "detail", page, "--url", url, "--now", NOW).stdout)
    assert shown["author"] and masked["author"] == "***"
    assert masked["title"] == shown["title"] and masked["content"] == shown["content"]  # the post text stays
    pairs = list(zip(_comments(shown["comments"]), _comments(masked["comments"]), strict=True))
    assert len(pairs) >= 3
    for plain, hidden in pairs:
        for field in ("author", "content"):
            assert hidden[field] == ("***" if plain[field] else plain[field])
        assert plain["timestamp"] == hidden["timestamp"] and plain["depth"] == hidden["depth"]
    assert "ㅠㅠ 고생하셨습니다" not in json.dumps(masked, ensure_ascii=False)
