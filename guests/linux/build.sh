#!/usr/bin/env bash
# Builds the Linux guest image from Debian packages only: a bzImage (Debian's cloud kernel)
# and a gzip'd newc initramfs (busybox-static, tpm2-tools, openssl, the TSS libraries with
# the device TCTI, and guests/linux/init + scenario.sh).
#
#   guests/linux/build.sh OUT_DIR
#
# Writes OUT_DIR/bzImage, OUT_DIR/initrd.img and OUT_DIR/manifest.txt (every package and
# version that went in, plus the sha256 of the two images).  The .deb files are kept in
# OUT_DIR/debs: a rebuild with a full cache needs no network (and none is used at boot).
#
# Reproducible: the file list is sorted, every file is owned by root with its mtime set to
# SOURCE_DATE_EPOCH (default: a fixed date), cpio runs with --reproducible and gzip with -n,
# so the same packages give the same bytes.  Which packages: guests/linux/packages.txt.
# The build fails if an ELF in the image needs a library that is not in the image.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: build.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
DEBS=$OUT/debs PKGS=$OUT/pkgs ROOT=$OUT/initramfs
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
MULTIARCH=x86_64-linux-gnu

die() { echo "guests/linux/build.sh: $*" >&2; exit 1; }

# --- 1. the packages: cached .deb, else `apt-get download` --------------------------------
mapfile -t WANT < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$HERE/packages.txt" | grep -v '^$')
mkdir -p "$DEBS"

# The metapackage only depends on the versioned image package; follow it (from the cache
# when offline).
kernel_pkg() {
  local dep
  dep=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ {print $2; exit}') || true
  if [ -z "$dep" ]; then
    dep=$(cd "$DEBS" && ls linux-image-[0-9]*-cloud-amd64_*.deb 2>/dev/null | sed 's/_.*//' | sort -V | tail -1)
  fi
  [ -n "$dep" ] || die "cannot resolve linux-image-cloud-amd64 (run apt-get update?)"
  echo "$dep"
}

deb_of() { ls "$DEBS/$1"_*.deb 2>/dev/null | sort -V | tail -1; }

fetch() {
  local pkg=$1
  [ -n "$(deb_of "$pkg")" ] && return 0
  echo "  APT     $pkg"
  (cd "$DEBS" && apt-get download -qq -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1) ||
    die "apt-get download $pkg failed (network? run scripts/deps.sh / apt-get update)"
}

PKG_LIST=()
for p in "${WANT[@]}"; do
  [ "$p" = linux-image-cloud-amd64 ] && p=$(kernel_pkg)
  fetch "$p"
  PKG_LIST+=("$p")
done

# --- 2. unpack (the kernel package: only /boot) --------------------------------------------
rm -rf "$PKGS" "$ROOT"
mkdir -p "$PKGS"
for p in "${PKG_LIST[@]}"; do
  deb=$(deb_of "$p")
  mkdir -p "$PKGS/$p"
  case "$p" in
    linux-image-*) dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$PKGS/$p" ./boot ;;
    *) dpkg-deb -x "$deb" "$PKGS/$p" ;;
  esac
done
KPKG=${PKG_LIST[0]}
for p in "${PKG_LIST[@]}"; do case "$p" in linux-image-*) KPKG=$p ;; esac; done
vmlinuz=$(ls "$PKGS/$KPKG"/boot/vmlinuz-* | head -1)
[ -f "$vmlinuz" ] || die "no vmlinuz in $KPKG"
install -m 0644 "$vmlinuz" "$OUT/bzImage"

# --- 3. the initramfs tree ------------------------------------------------------------------
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,lib/$MULTIARCH,lib64,etc/ssl,dev,proc,sys,tmp,run,root}
# busybox and its applets (as symlinks; the static binary runs on the build host too).
install -m 0755 "$PKGS/busybox-static/bin/busybox" "$ROOT/bin/busybox"
"$ROOT/bin/busybox" --list-full | while read -r applet; do
  [ -e "$ROOT/$applet" ] || ln -s /bin/busybox "$ROOT/$applet"
done
# tpm2-tools: the multi-call `tpm2` plus its tpm2_* links; openssl and its config.
install -m 0755 "$PKGS/tpm2-tools/usr/bin/tpm2" "$ROOT/usr/bin/tpm2"
for l in "$PKGS/tpm2-tools/usr/bin/"tpm2_*; do ln -sf tpm2 "$ROOT/usr/bin/$(basename "$l")"; done
install -m 0755 "$PKGS/openssl/usr/bin/openssl" "$ROOT/usr/bin/openssl"
install -m 0644 "$PKGS/openssl/etc/ssl/openssl.cnf" "$ROOT/etc/ssl/openssl.cnf"
# The init script and the scenario it runs.
install -m 0755 "$HERE/init" "$ROOT/init"
install -m 0755 "$HERE/scenario.sh" "$ROOT/bin/anchor-scenario"
echo "root:x:0:0:root:/root:/bin/sh" >"$ROOT/etc/passwd"
echo "root:x:0:" >"$ROOT/etc/group"

# Libraries: find a soname in the unpacked packages and copy the real file under its soname.
find_lib() {
  local so=$1 d
  for d in "$PKGS"/*/lib/$MULTIARCH "$PKGS"/*/usr/lib/$MULTIARCH; do
    [ -e "$d/$so" ] && { readlink -f "$d/$so"; return 0; }
  done
  return 1
}
add_lib() {
  local so=$1 src
  [ -e "$ROOT/lib/$MULTIARCH/$so" ] && return 0
  src=$(find_lib "$so") || die "library $so is needed but in no package of packages.txt"
  install -m 0755 "$src" "$ROOT/lib/$MULTIARCH/$so"
  queue+=("$ROOT/lib/$MULTIARCH/$so")
}
# The dynamic loader, and what tctildr dlopens (invisible to DT_NEEDED).
install -m 0755 "$(readlink -f "$PKGS/libc6/lib/$MULTIARCH/ld-linux-x86-64.so.2")" \
    "$ROOT/lib/$MULTIARCH/ld-linux-x86-64.so.2"
ln -s ../lib/$MULTIARCH/ld-linux-x86-64.so.2 "$ROOT/lib64/ld-linux-x86-64.so.2"
queue=("$ROOT/usr/bin/tpm2" "$ROOT/usr/bin/openssl")
add_lib libtss2-tcti-device.so.0
while [ ${#queue[@]} -gt 0 ]; do
  f=${queue[0]}; queue=("${queue[@]:1}")
  for so in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    [ "$so" = ld-linux-x86-64.so.2 ] || add_lib "$so"
  done
done

# --- 4. the cpio archive and the manifest ---------------------------------------------------
find "$ROOT" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort |
   cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -9 >"$OUT/initrd.img"

{
  echo "# Anchor Linux guest image: packages (name version) and image digests"
  for p in "${PKG_LIST[@]}"; do
    echo "$p $(dpkg-deb -f "$(deb_of "$p")" Version)"
  done
  (cd "$OUT" && sha256sum bzImage initrd.img)
} >"$OUT/manifest.txt"
echo "  IMAGE   $OUT/bzImage $(stat -c %s "$OUT/bzImage") bytes, initrd.img $(stat -c %s "$OUT/initrd.img") bytes"
