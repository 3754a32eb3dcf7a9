"""SQL of the company-name functions, generated from one list of legal forms.

`nps_normalize_company_name` is the matching key, `nps_canonicalize_company_name` the display
name, `nps_extract_company_type(s)` the legal-form labels. Accents are folded with a fixed
`translate` table instead of the `unaccent` dictionary, so the functions are truly IMMUTABLE
and the expression indexes built on them cannot go stale.
"""

from __future__ import annotations

# Legal-form markers removed from names (longest first when matched). One list for all functions.
LEGAL_FORMS = (
    "주식회사",
    "(주)",
    "주)",
    "㈜",
    "유한회사",
    "유한법인",
    "(유)",
    "유)",
    "유한책임회사",
    "합자회사",
    "합명회사",
    "(합)",
    "합)",
    "사단법인",
    "재단법인",
    "(사)",
    "사)",
    "(재)",
    "재)",
    "학교법인",
    "사회복지법인",
    "세무법인",
    "의료법인",
    "법무법인",
    "영농조합법인",
    "영어조합법인",
    "신용협동조합",
    "농업협동조합",
    "수산업협동조합",
    "새마을금고",
    "사회적협동조합",
    "사회협동조합",
    "협동조합",
    "농업회사법인",
)
# The display name keeps cooperative and foundation forms; it drops only company forms.
CANONICAL_LEGAL_FORMS = ("주식회사", "(주)", "㈜", "유한회사", "(유)", "유한책임회사", "합자회사", "합명회사")
# Labels reported by nps_extract_company_type(s), in priority order.
TYPE_LABELS = (
    "주식회사",
    "유한법인",
    "유한책임회사",
    "합자회사",
    "합명회사",
    "사단법인",
    "재단법인",
    "사회복지법인",
    "의료법인",
    "법무법인",
    "세무법인",
    "학교법인",
    "농업협동조합",
    "신용협동조합",
    "수산업협동조합",
    "새마을금고",
    "사회적협동조합",
    "협동조합",
    "영농조합법인",
    "영어조합법인",
    "농업회사법인",
)
TYPE_ABBREVIATIONS = {"(주)": "주식회사", "㈜": "주식회사"}
# Tokens masked before legal forms are removed and restored afterwards (all of them: 신협 too).
PROTECTED = ("새마을금고", "신용협동조합", "농업협동조합")
PROTECTED_WORDS = ("농협", "신협")
CANONICAL_PROTECTED = ("새마을금고", "신용협동조합", "농업협동조합")
CANONICAL_PROTECTED_WORDS = ("농협",)
BRANCH_WORDS = (
    "서비스센터",
    "본점",
    "본사",
    "지점",
    "영업소",
    "센터",
    "대리점",
    "가맹점",
    "사업소",
    "공장",
    "연구소",
    "본부",
)

FULL_WIDTH_FROM = "（）．，\u3000"
FULL_WIDTH_TO = "().,\u0020"
ACCENTED = "ÀÁÂÃÄÅàáâãäåÈÉÊËèéêëÌÍÎÏìíîïÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿÑñÇç"
PLAIN = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuYyyNnCc"

FUNCTIONS = (
    "nps_normalize_company_name",
    "nps_canonicalize_company_name",
    "nps_extract_company_type",
    "nps_extract_company_types",
)


PG = "pg_catalog."


def _op(symbol: str) -> str:
    """An operator named with its schema, immune to the caller's search_path."""
    return f"OPERATOR(pg_catalog.{symbol})"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _form_pattern(form: str) -> str:
    """A legal form as a regex that tolerates spaces between its characters."""
    parts = [("\\" + ch) if ch in "()" else ch for ch in form]
    return "\\s*".join(parts)


def _forms_regex(forms) -> str:
    return "(" + "|".join(_form_pattern(f) for f in sorted(forms, key=len, reverse=True)) + ")"


def _mask(protected, words) -> tuple[list[str], list[str]]:
    """plpgsql statements masking and restoring protected tokens with numbered {n} markers."""
    mask, restore = [], []
    for index, token in enumerate((*protected, *words)):
        holder = "{" + str(index) + "}"
        if token in words:
            mask.append(
                f"v := regexp_replace(v, {_literal('(^|[^가-힣])' + token + '(?=[^가-힣]|$)')}, "
                f"{_literal(chr(92) + '1' + holder)}, 'g');"
            )
        else:
            mask.append(f"v := replace(v, {_literal(token)}, {_literal(holder)});")
        restore.append(f"v := replace(v, {_literal(holder)}, {_literal(token)});")
    return mask, restore


def _function(
    name: str, returns: str, body: list[str], variables: tuple[str, ...] = ("v",), qualified: bool = False
) -> str:
    """A plpgsql function of `name text`. Its names resolve in a pinned search_path, unless the
    body is `qualified`: every function, operator and type in it named with its schema."""
    statements = "\n    ".join(body)
    declarations = "\n    ".join(f"{variable} {PG}text;" for variable in variables)
    search_path = "" if qualified else "SET search_path = pg_catalog, public\n"
    return f"""CREATE OR REPLACE FUNCTION public.{name}(name text) RETURNS {returns}
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
{search_path}AS $fn$
DECLARE
    {declarations}
BEGIN
    {statements}
END
$fn$"""


def _literal_forms_regex(forms) -> str:
    """The legal forms as one alternation of literals, longest first (for a name without spaces)."""
    longest_first = sorted(forms, key=len, reverse=True)
    return (
        "("
        + "|".join("".join(("\\" + ch) if ch in "()" else ch for ch in form) for form in longest_first)
        + ")"
    )


def _form_families(forms) -> dict[str, list[str]]:
    """The legal forms by a marker each of them contains: ")" or its last two characters."""
    families: dict[str, list[str]] = {}
    for form in forms:
        families.setdefault(")" if ")" in form else form[-2:], []).append(form)
    return families


def _remove_forms(forms) -> list[str]:
    """plpgsql statements removing the legal forms from `v` (a name without spaces) in one pass.

    One alternation of all 34 forms costs about 6.5 µs a name in PostgreSQL's regex engine (its
    lazy DFA is rebuilt on every call, in proportion to the pattern), a family of five about
    1.8 µs (one core, bench/bench_nps_index_cost.py's table). A form can only match where
    its family's marker occurs, and dropping alternatives that cannot match leaves the result of
    the leftmost-longest pass unchanged, so the alternation holds only the families present.
    """
    statements = ["pattern := '';"]
    for marker, family in _form_families(forms).items():
        statements.append(
            f"IF {PG}strpos(v, {_literal(marker)}) {_op('>')} 0 THEN "
            f"pattern := pattern {_op('||')} {_literal('|' + _literal_forms_regex(family)[1:-1])}; END IF;"
        )
    statements.append(
        f"IF pattern {_op('<>')} '' THEN v := {PG}regexp_replace(v, "
        f"'(' {_op('||')} {PG}substr(pattern, 2) {_op('||')} ')', '', 'g'); END IF;"
    )
    return statements


def _nested_replace(expression: str, pairs, schema: str = "") -> str:
    for old, new in pairs:
        expression = f"{schema}replace({expression}, {_literal(old)}, {_literal(new)})"
    return expression


def normalize_sql() -> str:
    """The matching key; the spec's steps in its order, arranged to cost little per row.

    The function runs once per row for each of the expression indexes on `pension` (60 million
    rows for the full history), so each step is skipped when the name cannot need it, and
    whitespace is removed before the legal forms are: the spec's forms allow spaces between
    their characters, and the final step drops every space anyway, so matching the forms as
    plain literals on the name without spaces gives the same key (tests compare both on
    generated names). It has no `SET search_path`: in an index build that setting is saved and
    restored on every call (about 2 µs a row); its body names every function, operator and type
    with its schema instead, so the key cannot depend on the caller's search_path either.
    """
    holders = ["{" + str(index) + "}" for index in range(len(PROTECTED) + len(PROTECTED_WORDS))]
    tokens = (*PROTECTED, *PROTECTED_WORDS)
    masks = zip(PROTECTED, holders, strict=False)
    word_masks = [
        f"IF {PG}strpos(v, {_literal(word)}) {_op('>')} 0 THEN "
        f"v := {PG}regexp_replace(v, {_literal('(^|[^가-힣])' + word + '(?=[^가-힣]|$)')}, "
        f"{_literal(chr(92) + '1' + holder)}, 'g'); END IF;"
        for word, holder in zip(PROTECTED_WORDS, holders[len(PROTECTED) :], strict=True)
    ]
    restore = _nested_replace("v", zip(holders, tokens, strict=True), PG)
    return _function(
        "nps_normalize_company_name",
        "text",
        [
            f"v := {PG}translate(coalesce(name, ''), {_literal(FULL_WIDTH_FROM)}, {_literal(FULL_WIDTH_TO)});",
            f"IF v {_op('~')} '[À-ÿ]' THEN v := {PG}translate(v, {_literal(ACCENTED)}, {_literal(PLAIN)}); END IF;",
            f"v := {_nested_replace(f'{PG}lower(v)', masks, PG)};",
            *word_masks,
            f"v := {PG}regexp_replace(v, '\\s+', '', 'g');",
            *_remove_forms(LEGAL_FORMS),
            f"IF {PG}strpos(v, '(') {_op('>')} 0 THEN v := {PG}regexp_replace(v, '\\([^)]*\\)', '', 'g'); END IF;",
            f"IF {PG}strpos(v, '{{') {_op('>')} 0 THEN v := {restore}; END IF;",
            f"RETURN {PG}regexp_replace(v, '[^0-9a-z가-힣]', '', 'g');",
        ],
        variables=("v", "pattern"),
        qualified=True,
    )


def reference_normalize_sql() -> str:
    """The matching key one statement per spec step, as `nps_normalize_reference`.

    Not installed by the pipeline: the test holds `nps_normalize_company_name` equal to it on
    generated names, and bench/bench_nps_index_cost.py measures the fast one against it.
    """
    mask, restore = _mask(PROTECTED, PROTECTED_WORDS)
    return _function(
        "nps_normalize_reference",
        "text",
        [
            "v := coalesce(name, '');",
            f"v := translate(v, {_literal(FULL_WIDTH_FROM)}, {_literal(FULL_WIDTH_TO)});",
            f"v := lower(translate(v, {_literal(ACCENTED)}, {_literal(PLAIN)}));",
            *mask,
            f"v := regexp_replace(v, {_literal(_forms_regex(LEGAL_FORMS))}, '', 'g');",
            "v := regexp_replace(v, '\\([^)]*\\)', '', 'g');",
            *restore,
            "RETURN regexp_replace(v, '[^0-9a-z가-힣]', '', 'g');",
        ],
    )


def canonicalize_sql() -> str:
    mask, restore = _mask(CANONICAL_PROTECTED, CANONICAL_PROTECTED_WORDS)
    branch = "(\\s*(" + "|".join(BRANCH_WORDS) + "))+$"
    return _function(
        "nps_canonicalize_company_name",
        "text",
        [
            "IF name IS NULL THEN RETURN NULL; END IF;",
            f"v := translate(name, {_literal(FULL_WIDTH_FROM)}, {_literal(FULL_WIDTH_TO)});",
            f"v := translate(v, {_literal(ACCENTED)}, {_literal(PLAIN)});",
            *mask,
            f"v := regexp_replace(v, {_literal(_forms_regex(CANONICAL_LEGAL_FORMS))}, '', 'g');",
            "v := regexp_replace(v, '\\([^)]*\\)', '', 'g');",
            *restore,
            "v := btrim(regexp_replace(v, '\\s+', ' ', 'g'));",
            f"v := btrim(regexp_replace(v, {_literal(branch)}, ''));",
            "RETURN nullif(v, '');",
        ],
    )


def _labels_array() -> str:
    return "ARRAY[" + ", ".join(_literal(label) for label in TYPE_LABELS) + "]::text[]"


def _compact() -> str:
    expression = f"regexp_replace(translate(coalesce(name, ''), {_literal(FULL_WIDTH_FROM)}, {_literal(FULL_WIDTH_TO)}), '\\s', '', 'g')"
    for short, label in TYPE_ABBREVIATIONS.items():
        expression = f"replace({expression}, {_literal(short)}, {_literal(label)})"
    return expression


def extract_types_sql() -> str:
    return _function(
        "nps_extract_company_types",
        "text[]",
        [
            f"v := {_compact()};",
            (
                f"RETURN ARRAY(SELECT label FROM unnest({_labels_array()}) WITH ORDINALITY AS t(label, ord) "
                "WHERE strpos(v, label) > 0 ORDER BY ord);"
            ),
        ],
    )


def extract_type_sql() -> str:
    return _function(
        "nps_extract_company_type",
        "text",
        [
            "RETURN (public.nps_extract_company_types(name))[1];",
        ],
    )


def all_function_sql() -> list[str]:
    return [normalize_sql(), canonicalize_sql(), extract_types_sql(), extract_type_sql()]
