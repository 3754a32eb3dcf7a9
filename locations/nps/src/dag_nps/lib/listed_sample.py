"""Workplaces of KRX-listed companies in the bundled NPS sample months (SAMPLE DATA).

`dag_nps.lib.sample` writes them into `dag_nps/sample_data/` after the synthetic population, so that
the sample months and CD's bundled sample days (`dag_cd/lib/sample_krx/`) have listed companies in
common. The workplaces are made up (names of listed companies as the NPS would register them,
invented numbers) and carry the cases the listed-company matching must get right: a company
with two workplaces under one registration number and a branch office, ㈜ and 주식회사 before or
after the name, Latin-lettered listed names registered in Hangul, a KRX short name, a dealer shop,
a staff credit union and a "(주)삼성전자한양유통" that are not the company, a small individual
business sharing a listed company's name, two unrelated corporations with one name, a near-miss
name for review, a dealer whose display name is exactly a listed name (오성정밀 대리점 → 오성정밀),
and the preferred-share-only listing of CD's sample days (대원전선).
"""

from __future__ import annotations

FIRST_MONTH = "2022-03"  # the sample's first data month: the head counts below are its own

# sido, sigungu, emdong, sido name, sigungu name, dong name, zip prefix
_PLACES = {
    "seongnam": ("41", "135", "109", "경기도", "성남시 분당구", "정자동", "13"),
    "cheonan": ("44", "131", "103", "충청남도", "천안시 동남구", "신부동", "31"),
    "gangnam": ("11", "680", "101", "서울특별시", "강남구", "역삼동", "06"),
    "jongno": ("11", "110", "174", "서울특별시", "종로구", "관철동", "03"),
    "busan": ("26", "350", "105", "부산광역시", "해운대구", "우동", "48"),
    "daegu": ("27", "290", "107", "대구광역시", "달서구", "본리동", "42"),
}
# name, 6-digit BRN (digits 4-5: 81/86/87 head office, 85 branch, other: individual), place,
# workplace type (1 corporation, 2 individual), industry code and name, head count in FIRST_MONTH
WORKPLACES = (
    ("삼성전자(주)", "124810", "seongnam", "1", "026410", "전자부품 제조업", 1200),
    ("삼성전자주식회사", "124810", "cheonan", "1", "026410", "전자부품 제조업", 800),
    ("삼성전자(주) 광주공장", "410850", "daegu", "1", "026410", "전자부품 제조업", 300),
    ("(주)삼성전자한양유통", "211810", "gangnam", "1", "046109", "상품 종합 도매업", 12),
    ("삼성전자신용협동조합", "124820", "seongnam", "1", "064912", "신용조합", 9),
    ("삼성전자 대리점", "105120", "busan", "2", "047312", "가전제품 소매업", 4),
    ("엘지전자(주)", "107860", "jongno", "1", "026410", "전자부품 제조업", 900),
    ("네이버 주식회사", "220810", "seongnam", "1", "058221", "시스템 소프트웨어 개발 및 공급업", 500),
    ("현대자동차(주)", "101810", "gangnam", "1", "030121", "승용차 제조업", 1000),
    ("㈜ 카카오게임즈", "220870", "seongnam", "1", "058211", "게임 소프트웨어 개발 및 공급업", 150),
    ("대원전선 주식회사", "128810", "cheonan", "1", "028301", "절연선 및 케이블 제조업", 90),
    ("에스케이하이닉스 주식회사", "126810", "seongnam", "1", "026110", "반도체 제조업", 700),
    ("비와이씨 주식회사", "220816", "gangnam", "1", "014120", "속옷 제조업", 60),
    ("비와이씨", "309240", "daegu", "2", "047414", "의복 소매업", 2),
    ("주식회사 에코프로비엠", "314810", "cheonan", "1", "028202", "축전지 제조업", 200),
    ("씨제이제일제당 (주)", "104810", "jongno", "1", "010799", "기타 식품 제조업", 600),
    ("대신증권(주)", "201810", "jongno", "1", "066121", "증권 중개업", 400),
    ("대신증권(주)", "621810", "busan", "1", "046109", "상품 종합 도매업", 5),
    ("에이치비솔루션㈜", "135860", "cheonan", "1", "029271", "반도체 제조용 기계 제조업", 80),
    ("(주)케이비금융지주", "201860", "jongno", "1", "064992", "금융 지주회사", 150),
    ("(주)카카오뱅크", "220880", "seongnam", "1", "064191", "은행", 120),
    ("삼성이앤에이(주)", "124870", "gangnam", "1", "072122", "엔지니어링 서비스업", 300),
    ("(주)에코프로", "314860", "cheonan", "1", "071531", "경영 컨설팅업", 40),
    ("비엔케이금융지주 주식회사", "602810", "busan", "1", "064992", "금융 지주회사", 70),
    ("그랜드코리아레저(주)", "211860", "gangnam", "1", "091249", "기타 갬블링 및 베팅업", 110),
    ("엘에스일렉트릭(주)", "116810", "seongnam", "1", "028114", "배전반 제조업", 250),
    ("포스코홀딩스 주식회사", "506810", "daegu", "1", "064992", "금융 지주회사", 90),
    ("(주)에프앤에프", "211870", "gangnam", "1", "014112", "의복 제조업", 130),
    ("에쓰-오일(주)", "116815", "jongno", "1", "019210", "원유 정제처리업", 210),
    ("엘지에너지솔루션 주식회사", "774810", "jongno", "1", "028202", "축전지 제조업", 350),
    ("엠엔씨생명과학(주)", "135810", "cheonan", "1", "021102", "의약품 제조업", 30),
    ("현대차부품상사", "301120", "daegu", "2", "046109", "상품 종합 도매업", 3),
    ("오성정밀 대리점", "333810", "busan", "1", "046109", "상품 종합 도매업", 6),
)


def _row(month: str, index: int, workplace: tuple) -> list[str]:
    name, brn, place, kind, industry, industry_name, size = workplace
    sido, sigungu, emdong, sido_name, sigungu_name, dong_name, zip_prefix = _PLACES[place]
    step = _months_between(FIRST_MONTH, month)
    members = size + step * (size // 50 + 1)
    new, lost = size // 40 + step + 1, size // 60 + 1
    return [
        month,
        name,
        brn,
        "1",
        f"{zip_prefix}{100 + index:03d}",
        f"{sido_name} {sigungu_name} {dong_name}",
        f"{sido_name} {sigungu_name} 중앙로 {index + 1}",
        f"{sido}{sigungu}{emdong}00",
        f"{sido}{sigungu}{51 + index % 20:03d}00",
        sido,
        sigungu,
        emdong,
        kind,
        industry,
        industry_name,
        f"{1990 + index % 30}-0{1 + index % 9}-15",
        "",
        "",
        str(members),
        str(members * 210_000),
        str(new),
        str(lost),
    ]


def _months_between(first: str, month: str) -> int:
    return (int(month[:4]) - int(first[:4])) * 12 + int(month[5:7]) - int(first[5:7])


def listed_rows(month: str) -> list[list[str]]:
    return [_row(month, i, w) for i, w in enumerate(WORKPLACES)]


def expected_headcount(name: str, month: str) -> int:
    """The sample's head count of the workplaces named `name` in `month` (for tests and the README)."""
    return sum(int(r[18]) for r in listed_rows(month) if r[1] == name)
