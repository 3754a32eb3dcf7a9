#!/bin/sh
# Installs the Debian packages the platform needs beyond Python: Chromium for the logo crawler
# (Playwright for Python drives /usr/bin/chromium; Playwright's own browser download is not used);
# Tesseract with its Korean data for the IS local image OCR, and the Nanum fonts with which the IS
# tests draw Korean text for it to read.
# Idempotent and quiet: does nothing when every package is present; needs root (or sudo) otherwise.
set -eu
PACKAGES="chromium tesseract-ocr tesseract-ocr-kor fonts-nanum"
missing=""
for package in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "system-packages: missing Debian packages:$missing (run this script as root)" >&2
        exit 1
    fi
else
    SUDO=""
fi
echo "system-packages: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
