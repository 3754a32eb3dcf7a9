#!/bin/sh
# Run uv, installing it first when the machine has only Python: with pip, or, where the system
# Python refuses pip installs (PEP 668, as Debian's does), into a private virtual environment in
# the user's cache (${XDG_CACHE_HOME:-~/.cache}/dag-platform/uv).
if command -v uv >/dev/null 2>&1; then exec uv "$@"; fi
if python3 -m uv --version >/dev/null 2>&1; then exec python3 -m uv "$@"; fi
tools="${XDG_CACHE_HOME:-$HOME/.cache}/dag-platform/uv"
if [ -x "$tools/bin/uv" ]; then exec "$tools/bin/uv" "$@"; fi
echo "uv not found: installing it with pip" >&2
if python3 -m pip install --quiet uv >/dev/null 2>&1 || python3 -m pip install --quiet --user uv >/dev/null 2>&1; then
    exec python3 -m uv "$@"
fi
echo "pip refused to install into this Python: installing uv into $tools" >&2
python3 -m venv "$tools" >&2 && "$tools/bin/pip" install --quiet uv >&2 || exit 1
exec "$tools/bin/uv" "$@"
