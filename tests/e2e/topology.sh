#!/usr/bin/env bash
# The end-to-end wire: two network namespaces joined through the root namespace, where takedownd
# bridges them with one net_af_packet device on each root-side veth end.
#
#   td-client: td-c1 10.99.0.2/24 ---- td-c0 (root, no address) == takedownd ==
#   td-server: td-s1 10.99.0.1/24 ---- td-s0 (root, no address) ==          ==
#
# and, for measurements without the filter, a direct pair between the two namespaces:
#   td-client: td-cd 10.98.0.2/24 ----------------------------------- td-sd 10.98.0.1/24: td-server
#
# usage: topology.sh up | down
#   up    builds it from scratch (tearing down any leftover first); a failure half way tears down
#         what was built. Checksum and segmentation offloads are off on every end: af_packet hands
#         takedownd frames as they are on the wire, and it forwards them as they are.
#   down  removes the namespaces and links, and kills what still runs in the namespaces.
# Idempotent: both can run any number of times. Needs root and iproute2, ethtool.
set -euo pipefail

NS_CLIENT=td-client
NS_SERVER=td-server

down() {
  for ns in "$NS_CLIENT" "$NS_SERVER"; do
    if ip netns list | grep -qw "$ns"; then
      # Whatever the tests started in there (unbound, nginx, dnsperf) goes with the namespace.
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns delete "$ns" 2>/dev/null || true
    fi
  done
  for link in td-c0 td-s0; do ip link delete "$link" 2>/dev/null || true; done
}

quiet_offloads() {  # quiet_offloads [netns] IFACE
  local run=()
  if [ $# -eq 2 ]; then run=(ip netns exec "$1"); shift; fi
  "${run[@]}" ethtool -K "$1" rx off tx off sg off tso off gso off gro off > /dev/null 2>&1 || true
}

up() {
  down
  trap 'echo "topology.sh: building the wire failed; tearing it down" >&2; down' ERR
  ip netns add "$NS_CLIENT"
  ip netns add "$NS_SERVER"
  ip link add td-c0 type veth peer name td-c1 netns "$NS_CLIENT"
  ip link add td-s0 type veth peer name td-s1 netns "$NS_SERVER"
  for link in td-c0 td-s0; do
    quiet_offloads "$link"
    ip link set "$link" promisc on up
    # The root side is a wire, not a host: no IPv6 autoconfiguration chatter of its own.
    sysctl -qw "net.ipv6.conf.$link.disable_ipv6=1" || true
  done
  ip netns exec "$NS_CLIENT" ip link set lo up
  ip netns exec "$NS_SERVER" ip link set lo up
  quiet_offloads "$NS_CLIENT" td-c1
  quiet_offloads "$NS_SERVER" td-s1
  ip netns exec "$NS_CLIENT" ip addr add 10.99.0.2/24 dev td-c1
  ip netns exec "$NS_SERVER" ip addr add 10.99.0.1/24 dev td-s1
  ip netns exec "$NS_CLIENT" ip -6 addr add fd99::2/64 dev td-c1 nodad
  ip netns exec "$NS_SERVER" ip -6 addr add fd99::1/64 dev td-s1 nodad
  ip netns exec "$NS_CLIENT" ip link set td-c1 up
  ip netns exec "$NS_SERVER" ip link set td-s1 up
  ip -n "$NS_CLIENT" link add td-cd type veth peer name td-sd netns "$NS_SERVER"
  ip netns exec "$NS_CLIENT" ip addr add 10.98.0.2/24 dev td-cd
  ip netns exec "$NS_SERVER" ip addr add 10.98.0.1/24 dev td-sd
  ip netns exec "$NS_CLIENT" ip link set td-cd up
  ip netns exec "$NS_SERVER" ip link set td-sd up
  trap - ERR
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up | down" >&2; exit 2 ;;
esac
