#!/usr/bin/env bash
# Install Ace by DAISY (the EPUB accessibility checker) for the tests, offline-safe: Debian's
# chromium instead of puppeteer's download, and @daisy/ace-cli (not @daisy/ace, which needs Electron).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -f .cache/ace/node_modules/@daisy/ace-cli/bin/ace.js ]; then
  mkdir -p .cache/ace
  [ -f .cache/ace/package.json ] || echo '{"name": "ace-runner", "private": true}' > .cache/ace/package.json
  (cd .cache/ace && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --silent @daisy/ace-cli@1.4.6)
fi
