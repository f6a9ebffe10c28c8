#!/usr/bin/env bash
# Creates the project-local virtual environment `.venv` with real FastMCP 4, the official `mcp`
# 2.x SDK and debugpy, from the machine's local package index (PyPI is not reachable here).
# Idempotent: a stamp holding the requirements' hash makes the second run a no-op.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$repo/.venv"
req="$repo/.ci/python/requirements.txt"
stamp="$venv/.installed-$(sha256sum "$req" | cut -c1-16)"
if [[ -f "$stamp" ]]; then exit 0; fi
rm -rf "$venv"
python3 -m venv "$venv"
# The pip config lists PyPI as the default index; it is unreachable, so point pip at the local
# index first and do not retry (retries against PyPI cost minutes).
index="${PIP_INDEX_URL:-file:///opt/pypi/simple}"
if [[ ! -d /opt/pypi/simple && -z "${PIP_INDEX_URL:-}" ]]; then index="https://pypi.org/simple"; fi
log="$venv/pip-install.log"
if ! PIP_INDEX_URL="$index" "$venv/bin/pip" install -q --retries 0 --timeout 10 --disable-pip-version-check -r "$req" >"$log" 2>&1; then
  grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -40
  exit 1
fi
"$venv/bin/python" -c "import fastmcp, mcp, debugpy; print('python env:', 'fastmcp', fastmcp.__version__, '· mcp', __import__('importlib.metadata').metadata.version('mcp'), '· debugpy', debugpy.__version__)"
touch "$stamp"
