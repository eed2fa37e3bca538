#!/usr/bin/env bash
# One command for a fresh machine: install, then run the whole test suite.
# Set CURATOR_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test to run the database
# tests on PostgreSQL as well as SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
