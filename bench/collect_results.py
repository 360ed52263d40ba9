#!/usr/bin/env python3
"""Gathers every benchmark result into RESULTS/latest.json and regenerates the README's table.

Inputs (those present in RESULTS): the Google Benchmark JSON of matcher_bench, name_extractor_bench,
compile_bench and flow_bench; flood.json (run_flood.py); pipeline.json (takedownd against dpdk-testpmd); reload.json; scaling.json;
peers.json. Output: latest.json with the machine (CPU model, cores, kernel), the versions (git,
DPDK, Hyperscan, gcc, Unbound, dnsdist) and every figure with its unit, min-max spread, baseline
(measured in the same run), ratio, target and whether it is met. With --readme FILE, the block
between "<!-- bench:results:begin -->" and "<!-- bench:results:end -->" is replaced by a table
rendered from latest.json, so the README and the figures cannot drift.

usage: collect_results.py RESULTS_DIR [--readme README.md] [--require-all]
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import time

BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"


def command_output(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine():
    model, cores = "", 0
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and not model:
                model = line.split(":", 1)[1].strip()
            cores += line.startswith("processor")
    return {"cpu_model": model, "cores": cores, "kernel": platform.release(), "host": platform.node(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


def versions(repo):
    return {"takedown": command_output(["git", "-C", repo, "describe", "--always", "--dirty"]),
            "dpdk": command_output(["pkg-config", "--modversion", "libdpdk"]),
            "hyperscan": command_output(["pkg-config", "--modversion", "libhs"]),
            "gcc": command_output(["gcc", "-dumpfullversion"]),
            "unbound": command_output(["unbound", "-V"]).replace("Version ", ""),
            "dnsdist": command_output(["dnsdist", "--version"])}


def load(results, name):
    path = os.path.join(results, name)
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def gbench(data):
    """name -> (median, min, max) in ns per item (ns for compile benches, as real time)."""
    out = {}
    if not data:
        return out
    reps = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate":
            continue
        name = b.get("run_name", b["name"])
        ips = b.get("items_per_second")
        value = 1e9 / ips if ips and "Compile" not in name else b["real_time"]
        reps.setdefault(name, []).append((value, b))
    for name, values in reps.items():
        v = sorted(x[0] for x in values)
        out[name] = {"median": statistics.median(v), "min": v[0], "max": v[-1], "last": values[-1][1]}
    return out


class Figures:
    def __init__(self):
        self.items = []

    def add(self, fid, name, value, unit, spread=None, baseline=None, ratio=None, target=None, met=None,
            source=""):
        if value is None:
            return
        item = {"id": fid, "name": name, "value": round(value, 4), "unit": unit, "source": source}
        if spread:
            item["min"], item["max"] = round(spread[0], 4), round(spread[1], 4)
        if baseline:
            item["baseline"] = {"name": baseline[0], "value": round(baseline[1], 4), "unit": baseline[2]}
        if ratio is not None:
            item["ratio"] = round(ratio, 3)
        if target:
            item["target"], item["met"] = target, met
        self.items.append(item)


WRAPPERS = ["Ethernet", "QinQ", "PPPoE in QinQ", "MPLS, 2 labels", "MPLS Ethernet pseudowire", "GRE",
            "GRE with key and checksum", "VXLAN", "GTP-U with PDU session container", "IP in IP (4in4)",
            "6in4", "GTP-U in VXLAN in GRE"]


def wrappers(results, figures):
    """Decode and extraction ns per frame of DNS queries inside each wrapper, against plain Ethernet
    (argument 0) in the same run; the ratio is the wrapped frame's cost in plain frames."""
    e = gbench(load(results, "name_extractor_bench.json"))
    for stage, label in (("Decode", "decode"), ("Extract", "decode and extract")):
        plain = e.get(f"BM_{stage}Wrapped/0/min_time:0.100")
        if not plain:
            continue
        for i, name in enumerate(WRAPPERS[1:], 1):
            x = e.get(f"BM_{stage}Wrapped/{i}/min_time:0.100")
            if x:
                figures.add(f"{label.split()[-1]}.wrapped.{i}", f"{label}, DNS query in {name}", x["median"],
                            "ns/frame", (x["min"], x["max"]), ("plain Ethernet", plain["median"], "ns/frame"),
                            x["median"] / plain["median"], source="name_extractor_bench")


def micro(results, figures):
    m = gbench(load(results, "matcher_bench.json"))
    e = gbench(load(results, "name_extractor_bench.json"))
    c = gbench(load(results, "compile_bench.json"))
    g = lambda d, k: d.get(k)
    for size, label in (("4096", "hot"), ("65536", "cold")):
        ours, base = g(m, f"BM_Takedown_Lookup_66k/{size}"), g(m, f"BM_Baseline_UnorderedSet_Lookup_66k/{size}")
        if ours and base:
            ratio = base["median"] / ours["median"]
            figures.add(f"lookup.{label}", f"lookup, 66k list, {label} mix, one name at a time", ours["median"],
                        "ns/name", (ours["min"], ours["max"]), ("unordered_set suffix walk", base["median"], "ns/name"),
                        ratio, "<= 30 ns and >= 3x", ours["median"] <= 30 and ratio >= 3, "matcher_bench")
        burst = g(m, f"BM_Takedown_LookupBurst_66k/{size}")
        if burst and base:
            figures.add(f"lookup.{label}.burst", f"lookup, 66k list, {label} mix, bursts of 32", burst["median"],
                        "ns/name", (burst["min"], burst["max"]), ("unordered_set suffix walk", base["median"], "ns/name"),
                        base["median"] / burst["median"], source="matcher_bench")
    # Where cold's time goes beyond hot's: the hot set spread over a cold-sized array, in its own
    # order repeated (the array alone) and shuffled (no order the branch predictor can learn).
    hot = g(m, "BM_Takedown_Lookup_66k/4096")
    for name, label in (("Repeated", "hot set repeated over 65,536 names (the cold mix's array, tables warm)"),
                        ("Shuffled", "hot set shuffled over 65,536 names (tables warm, no order to learn)")):
        x = g(m, f"BM_Takedown_Lookup_66k_HotSet{name}")
        if x and hot:
            figures.add(f"lookup.hot_set_{name.lower()}", f"lookup, 66k list, {label}", x["median"], "ns/name",
                        (x["min"], x["max"]), ("hot mix", hot["median"], "ns/name"), x["median"] / hot["median"],
                        source="matcher_bench")
    for n, label in (("1000000", "1M"), ("10000000", "10M")):
        burst = g(m, f"BM_Takedown_Lookup_Synthetic/{n}/1")
        if burst:
            figures.add(f"lookup.{label}", f"lookup, {label} synthetic domains, cold, bursts of 32", burst["median"],
                        "ns/name", (burst["min"], burst["max"]), target="<= 60 ns" if label == "10M" else None,
                        met=burst["median"] <= 60 if label == "10M" else None, source="matcher_bench")
    for kind in ("Literal", "Regex"):
        hs, ours = g(m, f"BM_Baseline_Hyperscan{kind}_Lookup_66k/65536"), g(m, "BM_Takedown_Lookup_66k/65536")
        if hs and ours:
            figures.add(f"lookup.hyperscan_{kind.lower()}", f"Hyperscan-only {kind.lower()} mode (subset), cold mix",
                        hs["median"], "ns/name", (hs["min"], hs["max"]), ("takedown cold lookup", ours["median"], "ns/name"),
                        hs["median"] / ours["median"], source="matcher_bench")
    ex, base = g(e, "BM_Extract/0"), g(e, "BM_Baseline_StringQname/0")
    if ex and base:
        figures.add("extract.dns", "frame to normalised name, DNS query frames", ex["median"], "ns/frame",
                    (ex["min"], ex["max"]), ("naive std::string QNAME parser", base["median"], "ns/frame"),
                    base["median"] / ex["median"], "<= 25 ns", ex["median"] <= 25, "name_extractor_bench")
    mix = g(e, "BM_Extract/1")
    if mix:
        figures.add("extract.mix", "frame to name, protocol mix (DNS, HTTP, TLS)", mix["median"], "ns/frame",
                    (mix["min"], mix["max"]), source="name_extractor_bench")
    for name, fid, label, target, limit in (("BM_Compile_Takedown66k", "compile.66k", "compile 66k list", "<= 100 ms", 100),
                                            ("BM_Compile_Synthetic/1000000/iterations:3", "compile.1m",
                                             "compile 1M synthetic domains", "<= 1500 ms", 1500)):
        x = g(c, name)
        if x:
            unit = x["last"].get("time_unit", "ms")
            value = x["median"] * {"ns": 1e-6, "us": 1e-3, "ms": 1, "s": 1000}[unit]
            figures.add(fid, label, value, "ms", target=target, met=value <= limit, source="compile_bench")
            bpd = x["last"].get("bytes_per_domain")
            if bpd:
                figures.add(fid + ".bytes_per_domain", f"snapshot bytes per domain ({label.split()[1]})", bpd,
                            "bytes", target="<= 64", met=bpd <= 64, source="compile_bench")


def pipeline(results, figures):
    p = load(results, "pipeline.json")
    if not p:
        return
    s = p["summary"]
    t, b = s["takedownd"], s["testpmd"]
    figures.add("pipeline.mpps", "takedownd, 1 worker, 66k list, 50k-query DNS mix (net_pcap -> net_null)",
                t["median_mpps"], "Mpps", (t["min_mpps"], t["max_mpps"]),
                ("dpdk-testpmd io forwarding, same devices", b["median_mpps"], "Mpps"), s["ratio"], ">= 0.8 of testpmd",
                s["ratio"] >= 0.8, "pipeline")


def reload_figures(results, figures):
    r = load(results, "reload.json")
    if not r:
        return
    for name in ("66k", "1M"):
        runs = r["latency"].get(name) or []
        if not runs:
            continue
        med = lambda k: statistics.median(x[k] for x in runs)
        spread = lambda k: (min(x[k] for x in runs), max(x[k] for x in runs))
        figures.add(f"reload.{name}.compile", f"reload {name}: compile (takedownctl)", med("compile_ms"), "ms",
                    spread("compile_ms"), source="reload")
        figures.add(f"reload.{name}.verify", f"reload {name}: verify and map (takedownd)", med("verify_ms"), "ms",
                    spread("verify_ms"), source="reload")
        figures.add(f"reload.{name}.swap", f"reload {name}: swap (pointer store + RCU grace period)", med("swap_us"),
                    "us", spread("swap_us"), target="< 1000 us", met=spread("swap_us")[1] < 1000, source="reload")
        figures.add(f"reload.{name}.peak_extra", f"reload {name}: peak extra RSS (snapshot {med('snapshot_bytes') / 1e6:.1f} MB)",
                    med("peak_extra") / 1e6, "MB", target="about one snapshot",
                    met=med("peak_extra") <= 1.2 * med("snapshot_bytes"), source="reload")
    quiet = [x["pps"] for x in r["storm"]["quiet"]]
    storm = [x["pps"] for x in r["storm"]["storm"]]
    if quiet and storm:
        figures.add("reload.storm", "throughput during a reload storm (1/s)", statistics.median(storm) / 1e6, "Mpps",
                    (min(storm) / 1e6, max(storm) / 1e6), ("the same without reloads", statistics.median(quiet) / 1e6,
                                                         "Mpps"), r["storm_ratio"], ">= 0.97", r["storm_ratio"] >= 0.97,
                    "reload")
        lost = sum(x["tx_errors"] + x["reply_errors"] + x["rx_missed"] for k in r["storm"] for x in r["storm"][k])
        figures.add("reload.lost", "packets lost during the reload runs", lost, "packets", target="0", met=lost == 0,
                    source="reload")


def scaling(results, figures):
    s = load(results, "scaling.json")
    if not s:
        return
    for p in s.get("points", []):
        figures.add(f"scaling.{p.get('id', p.get('name'))}", f"pipeline: {p.get('name', p.get('id'))}",
                    p.get("median"), p.get("unit", "Mpps"), (p.get("min"), p.get("max")) if p.get("min") is not None else None,
                    (p["baseline"]["name"], p["baseline"]["value"], p["baseline"].get("unit", "Mpps"))
                    if isinstance(p.get("baseline"), dict) else None, p.get("ratio"), source="scaling")


def peers(results, figures):
    p = load(results, "peers.json")
    if not p:
        return
    summary = p.get("summary", {})
    takedown = summary.get("takedownd", {})
    for peer, label in (("dnsdist", "dnsdist 1.7, SuffixMatchNodeRule 66k -> NXDOMAIN, rest spoofed locally"),
                        ("unbound", "Unbound 1.17, 66k local-zone always_nxdomain, rest refused")):
        s = summary.get(peer)
        if not s:
            continue
        figures.add(f"peers.{peer}.qps", f"{label}: dnsperf over loopback, 1 server thread", s["median_qps"], "qps",
                    (s["min_qps"], s["max_qps"]), source="peers")
        base = ("takedownd, 1 worker core (pps)", takedown["median_pps_per_core"], "pps") if takedown else None
        figures.add(f"peers.{peer}.qps_per_core", f"{peer}: queries per second per busy core",
                    s["median_qps_per_core"], "qps/core", baseline=base,
                    ratio=takedown["median_pps_per_core"] / s["median_qps_per_core"] if takedown else None,
                    source="peers")
    if takedown:
        figures.add("peers.takedownd.pps_per_core", "takedownd in the same run: packets per second per worker core",
                    takedown["median_pps_per_core"] / 1e6, "Mpps", (takedown["min_pps"] / 1e6, takedown["max_pps"] / 1e6),
                    source="peers")
    memory = p.get("memory", {})
    for name, rss in memory.get("takedownd", {}).items():
        figures.add(f"memory.takedownd.{name}", f"takedownd resident size, {name} domains "
                    f"(snapshot {rss.get('snapshot_bytes', 0) / 1e6:.1f} MB; of it anonymous heap "
                    f"{rss.get('RssAnon', 0) / 1e6:.1f} MB, the rest DPDK's --no-huge memory and libraries)",
                    rss["VmRSS"] / 1e6, "MB", source="peers")
    for peer in ("dnsdist", "unbound"):
        rss = memory.get(peer, {}).get("66k", {}).get("after_one_pass")
        if rss:
            figures.add(f"memory.{peer}.66k", f"{peer} resident size holding the 66k list", rss["VmRSS"] / 1e6, "MB",
                        source="peers")


def observability(results, figures):
    o = load(results, "observability.json")
    if not o:
        return
    m = o["median_mpps"]
    figures.add("observability.on", "pipeline with metrics scraped every second and the event log on (1000/s)",
                m["on"], "Mpps", baseline=("the same with both off", m["off"], "Mpps"), ratio=o["ratio_on"],
                target=">= 0.97", met=o["ratio_on"] >= 0.97, source="observability")
    figures.add("observability.unlimited", "the same with the event log unlimited", m["on-unlimited"], "Mpps",
                baseline=("both off", m["off"], "Mpps"), ratio=o["ratio_on_unlimited"], source="observability")


def flows(results, figures):
    """flow_bench (same-binary baselines) and the data-plane flood (run_flood.py)."""
    b = gbench(load(results, "flow_bench.json"))
    dns0, dns1 = b.get("BM_DnsMix/flows:0"), b.get("BM_DnsMix/flows:1")
    if dns0 and dns1:
        ratio = dns0["median"] / dns1["median"]
        figures.add("flows.dns_mix", "DNS mix through extraction and the flow table", dns1["median"], "ns/frame",
                    (dns1["min"], dns1["max"]), ("the same without the flow table", dns0["median"], "ns/frame"),
                    ratio, ">= 0.95 of the rate without", ratio >= 0.95, "flow_bench")
    web0, web1 = b.get("BM_WebMix/flows:0"), b.get("BM_WebMix/flows:1")
    if web0 and web1:
        figures.add("flows.web_mix", "web mix (two-segment PQ ClientHellos, QUIC Initials, data, DNS) with flows",
                    web1["median"], "ns/frame", (web1["min"], web1["max"]),
                    ("single packets only (fewer names found)", web0["median"], "ns/frame"),
                    web0["median"] / web1["median"], source="flow_bench")
    quic = b.get("BM_QuicInitial")
    if quic:
        figures.add("flows.quic_initial", "one QUIC client Initial of a new flow: keys, AEAD, CRYPTO, ClientHello",
                    quic["median"], "ns/Initial", (quic["min"], quic["max"]), source="flow_bench")
    calm = b.get("BM_WebMixUnderFlood/flood:0/manual_time")
    flood = b.get("BM_WebMixUnderFlood/flood:1/manual_time")
    if calm and flood:
        ratio = calm["median"] / flood["median"]
        figures.add("flows.flood", "web mix beside a flood of half ClientHellos and junk Initials (tracker)",
                    flood["median"], "ns/frame", (flood["min"], flood["max"]),
                    ("the same without the flood", calm["median"], "ns/frame"), ratio, ">= 0.9 of the rate without",
                    ratio >= 0.9, "flow_bench")
    f = load(results, "flood.json")
    if f:
        n, fl = f["normal"], f["flood"]
        figures.add("flood.pipeline", f"takedownd, 1 worker, saturated replay of web traffic with a third of the "
                    f"frames a flood ({fl['flood_half_hellos']:,} half ClientHellos, {fl['flood_initials']:,} junk "
                    f"Initials): normal ClientHellos judged", fl["reassembled_per_s"] / 1e3, "k/s",
                    baseline=("the same replay without the flood", n["reassembled_per_s"] / 1e3, "k/s"),
                    ratio=fl["reassembled_per_s"] / n["reassembled_per_s"], source="flood")
        grew = fl["rss_kib_end"] - fl["rss_kib_start"]
        figures.add("flood.memory", "takedownd resident memory growth during the flood", grew / 1024, "MiB",
                    target="flat (< 2%)", met=fl["rss_kib_end"] <= fl["rss_kib_start"] * 1.02, source="flood")


def fmt(x):
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}" if abs(x) < 10 else f"{x:.1f}"


def table(latest):
    m = latest["machine"]
    lines = [f"Generated by `bench/collect_results.py` from `bench/results/latest.json` ({latest['date']}, "
             f"{m['cpu_model']}, {m['cores']} cores, takedown {latest['versions']['takedown']}). Medians "
             "(min-max); every baseline was measured in the same run.", "",
             "| figure | measured | baseline (same run) | ratio | target |", "| --- | --- | --- | --- | --- |"]
    for f in latest["figures"]:
        spread = f" ({fmt(f['min'])}-{fmt(f['max'])})" if "min" in f and f["min"] is not None else ""
        base = f"{f['baseline']['name']}: {fmt(f['baseline']['value'])} {f['baseline']['unit']}" if "baseline" in f else ""
        ratio = f"{f['ratio']:.2f}x" if "ratio" in f else ""
        target = ""
        if "target" in f:
            target = f"{f['target']}: {'met' if f['met'] else '**not met**'}"
        lines.append(f"| {f['name']} | **{fmt(f['value'])} {f['unit']}**{spread} | {base} | {ratio} | {target} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--readme")
    parser.add_argument("--require-all", action="store_true",
                        help="fail unless every part (micro, pipeline, scaling, reload, peers) gave figures")
    args = parser.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    figures = Figures()
    for part in (micro, wrappers, pipeline, reload_figures, scaling, peers, observability, flows):
        part(args.results, figures)
    latest = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), "versions": versions(repo),
              "figures": figures.items}
    with open(os.path.join(args.results, "latest.json"), "w") as f:
        json.dump(latest, f, indent=1)
    print(f"collect_results: {len(figures.items)} figures -> {os.path.join(args.results, 'latest.json')}")
    if args.require_all:
        sources = {f["source"] for f in figures.items}
        parts = {"micro": {"matcher_bench", "name_extractor_bench", "compile_bench"}, "pipeline": {"pipeline"},
                 "scaling": {"scaling"}, "reload": {"reload"}, "peers": {"peers"},
                 "observability": {"observability"}, "flows": {"flow_bench"}, "flood": {"flood"}}
        missing = [part for part, names in parts.items() if not sources & names]
        if missing:
            raise SystemExit(f"collect_results: no figures from {', '.join(missing)}")
    if args.readme:
        with open(args.readme) as f:
            text = f.read()
        if BEGIN not in text or END not in text:
            raise SystemExit(f"{args.readme}: no {BEGIN} ... {END} block to regenerate")
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        with open(args.readme, "w") as f:
            f.write(head + BEGIN + "\n" + table(latest) + "\n" + END + tail)
        print(f"collect_results: {args.readme} table regenerated")


if __name__ == "__main__":
    main()
