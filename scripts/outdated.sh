#!/bin/bash
# Lists packages with a newer release than the lock holds. Upgrading is a deliberate commit:
# `UPGRADE=1 make lock`, then let CI show what breaks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
.venv/bin/pip list --outdated --format columns
