#!/bin/bash
# The whole suite on SQLite (unit, view, browser tests), then migrations on an empty database.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
