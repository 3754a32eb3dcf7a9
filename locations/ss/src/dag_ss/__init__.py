"""dag_ss: the `ss` code location (Community deal extraction: deal board crawl, rule and LLM extraction, price aggregates)."""
