"""The `ss` location loads on its own and follows the platform conventions."""

from dag_shared.conventions import check_location


def test_definitions_load_and_follow_the_conventions():
    from dag_ss.definitions import defs

    assert check_location("ss", defs) == []


def test_loading_the_definitions_imports_no_heavy_library():
    import subprocess
    import sys

    script = (
        "import sys\n"
        "import dag_ss.definitions\n"
        "heavy = ['psycopg', 'openai', 'httpx', 'selectolax', 'tenacity', 'polars', 'duckdb']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
