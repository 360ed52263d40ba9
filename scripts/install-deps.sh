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
  libbenchmark-dev libgtest-dev libgmock-dev libpcap-dev libidn2-dev
  # test tools
  tshark clang libclang-rt-14-dev
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
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
