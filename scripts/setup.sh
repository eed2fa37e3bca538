#!/usr/bin/env bash
# Creates .venv and installs curator (editable) with the extras named in $1, comma-separated:
#   bash scripts/setup.sh                        # the lean install: what `curator demo` needs
#   bash scripts/setup.sh dev,st,eval,postgres,use   # everything the tests need
# Safe to run again: it installs only when pyproject.toml changed or an extra is not there yet.
# With the st extra, torch comes first and pinned to the local CPU build, because an unpinned
# torch (pulled in by sentence-transformers) would download gigabytes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
extras=${1:-}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
# The stamp holds the hash of pyproject.toml and the extras installed with it.
stamp=.venv/.curator-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
have="" have_extras=""
if [ -f "$stamp" ]; then read -r have have_extras < "$stamp" || true; fi
installed=yes
[ "$have" = "$want" ] || installed=no
for extra in ${extras//,/ }; do
  case ",$have_extras," in *",$extra,"*) ;; *) installed=no ;; esac
done
if [ "$installed" = no ]; then
  echo "== installing curator${extras:+ with $extras} (first run takes a few minutes)"
  .venv/bin/pip install -q --upgrade pip >/dev/null 2>&1 || true
  case ",$extras," in *,st,*) .venv/bin/pip install -q "torch==2.13.0" ;; esac
  # Before issue 14 the distribution was called curator; a leftover editable install of it
  # would keep a second import hook for the same package (and take the script with it later).
  if .venv/bin/pip show -q curator >/dev/null 2>&1; then .venv/bin/pip uninstall -q -y curator; fi
  .venv/bin/pip install -q -e ".${extras:+[$extras]}"
  # Extras installed earlier for the same pyproject.toml are still there.
  [ "$have" = "$want" ] && extras="$have_extras,$extras"
  echo "$want $extras" > "$stamp"
fi
