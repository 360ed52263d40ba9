#!/usr/bin/env bash
# Installs, with apt only, the Debian 12 packages Takedown needs to build, test and benchmark.
# Idempotent and noninteractive: a package already installed is not touched, and when nothing is
# missing apt is never called. Run as root (CI and the dev machines are root); otherwise via sudo.
set -euo pipefail

packages=(
  # toolchain
  build-essential g++ cmake make pkg-config git python3
  # required libraries
  dpdk dpdk-dev libdpdk-dev libhyperscan-dev libxxhash-dev libyaml-cpp-dev
  libbenchmark-dev libgtest-dev libgmock-dev libpcap-dev libidn2-dev nlohmann-json3-dev
  # QUIC Initial keys (HKDF, AES-GCM, AES-ECB header protection): OpenSSL's libcrypto
  libssl-dev
  # list sources: lists by URL (libcurl), RPZ by zone transfer with TSIG (ldns); the public
  # suffix list for over-broad entry warnings
  libcurl4-openssl-dev libldns-dev publicsuffix
  # test tools
  tshark clang libclang-rt-14-dev
  # the end-to-end suite (tests/e2e): real clients and servers in network namespaces
  iproute2 ethtool unbound nginx dnsutils knot-dnsutils dnsperf curl openssl knot
  # browsers, headless in the namespaces: post-quantum ClientHellos over TCP, and QUIC
  chromium firefox-esr libnss3-tools  # certutil: the test CA into a Firefox profile
  # the block page test reads Chromium's screenshot back as text
  tesseract-ocr tesseract-ocr-eng
  # the operations files (conf/systemd, conf/logrotate) are checked with their own tools
  logrotate
  # make bench: the peer resolvers it compares against, and the charts
  dnsdist gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo -E); fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer it up front so apt never prompts.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo[@]}" debconf-set-selections
# Unbound and nginx are started by the tests inside namespaces, never as system services: keep
# their packages from starting them (and taking ports 53 and 80) while they install.
policy=/usr/sbin/policy-rc.d
placed_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" > /dev/null
  "${sudo[@]}" chmod 755 "$policy"
  placed_policy=1
fi
trap 'if [ "$placed_policy" = 1 ]; then "${sudo[@]}" rm -f "$policy"; fi' EXIT
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
