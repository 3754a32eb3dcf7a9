"""The local enrichment methods: Kiwi keywords by TF-IDF, lexicon categories, Tesseract OCR, colours."""

import psycopg
import pytest
from dag_is.lib.enrich_image_local import dominant_colors, ocr_lines, open_image, route, router_features
from dag_is.lib.enrich_revs import LOCAL, MODEL, rev_key, rev_key_sql
from dag_is.lib.enrich_schema import CATEGORIES
from dag_is.lib.enrich_text_local import DocumentFrequencies, keywords, lexicon, terms
from enrich_helpers import text_image


def test_kiwi_terms_are_nouns_and_latin_words_of_korean_text():
    found = terms("삼성전자가 새 갤럭시 스마트폰을 발표했고 Apple 은 iPhone 가격을 내렸습니다.")
    assert {"삼성전자", "갤럭시", "스마트폰", "apple", "iphone", "가격"} <= set(found)
    # nouns written together are one compound; "feat." is no word
    assert {"서비스센터", "전기차"} <= set(terms("아이폰 배터리 교체 후기 (feat. 서비스센터) 전기차 충전"))
    assert "eat." not in terms("후기 (feat. 서비스센터)")
    # particles, verbs and endings are not keywords
    assert not {"가", "했고", "은", "을", "내렸습니다"} & set(found)


def test_tfidf_ranks_the_distinctive_noun_above_the_common_one():
    corpus = [f"오늘 날씨 이야기 {i}번째 날씨 글" for i in range(30)] + ["반도체 수출 급증 소식"]
    frequencies = DocumentFrequencies.of(corpus)
    ranked = keywords("날씨 좋은 날 반도체 공장 견학", "날씨 날씨 반도체 공장 라인 견학 후기", frequencies)
    assert ranked.index("반도체") < ranked.index("날씨")
    assert len(ranked) <= 8 and len(set(ranked)) == len(ranked)
    assert not set(ranked) & set(CATEGORIES)  # 후기 is a category, never a keyword


def test_lexicon_covers_the_fourteen_categories_and_picks_by_title_first():
    lex = lexicon()
    assert sorted(lex.categories) == sorted(CATEGORIES)
    assert lex.categorize("아이폰 16 프로 한 달 사용 후기", "카메라가 좋아졌습니다")[0] == "후기"
    assert lex.categorize("손흥민 시즌 10호골", "경기 하이라이트, 감독 인터뷰")[0] == "스포츠"
    assert lex.categorize("", "") == ["기타"]
    assert len(lex.categorize("아이폰 게임 후기 질문?", "ㅋㅋㅋ 할인 쿠폰")) <= 2


def test_tesseract_reads_korean_and_english_from_a_generated_image():
    image = open_image(text_image(["안녕하세요 대한민국", "Hello World 2026"]))
    text = " ".join(ocr_lines(image))
    assert "안녕하세요" in text and "대한민국" in text
    assert "Hello" in text and "World" in text


def test_colours_and_router_features_of_a_screenshot_like_image():
    data = text_image(["공지사항 캡처", "Screenshot of a post"])
    image = open_image(data)
    colors = dominant_colors(image)
    assert colors[0]["name"] == "white" and colors[0]["ratio"] > 0.5
    features = router_features(image, data, "https://cdn.example/screenshot_1.png")
    assert features["mime"] == "image/png" and features["ui_like"] and features["url_keyword"] == "screenshot"
    assert 0 < features["text_density"] < 1
    assert route(features) in ("ocr", "photo")


def test_rev_key_recipe_is_the_same_in_python_and_sql(postgres_url):
    with psycopg.connect(postgres_url) as conn:
        for image_rev in (None, "noimg", "abc"):
            for method in (LOCAL, MODEL):
                from dag_is.lib.enrich_revs import prompt_tag

                sql_key = conn.execute(
                    f"SELECT {rev_key_sql('%(text)s', '%(image)s::text', 'tag')}",
                    {"text": "t1", "image": image_rev, "tag": prompt_tag("pv9", method)},
                ).fetchone()[0]
                assert sql_key == rev_key("t1", image_rev, "pv9", method)
    assert rev_key("t1", None, "pv9", LOCAL) != rev_key("t1", None, "pv9", MODEL)
    assert rev_key("t1", None, "pv9", MODEL) == rev_key("t1", "noimg", "pv9", MODEL)
    with pytest.raises(ValueError):
        rev_key("t1", None, "pv9", "gpt")
