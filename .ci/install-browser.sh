#!/usr/bin/env bash
# Install headless Chromium from Debian's packages for the browser tests (tests/viz/).
# Idempotent: does nothing when /usr/bin/chromium is already there. Playwright drives this
# binary through executable_path; Playwright's own browser download is never used.
set -euo pipefail

have_font() { ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1; }
if [ -x /usr/bin/chromium ] && have_font; then
    echo "install-browser: /usr/bin/chromium and fonts-noto-cjk already present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown')); nothing to do"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi

echo "install-browser: /usr/bin/chromium missing; running apt-get update"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
echo "install-browser: apt-get install -y chromium"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk
if [ -x /usr/bin/chromium ]; then
    echo "install-browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
else
    echo "install-browser: apt-get finished but /usr/bin/chromium is still missing" >&2
    exit 1
fi
