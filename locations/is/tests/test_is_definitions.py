"""The `is` location loads on its own and follows the platform conventions."""

from dag_shared.conventions import check_location


def test_definitions_load_and_follow_the_conventions():
    from dag_is.definitions import defs

    assert check_location("is", defs) == []


def test_loading_the_definitions_imports_no_heavy_library():
    import subprocess
    import sys

    heavy = ["httpx", "selectolax", "playwright", "numpy", "datasketch", "psycopg", "orjson", "tenacity"]
    code = f"import sys, dag_is.definitions; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""
