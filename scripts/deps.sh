#!/usr/bin/env bash
# Installs every build and test dependency of Anchor from Debian packages.
# Idempotent: does nothing when everything is already present.
# BearSSL's source comes from Debian's source package (deb-src is enabled here if needed).
set -euo pipefail

PKGS=(
  make gcc clang lld llvm binutils libc6-dev python3
  gnu-efi mtools dosfstools
  qemu-system-x86 ovmf seabios
  swtpm swtpm-tools
  bochs bochsbios bochs-term grub-pc-bin grub-common xorriso
  tpm2-tools tpm2-abrmd tpm2-openssl libtss2-dev libtss2-tcti-mssim0 libtss2-tcti-swtpm0 libtss2-tcti-tabrmd0 openssl
  dbus
  dpkg-dev
  valgrind
  libclang-rt-14-dev
  cpio acpica-tools
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# deb-src for `apt-get source bearssl`
if ! grep -rqs '^deb-src\|^Types:.*deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deps: enabling deb-src"
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    $SUDO sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
  else
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | $SUDO tee /etc/apt/sources.list.d/anchor-src.list >/dev/null
  fi
  $SUDO apt-get update -qq
fi
