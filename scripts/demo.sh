#!/usr/bin/env bash
# One command for a fresh machine: install, then run the demo on the bundled content.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh  # the lean install: the demo needs no extra
exec .venv/bin/curator demo "$@"
