# Thin wrappers around scripts/. `make run` and `make test` work on a fresh Debian machine.
PY := .venv/bin/python
export FLASK_APP := kartlegging

.PHONY: run test test-sqlite test-pg test-browser setup setup-test lint bench lock outdated clean

setup:
	scripts/system-packages.sh run
	scripts/bootstrap.sh

setup-test:
	scripts/system-packages.sh test
	scripts/bootstrap.sh test

# One instance on this machine: its instrument files are the set (a pulled version may bring
# new ones; several instances stamp deliberately, see README «Instruments»).
run: setup
	.venv/bin/flask db upgrade
	.venv/bin/flask instruments stamp
	.venv/bin/flask demo
	.venv/bin/flask run --host 127.0.0.1 --port 5000

test: setup-test
	scripts/test.sh

test-pg: setup-test
	scripts/test-pg.sh

bench: setup-test
	scripts/bench.sh

# Rewrites requirements/*.txt from pyproject.toml's ranges (UPGRADE=1 moves every package to
# its newest release within them); commit the change on its own so that CI shows what it breaks.
lock:
	scripts/lock.sh

outdated:
	scripts/outdated.sh

lint: setup-test
	.venv/bin/ruff check kartlegging tests bench config.py

clean:
	rm -rf .venv instance test-artifacts .pytest_cache
