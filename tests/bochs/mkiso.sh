#!/usr/bin/env bash
# Builds a GRUB BIOS ISO that boots hv.elf through Multiboot2 with anchor.cfg and the images as
# modules (each module's command line is its file name: hv/mb2.c finds anchor.cfg by name).
#   mkiso.sh OUT.iso HV.elf ANCHOR.cfg [IMAGE...]
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 OUT.iso HV.elf ANCHOR.cfg [IMAGE...]" >&2; exit 2; }
out=$1 hv=$2 cfg=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tmp=$work/root          # the ISO's content; logs stay outside it
mkdir -p "$tmp/boot/grub"
cp "$hv" "$tmp/boot/hv.elf"
cp "$cfg" "$tmp/boot/anchor.cfg"
{
  echo 'set timeout=0'
  echo 'set default=0'
  echo 'menuentry "Anchor (Multiboot2)" {'
  echo '  multiboot2 /boot/hv.elf'
  echo '  module2 /boot/anchor.cfg anchor.cfg'
  for img in "$@"; do
    name=$(basename "$img")
    cp "$img" "$tmp/boot/$name"
    echo "  module2 /boot/$name $name"
  done
  echo '  boot'
  echo '}'
} >"$tmp/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
# grub-mkrescue is chatty on stderr even when it works: show it only on failure.
if ! grub-mkrescue -d /usr/lib/grub/i386-pc -o "$out.tmp" "$tmp" >"$work/log" 2>&1; then
  cat "$work/log" >&2
  exit 1
fi
mv "$out.tmp" "$out"
