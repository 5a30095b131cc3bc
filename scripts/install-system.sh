#!/usr/bin/env bash
# Install the Debian packages publisher needs, when they are missing: Pango (WeasyPrint),
# the EB Garamond, DejaVu and WenQuanYi (CJK) fonts, a CMYK colour profile (the ingramspark PDF/X),
# poppler-utils (tests read PDFs), a JRE (EPUBCheck) and redis-server (the Celery test starts one).
set -euo pipefail
need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v java >/dev/null || need+=(default-jre-headless)
command -v redis-server >/dev/null || need+=(redis-server)
fc-list 2>/dev/null | grep -q "EB Garamond" || need+=(fonts-ebgaramond)
fc-list 2>/dev/null | grep -q "DejaVu Serif" || need+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -q "WenQuanYi Micro Hei" || need+=(fonts-wqy-microhei)  # CJK fallback
command -v fc-list >/dev/null || need+=(fontconfig)
/sbin/ldconfig -p | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
/sbin/ldconfig -p | grep -q libharfbuzz-subset || need+=(libharfbuzz-subset0)
python3 -c "import venv, ensurepip" 2>/dev/null || need+=(python3-venv)
[ -f /usr/share/color/icc/ghostscript/default_cmyk.icc ] || need+=(libgs-common)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
