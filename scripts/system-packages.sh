#!/bin/bash
# Debian packages the app needs (`run`) or the tests need too (`test`); installs only what is
# missing. Run as root (or with sudo available).
set -euo pipefail
mode=${1:-test}
need=()
# The app: embedded fonts and the sRGB profile for PDF/A.
[ -f /usr/share/color/icc/sRGB.icc ] || need+=(icc-profiles-free)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# Fallback fonts for the PDF (TrueType outlines, embeddable in PDF/A): Noto for Arabic,
# Hebrew, Devanagari, Ethiopic; Droid Sans Fallback for CJK; Symbola for emoji and symbols.
[ -f /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ] || need+=(fonts-noto-core)
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || need+=(fonts-droid-fallback)
[ -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || need+=(fonts-symbola)
if [ "$mode" = test ]; then
  command -v chromium >/dev/null || need+=(chromium)             # browser tests
  command -v pdfsig >/dev/null || need+=(poppler-utils)          # pdfsig, pdffonts, pdftoppm
  command -v certutil >/dev/null || need+=(libnss3-tools)        # trust store for pdfsig
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)  # two-instance test
  command -v mutool >/dev/null || need+=(mupdf-tools)            # a second PDF text extractor
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installerer systempakker: ${need[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
