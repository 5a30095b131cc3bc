#!/usr/bin/env bash
# Install publisher into .venv and build the sample book into dist/ (EPUB and PDF).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e .
.venv/bin/publisher build books/the-lamplighters-daughter -o dist
