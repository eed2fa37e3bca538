#!/usr/bin/env bash
# One command for a fresh machine: install, then run the demo on the bundled content.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/curator demo "$@"
