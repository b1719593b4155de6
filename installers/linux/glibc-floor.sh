#!/usr/bin/env bash
# Prints the newest glibc symbol version any ELF file under a folder needs: the oldest glibc
# (and so the oldest distribution) the bundle runs on.
#   bash installers/linux/glibc-floor.sh dist/writer
set -euo pipefail
find "$1" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
    | xargs -0 objdump -T 2>/dev/null \
    | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1
