#!/usr/bin/env bash
# Builds the simavr bridge into simulators/simavr/build/ and fetches the real
# StandardFirmata hex files (from the avrgirl-arduino@5.0.1 npm tarball, via
# `npm pack`, never `npm install`) into simulators/simavr/firmware/.
# Idempotent: does nothing (fast) when both are already there and current.
# Safe to run from several processes at once (flock).
#
# Prints, on success, the bridge path and the firmware paths:
#   bridge <path>
#   firmware uno <path>
#   firmware mega <path>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$here/build"
fw="$here/firmware"
bin="$build/bridge"
src="$here/bridge.c"

AVRGIRL="avrgirl-arduino@5.0.1"
AVRGIRL_SHA1="52e95a8fc7aad676d5780daf4136978a42e1adfa"  # npm dist.shasum of the tarball
UNO_SHA256="6d57ea7cf30e26c9c2f3a01ee37907d2c951f8bc9c27f84dddad12fa9c8b8f36"
MEGA_SHA256="44139612e9aa601f4e92c40cf7e72e3716871e43b2024323776d8b781d165e68"

die() { echo "simavr build: $*" >&2; exit 1; }

mkdir -p "$build" "$fw"

# one builder at a time (parallel test workers call this concurrently)
exec 9>"$build/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

sha256_of() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }

# ------------------------------------------------------------------ bridge
if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$here/build.sh" -nt "$bin" ]; then
  CC="${CC:-cc}"
  command -v "$CC" >/dev/null 2>&1 || die "no C compiler ($CC); apt-get install gcc"

  cflags="$(pkg-config --cflags simavr simavrparts 2>/dev/null || true)"
  [ -n "$cflags" ] || cflags="-I/usr/include/simavr -I/usr/include/simavr/parts"
  missing=""
  for h in sim_avr.h sim_hex.h avr_adc.h avr_ioport.h avr_timer.h uart_pty.h; do
    found=0
    for d in $(echo "$cflags" | tr ' ' '\n' | sed -n 's/^-I//p'); do
      [ -f "$d/$h" ] && found=1
    done
    [ "$found" = 1 ] || missing="$missing $h"
  done
  [ -z "$missing" ] || die "simavr headers are missing ($missing ); apt-get install simavr libsimavr-dev libsimavrparts1"

  # uart_pty from the static parts archive: the bridge's own unlink()/symlink()
  # then apply to it (no fixed /tmp/simavr-uart0 link), and libGL (pulled in by
  # the shared parts library for its OpenGL parts) is not needed.
  parts="$("$CC" -print-file-name=libsimavrparts.a)"
  if [ -f "$parts" ]; then
    libs=("$parts" -lsimavr -lutil -lpthread)
  else
    libs=(-rdynamic -lsimavrparts -lsimavr -lutil -lpthread)
  fi
  tmpbin="$bin.tmp.$$"
  if ! "$CC" -O2 -std=gnu11 -Wall -Wextra $cflags "$src" "${libs[@]}" -o "$tmpbin" 2>"$build/cc.log"; then
    if ! "$CC" -O2 -std=gnu11 -no-pie $cflags "$src" "${libs[@]}" -o "$tmpbin" 2>>"$build/cc.log"; then
      cat "$build/cc.log" >&2
      rm -f "$tmpbin"
      die "compiling the bridge failed (simavr libraries: apt-get install simavr libsimavr-dev libsimavrparts1)"
    fi
  fi
  mv -f "$tmpbin" "$bin"
fi

# ---------------------------------------------------------------- firmware
fetch_firmware() {
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch $AVRGIRL"
  local tgz="$fw/avrgirl-arduino-5.0.1.tgz"
  if [ ! -f "$tgz" ] || [ "$(sha1sum "$tgz" | cut -d' ' -f1)" != "$AVRGIRL_SHA1" ]; then
    local tmp
    tmp="$(mktemp -d)"
    # run outside the workspace so npm does not apply workspace settings
    if ! (cd "$tmp" && npm pack "$AVRGIRL" --silent >"$tmp/pack.log" 2>&1); then
      cat "$tmp/pack.log" >&2 || true
      rm -rf "$tmp"
      die "npm pack $AVRGIRL failed (is the npm registry reachable?)"
    fi
    [ "$(sha1sum "$tmp/avrgirl-arduino-5.0.1.tgz" | cut -d' ' -f1)" = "$AVRGIRL_SHA1" ] \
      || { rm -rf "$tmp"; die "$AVRGIRL tarball checksum mismatch"; }
    mv "$tmp/avrgirl-arduino-5.0.1.tgz" "$tgz"
    rm -rf "$tmp"
  fi
  local tmp
  tmp="$(mktemp -d)"
  tar -xzf "$tgz" -C "$tmp" package/junk/hex/uno/StandardFirmata.cpp.hex package/junk/hex/mega/StandardFirmata.cpp.hex \
    || { rm -rf "$tmp"; die "hex files missing from $tgz"; }
  mkdir -p "$fw/uno" "$fw/mega"
  mv "$tmp/package/junk/hex/uno/StandardFirmata.cpp.hex" "$fw/uno/StandardFirmata.cpp.hex"
  mv "$tmp/package/junk/hex/mega/StandardFirmata.cpp.hex" "$fw/mega/StandardFirmata.cpp.hex"
  rm -rf "$tmp"
}

if [ "$(sha256_of "$fw/uno/StandardFirmata.cpp.hex")" != "$UNO_SHA256" ] ||
   [ "$(sha256_of "$fw/mega/StandardFirmata.cpp.hex")" != "$MEGA_SHA256" ]; then
  fetch_firmware
  [ "$(sha256_of "$fw/uno/StandardFirmata.cpp.hex")" = "$UNO_SHA256" ] || die "uno hex checksum mismatch"
  [ "$(sha256_of "$fw/mega/StandardFirmata.cpp.hex")" = "$MEGA_SHA256" ] || die "mega hex checksum mismatch"
fi

echo "bridge $bin"
echo "firmware uno $fw/uno/StandardFirmata.cpp.hex"
echo "firmware mega $fw/mega/StandardFirmata.cpp.hex"
