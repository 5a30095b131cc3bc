#!/usr/bin/env bash
# Install publisher with its test and engine extras into .venv and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
bash scripts/install-ace.sh
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
# The test extra plus every engine extra, so the engine tests run rather than skip.
.venv/bin/pip install -q -e ".[test,dask,celery]"
# Two test processes: on 2 cores the suite takes about 170 s instead of 210 s (each worker has its own
# EPUBCheck JVM and build cache).
.venv/bin/python -m pytest -q -n 2 "$@"
