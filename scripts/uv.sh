#!/bin/sh
# Run uv, installing it with pip first when the machine has only Python.
if command -v uv >/dev/null 2>&1; then exec uv "$@"; fi
if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "uv not found: installing it with pip" >&2
    python3 -m pip install --quiet uv >&2 || python3 -m pip install --quiet --user uv >&2 || exit 1
fi
exec python3 -m uv "$@"
