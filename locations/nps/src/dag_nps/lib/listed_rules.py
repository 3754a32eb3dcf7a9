"""The rules that decide whether an NPS workplace is a listed company (pure Python, no I/O).

A candidate is a workplace (`dim_company` row) whose normalized name starts with one of the listed
company's keys: its name, CD's Hangul readings, or an alias (`listed_aliases.csv`), all normalized
with `nps_normalize_company_name`, which drops legal forms wherever they stand (주식회사 before or
after the name, (주), ㈜ with or without spaces). The workplace's own latest registered name
(`raw_name`, from `pension`) then decides:

- `exact`: the registered name normalizes to the key (score = the key's score: name 1.0, reading or
  alias 0.98);
- `branch`: the registered name is the key as whole words followed by more words (`삼성전자(주)
  구미공장`, `주식회사 삼성전자 광주사업장`) that name a branch (공장, 지점, 사업장 …), or the workplace
  shares its 6-digit registration number with an exact workplace, or carries the branch-of-a-
  corporation code 85 in it (score × 0.95). Branches are summed with the company;
- rejected: a name that merely contains the key (`(주)삼성전자한양유통`: no word boundary), a dealer,
  agency, union, credit union or staff association of the company (`삼성전자 대리점`,
  `삼성전자신용협동조합`), an individual business (사업장형태 2), a cooperative or foundation type.

A listed company whose exact workplaces carry two different head-office registration numbers is
two corporations with one name: `ambiguous`, not matched, and audited. Those without any accepted
candidate go to the trigram stage (`listed_matching`): accepted at ≥ ACCEPT_SCORE, `review` in
[REVIEW_FLOOR, ACCEPT_SCORE), else unmatched with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

ACCEPT_SCORE = 0.90  # trigram similarity accepted without review (as the SaaS layer's AUTO_ACCEPT)
REVIEW_FLOOR = 0.40  # below it a trigram neighbour is no candidate (Hangul names share few trigrams)
BRANCH_FACTOR = 0.95
KEY_SCORES = {"name": 1.0, "reading": 0.98, "alias": 0.98}
BRANCH_WORDS = (
    "공장", "지점", "지사", "사업장", "사업소", "사업부", "영업소", "영업점", "출장소", "연구소", "연구원",
    "센터", "본부", "본사", "본점", "물류", "캠퍼스", "사무소", "분사무소",
)  # fmt: skip
NOT_COMPANY_WORDS = (
    "대리점", "가맹점", "특약점", "판매점", "대행", "협력", "노동조합", "노조", "신용협동조합", "신협",
    "새마을금고", "공제회", "상조회", "사우회", "동호회", "협의회", "어린이집",
)  # fmt: skip
NON_STOCK_TYPES = (
    "유한법인", "유한책임회사", "합자회사", "합명회사", "사단법인", "재단법인", "사회복지법인", "의료법인",
    "법무법인", "세무법인", "학교법인", "농업협동조합", "신용협동조합", "수산업협동조합", "새마을금고",
    "사회적협동조합", "협동조합", "영농조합법인", "영어조합법인", "농업회사법인",
)  # fmt: skip
HEAD_OFFICE_CODES = ("81", "86", "87", "88")  # BRN digits 4-5: a for-profit corporation's head office
BRANCH_OFFICE_CODE = "85"  # … a for-profit corporation's branch


@dataclass(frozen=True)
class Candidate:
    company_id: str  # the listed company (CD's id)
    key: str  # the normalized key that found the workplace
    key_method: str  # name, reading or alias
    nps_id: int  # dim_company.company_id
    brn: str | None
    raw_name: str  # the workplace's latest registered name
    raw_norm: str  # nps_normalize_company_name(raw_name)
    boundary: bool  # the key is the registered name's leading whole words
    workplace_type: str | None  # 1 corporation, 2 individual
    company_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    candidate: Candidate
    rule: str  # exact, branch, contains
    accepted: bool
    score: float
    reason: str


@dataclass
class Outcome:
    """What was decided for one listed company."""

    status: str = "unmatched"  # matched, ambiguous (review and trigram matches: listed_matching)
    method: str | None = None
    score: float = 0.0
    workplaces: list[int] = field(default_factory=list)
    reason: str = ""
    decisions: list[Decision] = field(default_factory=list)


def brn_kind(brn: str | None) -> str:
    if not brn or len(brn) < 5 or not brn[:5].isdigit():
        return "unknown"
    code = brn[3:5]
    return "head" if code in HEAD_OFFICE_CODES else "branch" if code == BRANCH_OFFICE_CODE else "other"


def not_a_stock_company(c: Candidate) -> str | None:
    if c.workplace_type == "2":
        return "an individual business (사업장형태 2), not a corporation"
    other = [t for t in c.company_types if t in NON_STOCK_TYPES]
    if other:
        return f"registered as {other[0]}, not a stock company"
    return None


def decide(c: Candidate) -> Decision:
    """The rule that applies to one candidate, before the company-level rules (BRN, ambiguity)."""
    score = KEY_SCORES[c.key_method]
    remainder = c.raw_norm.removeprefix(c.key)
    if c.raw_norm == c.key:
        rule = "exact"
    elif c.raw_norm.startswith(c.key) and c.boundary:
        rule = "branch"
        score *= BRANCH_FACTOR
    else:
        return Decision(c, "contains", False, score, "the name merely contains the listed name")
    for word in NOT_COMPANY_WORDS:
        if word in remainder:
            return Decision(c, rule, False, score, f"'{word}' in the name: not the company itself")
    why = not_a_stock_company(c)
    if why:
        return Decision(c, rule, False, score, why)
    return Decision(c, rule, True, score, "")


def decide_company(candidates: list[Candidate]) -> Outcome:
    """Accept a listed company's exact workplaces and their branches, or call it ambiguous."""
    outcome = Outcome()
    decisions = [decide(c) for c in candidates]
    exact = [d for d in decisions if d.accepted and d.rule == "exact"]
    heads = {d.candidate.brn[:6] for d in exact if brn_kind(d.candidate.brn) == "head"}
    exact_brns = {d.candidate.brn for d in exact if d.candidate.brn}
    final = []
    for d in decisions:
        c = d.candidate
        if d.accepted and d.rule == "branch":
            word = any(w in c.raw_norm[len(c.key) :] for w in BRANCH_WORDS)
            related = c.brn in exact_brns or brn_kind(c.brn) == "branch"
            if not (word or related):
                d = Decision(c, d.rule, False, d.score, "more words after the name, but no branch sign")
        final.append(d)
    outcome.decisions = final
    accepted = [d for d in final if d.accepted]
    if len(heads) > 1:
        outcome.status = "ambiguous"
        outcome.reason = f"{len(heads)} corporations registered under this name (registration numbers {', '.join(sorted(heads))})"
        outcome.decisions = [
            Decision(d.candidate, d.rule, False, d.score, "ambiguous: " + outcome.reason) if d.accepted else d
            for d in final
        ]
        return outcome
    if not accepted:
        outcome.reason = final[0].reason if len(final) == 1 else "; ".join(sorted({d.reason for d in final}))
        return outcome
    best = max(accepted, key=lambda d: (d.score, d.rule == "exact"))
    outcome.status, outcome.score = "matched", best.score
    outcome.method = best.candidate.key_method
    outcome.workplaces = sorted({d.candidate.nps_id for d in accepted})
    return outcome


def decide_all(candidates: list[Candidate]) -> dict[str, Outcome]:
    """Per listed company; a workplace two listed companies claim goes to neither (audited)."""
    by_company: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        by_company[c.company_id].append(c)
    outcomes = {cid: decide_company(cs) for cid, cs in by_company.items()}
    claims: dict[int, list[str]] = defaultdict(list)
    for cid, o in outcomes.items():
        for nps_id in o.workplaces:
            claims[nps_id].append(cid)
    contested = {nps_id for nps_id, cids in claims.items() if len(cids) > 1}
    for cid, o in outcomes.items():
        if contested & set(o.workplaces):
            o.workplaces = [w for w in o.workplaces if w not in contested]
            o.decisions = [
                Decision(d.candidate, d.rule, False, d.score, "claimed by two listed companies")
                if d.candidate.nps_id in contested
                else d
                for d in o.decisions
            ]
            if not o.workplaces:
                o.status, o.method, o.score = "ambiguous", None, 0.0
                o.reason = "its workplaces are claimed by another listed company too"
    return outcomes
