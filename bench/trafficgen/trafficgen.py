#!/usr/bin/env python3
"""Traffic generator for the benchmarks: writes a realistic pcap with the knobs a benchmark turns.

A front end to tests/integration/generate_capture.py (the generator the tests and the demo use):
same frames, same flags, same defaults, plus a one-line summary of what was written (on stderr).
Standard library only.

Knobs (defaults in brackets are the demo's and the tests' mix):
  --frames N             frames in the capture [5000]; the benchmarks replay 50,000
  --blocked-ratio F      share of frames whose name is on the blocked list [0.10]
  --list FILE            the blocked-name list, a name a line [conf/lists/takedown-66k.txt]; point it
                         at a bigger list to scale the list (e.g. a synthetic 1M list)
  --benign FILE          the other names [tests/data/top-50k.txt]
  --mix MIX              protocol weights, "dns-udp=38,dns-tcp=10,http=20,tls=22,..." (kinds left
                         out get none; kinds: dns-udp, dns-tcp, dns-response, http, tls, syn, icmp),
                         or a preset: "isp" [the default: 38/10/5/20/22/2/3 in that order] or "dns"
                         (DNS queries over UDP only)
  --ipv6-ratio F         share of IPv6 frames [0.5]
  --vlan-ratio F         share of VLAN-tagged frames, half 802.1Q and half QinQ [0.4]
  --edns-share F         share of DNS messages with EDNS [0.5]
  --seed S               the random seed [20251125]: the same flags and seed give the same bytes
  --malformed-share F, --ip-options-share F, --kinds LIST, --labels FILE: as in generate_capture.py

Names: the base name comes from the list (blocked) or from the top-50k list (benign), so name
lengths follow real popular names; most get a realistic subdomain prefix (www., api., cdn-12.,
mail., edge-7.eu., ...), some random upper case.

Examples:
  trafficgen.py dns.pcap --frames 50000 --mix dns                       # DNS/UDP, 10% blocked
  trafficgen.py isp.pcap --frames 50000 --mix isp --blocked-ratio 0.5   # protocol mix, half blocked
  trafficgen.py v4.pcap --mix "dns-udp=80,tls=20" --ipv6-ratio 0 --vlan-ratio 0 --edns-share 1
  trafficgen.py big.pcap --list build/scaling-bench/synthetic-10M.txt
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
import generate_capture  # noqa: E402  (the generator itself: this file only fronts it)


def summary(out, counts):
    frames = counts["frames"] or 1
    kinds = ", ".join(f"{k[5:]} {100 * v / frames:.1f}%" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
                      if k.startswith("kind ") and v)
    dns = sum(v for k, v in counts.items() if k.startswith("kind dns")) or 1
    return (f"trafficgen: wrote {out}: {counts['frames']:,} frames ({kinds}); on the list "
            f"{100 * counts['blocked'] / frames:.1f}%, IPv6 {100 * counts['ipv6'] / frames:.1f}%, "
            f"tagged {100 * counts['tagged'] / frames:.1f}%, EDNS {100 * counts['edns'] / dns:.1f}% of DNS")


def main(argv=None):
    parser = generate_capture.build_parser(prog="trafficgen.py", description=__doc__)
    args = generate_capture.parse_args(parser, argv)
    counts = generate_capture.generate(args)
    print(summary(args.out, counts), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
