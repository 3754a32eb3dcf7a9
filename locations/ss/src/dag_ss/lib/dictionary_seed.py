"""The seed of the product dictionary: carriers and phone models with the spellings people use.

Loaded into `carriers` and `phone_models` by `ss_seed_dictionary_data`; extraction reads the
tables, never these constants, so a reseed (or an operator's edit) is what the next run uses.
Compatibility-jamo aliases (`ㅅㅋ`, `ㅋㅌ`) are kept deliberately: they are common shorthand.
"""

from __future__ import annotations

CARRIERS: dict[str, list[str]] = {
    "SKT": ["SKT", "SK", "에스케이", "스크", "ㅅㅋ"],
    "KT": ["KT", "케이티", "크트", "ㅋㅌ"],
    "LGU+": ["LGU+", "U+", "LGU", "유플", "유플러스", "엘지유플러스", "엘지", "LG"],
    "MVNO": ["MVNO", "알뜰폰", "알뜰"],
    "자급제": ["자급제", "자급"],
}

# Deals carry one of these; 자급제 (unlocked, bought outright) is recorded as MVNO.
DEAL_CARRIERS = ("SKT", "KT", "LGU+", "MVNO")
CARRIER_REPLACEMENTS = {"자급제": "MVNO"}

SPECIAL_MODEL_TO_CARRIER = {"갤럭시 퀀텀 6": "SKT"}


def _iphone(number: str, variant: str = "") -> list[str]:
    long_names = {"": "", "프로": "pro", "프로 맥스": "pro max", "플러스": "plus", "에어": "air"}
    short = {"프로 맥스": ["프맥", "promax"], "프로": ["프로"], "플러스": ["플러스", "플"], "에어": ["에어"]}
    names = [f"아이폰 {number} {variant}".strip(), f"iphone {number} {long_names[variant]}".strip()]
    names += [f"아이폰{number}{word}" for word in short.get(variant, [""])]
    names += [f"{number} {word}" for word in short.get(variant, []) if variant]
    names += [f"ip{number} {long_names[variant]}".strip()]
    return names


def _galaxy_s(series: str, variant: str = "") -> list[str]:
    words = {
        "": ([""], [""]),
        "울트라": (["울트라", "ultra", "u", "울"], ["울트라", "울"]),
        "+": (["+", "플러스", "plus", "플"], ["플러스", "플"]),
        "엣지": (["엣지", "edge"], ["엣지"]),
        "FE": (["fe"], ["fe"]),
    }[variant]
    latin, hangul = words
    names = [f"갤럭시 {series} {variant}".strip()]
    names += [f"{series}{word}" for word in latin] + [f"갤{series}{word}" for word in latin]
    names += [f"갤{series[1:]}{word}" for word in hangul]
    names += [f"galaxy {series} {word}".strip() for word in latin]
    return names


def _galaxy_z(kind: str, number: str) -> list[str]:
    latin = {"플립": "flip", "폴드": "fold"}[kind]
    return [
        f"갤럭시 Z {kind} {number}",
        f"{kind}{number}",
        f"z{kind}{number}",
        f"{kind[0]}{number}",
        f"z {latin} {number}",
        f"{latin}{number}",
    ]


def _galaxy_a(name: str) -> list[str]:
    return [f"갤럭시 {name}", name, f"갤{name}", f"galaxy {name}"]


MODELS: dict[str, list[str]] = {
    "아이폰 17 프로": _iphone("17", "프로"),
    "아이폰 17 에어": _iphone("17", "에어"),
    "아이폰 17": _iphone("17"),
    "아이폰 16 프로 맥스": _iphone("16", "프로 맥스"),
    "아이폰 16 프로": _iphone("16", "프로"),
    "아이폰 16": _iphone("16"),
    "아이폰 15 프로 맥스": _iphone("15", "프로 맥스"),
    "아이폰 15 프로": _iphone("15", "프로"),
    "아이폰 15 플러스": _iphone("15", "플러스"),
    "아이폰 15": _iphone("15"),
    "아이폰 14 플러스": _iphone("14", "플러스"),
    "아이폰 14 프로 맥스": _iphone("14", "프로 맥스"),
    "아이폰 14 프로": _iphone("14", "프로"),
    "아이폰 14": _iphone("14"),
    "아이폰 SE (3세대)": ["아이폰 SE (3세대)", "아이폰 se3", "아이폰se 3세대", "iphone se 3", "se3"],
    "갤럭시 S25 울트라": _galaxy_s("S25", "울트라"),
    "갤럭시 S25": _galaxy_s("S25"),
    "갤럭시 S25+": _galaxy_s("S25", "+"),
    "갤럭시 S25 엣지": _galaxy_s("S25", "엣지"),
    "갤럭시 S24 울트라": _galaxy_s("S24", "울트라"),
    "갤럭시 S24": _galaxy_s("S24"),
    "갤럭시 S24+": _galaxy_s("S24", "+"),
    "갤럭시 S23 FE": _galaxy_s("S23", "FE"),
    "갤럭시 Z 플립 7": _galaxy_z("플립", "7"),
    "갤럭시 Z 폴드 7": _galaxy_z("폴드", "7"),
    "갤럭시 Z 플립 6": _galaxy_z("플립", "6"),
    "갤럭시 Z 폴드 6": _galaxy_z("폴드", "6"),
    "갤럭시 A15": _galaxy_a("A15"),
    "갤럭시 A16": _galaxy_a("A16"),
    "갤럭시 A36": _galaxy_a("A36"),
    "갤럭시 A54": _galaxy_a("A54"),
    "갤럭시 A55": _galaxy_a("A55"),
    "홍미노트 13 프로": ["홍미노트 13 프로", "홍미노트13프로", "홍미 13 프로", "redmi note 13 pro"],
    "픽셀 8 프로": ["픽셀 8 프로", "pixel 8 pro", "픽셀8프로"],
    "픽셀 8": ["픽셀 8", "pixel 8", "픽셀8"],
    "갤럭시 퀀텀 6": ["갤럭시 퀀텀 6", "퀀텀6", "퀀텀 6", "quantum 6", "galaxy quantum 6"],
    "IM-100": ["IM-100", "im100", "아이엠100"],
}
