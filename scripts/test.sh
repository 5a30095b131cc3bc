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
# Two test processes, each with its own EPUBCheck JVM and build cache: on 2 cores the suite took
# 251 s in a fresh clone without ../shared (8 corpus tests skipped) and 344-350 s with the corpus
# (2026-11-30; it was 170 s with fewer tests, against 210 s in one process).
.venv/bin/python -m pytest -q -n 2 "$@"
