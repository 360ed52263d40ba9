#!/usr/bin/env python3
"""Real browsers through takedownd: Chromium and Firefox ESR from Debian, headless in td-client.

Both send post-quantum ClientHellos of about 1.9 KB, so every handshake spans two TCP segments,
and Chromium permutes its extensions, so the SNI sits in either. Names resolve to nginx in
td-server without DNS (Chromium's --host-resolver-rules, a hosts file for Firefox), as for a user
whose DNS bypasses the filter: TLS and QUIC are the only places the name shows.

- Chromium and Firefox each visit VISITS names over HTTPS, half blocked and half allowed: blocked
  visits must fail (Chromium's page is not nginx's, nginx logs no request for the name), allowed
  ones must load nginx's page (Chromium prints it; nginx logs a 200 for the name under its TLS
  server name, which is how Firefox's visits are seen).
- Chromium with HTTP/3 forced (--origin-to-force-quic-on) visits QUIC_VISITS names: a sink on
  UDP 443 in td-server counts what arrives. Initials for blocked names must never arrive, those
  for allowed names must.
- Every frame the browsers sent is captured on td-c0 (the client side of takedownd); the SNI's
  segment is read from the capture, and tshark's names (it reassembles TCP and decrypts QUIC
  Initials itself) must equal `takedownctl inspect`'s, frame by frame.

usage: browser_test.py --takedownd PATH --takedownctl PATH --source-dir DIR --work-dir DIR
Exit 0 pass, 1 fail, 77 skip (not root, no `ip netns`, or a tool missing: the message says which).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import servers  # noqa: E402
import checks  # noqa: E402
from checks import Failures, skip_unless_able  # noqa: E402
import takedownd_run  # noqa: E402
from servers import CLIENT_NS, SERVER_NS, in_namespace  # noqa: E402
from suite_args import suite_parser  # noqa: E402
from tshark_differential import compare_flows, tshark_names  # noqa: E402

TOOLS = ["ip", "ethtool", "ss", "nginx", "openssl", "chromium", "firefox-esr", "certutil", "tshark", "dumpcap"]
SERVER = "10.99.0.1"
HOSTS_DIR = f"/etc/netns/{CLIENT_NS}"  # `ip netns exec` mounts its files over /etc
CHROMIUM = ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--ignore-certificate-errors", f"--host-resolver-rules=MAP * {SERVER}"]
FIREFOX_PREFS = {
    "browser.shell.checkDefaultBrowser": False, "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False, "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False, "network.trr.mode": 5, "app.update.enabled": False,
    "network.http.speculative-parallel-limit": 0, "browser.safebrowsing.update.enabled": False,
}


def run_browser(argv, timeout, env=None):
    """Runs a browser in td-client in its own process group, killed whole after `timeout` seconds.
    Returns (stdout, finished in time)."""
    done, finished = checks.run_group(in_namespace(CLIENT_NS, argv), timeout, env=env)
    return done.stdout, finished


def chromium_visit(work, name, extra=(), timeout=20):
    out, _ = run_browser(CHROMIUM + [f"--user-data-dir={work}/chromium", *extra, "--dump-dom",
                                     f"https://{name}/"], timeout)
    return f"takedown e2e: {name}" in out


def firefox_profile(work):
    profile = os.path.join(work, "firefox")
    os.makedirs(profile)
    with open(os.path.join(profile, "user.js"), "w") as f:
        for key, value in FIREFOX_PREFS.items():
            f.write(f"user_pref({json.dumps(key)}, {json.dumps(value)});\n")
    subprocess.run(["certutil", "-N", "-d", f"sql:{profile}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{profile}", "-n", "takedown-e2e", "-t", "C,,", "-i",
                    os.path.join(work, "ca.pem")], check=True, capture_output=True)
    return profile


def firefox_visits(work, profile, names, timeout=40):
    """One Firefox opening every name's page in a tab of its own, until nginx has served each
    name that it will (the allowed ones: `expect`) or `timeout` passes."""
    env = dict(os.environ, HOME=work)
    argv = ["firefox-esr", "--headless", "--no-remote", "--new-instance", "--profile", profile]
    p = subprocess.Popen(in_namespace(CLIENT_NS, argv + [f"https://{n}/" for n in names]),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                         start_new_session=True, env=env)
    return p


def served(work, name):
    """True when nginx logged a 200 for `name` as TLS server name and Host."""
    try:
        lines = open(os.path.join(work, "nginx-access.log")).read().splitlines()
    except FileNotFoundError:
        return False
    return f"{name} {name} 200" in lines


def arrivals(work):
    try:
        return len(open(os.path.join(work, "udp-sink.log")).read().splitlines())
    except FileNotFoundError:
        return 0


def sni_segments(capture, names):
    """(first, later): TCP ClientHellos for `names` whose SNI was within the first segment, and
    those where it came later, read from the capture without reassembly."""
    out = subprocess.run(["tshark", "-n", "-r", capture, "-o", "tcp.desegment_tcp_streams:FALSE", "-Y",
                          "tcp.dstport == 443 && tcp.len > 0", "-T", "fields", "-e", "tcp.stream", "-e",
                          "tcp.payload"], check=True, capture_output=True, text=True).stdout
    streams = {}
    for line in out.splitlines():
        stream, _, payload = line.partition("\t")
        streams.setdefault(stream, []).append(payload.replace(":", ""))
    first = later = 0
    for payloads in streams.values():
        name = next((n for n in names if n.encode().hex() in "".join(payloads[:3])), None)
        if name is None or not payloads[0].startswith("16"):
            continue  # not a ClientHello for one of the visited names
        if name.encode().hex() in payloads[0]:
            first += 1
        else:
            later += 1
    return first, later


def main():
    parser = suite_parser("takedownd", "takedownctl")
    parser.add_argument("--visits", type=int, default=20, help="HTTPS visits per browser, half blocked")
    parser.add_argument("--quic-visits", type=int, default=10, help="forced-QUIC visits, half blocked")
    parser.add_argument("--watchdog", type=int, default=280,
                        help="seconds after which a hung suite prints where it is and stops")
    args = parser.parse_args()
    skip_unless_able("browser suite", TOOLS)

    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    source = os.path.abspath(args.source_dir)
    topology = os.path.join(os.path.dirname(os.path.abspath(__file__)), "topology.sh")
    failures = Failures()
    processes = []
    made_hosts_dir = not os.path.exists(HOSTS_DIR)
    started = time.monotonic()

    def kill_all():
        checks.stop_all(processes, topology)
        if made_hosts_dir:
            shutil.rmtree(HOSTS_DIR, ignore_errors=True)

    checks.watchdog(args.watchdog, lambda: checks.suite_state(work), kill_all)
    try:
        r = checks.run(["bash", topology, "up"])
        if r.returncode != 0:
            print(r.stderr)
            failures.check(False, "topology.sh up")
            return 1
        takedown = [l.strip() for l in open(os.path.join(source, "conf/lists/takedown-66k.txt")) if l.strip()]
        benign = [l.strip() for l in open(os.path.join(source, "tests/data/top-50k.txt")) if l.strip()]
        half, quic_half = args.visits // 2, args.quic_visits // 2
        blocked = takedown[7::131][:half * 2 + quic_half]
        allowed = benign[300:300 + half * 2 + quic_half]
        names = blocked + allowed
        # Firefox resolves its host's own name at start, and the visited names, from the hosts file.
        os.makedirs(HOSTS_DIR, exist_ok=True)
        with open(os.path.join(HOSTS_DIR, "hosts"), "w") as f:
            f.write(f"127.0.0.1 localhost {socket.gethostname()}\n")
            f.writelines(f"{SERVER} {n}\n" for n in names)

        nginx = servers.nginx_config(work, SERVER, names, access_log=True)
        processes.append(servers.start(SERVER_NS, ["nginx", "-c", nginx, "-p", work], os.path.join(work, "nginx.out")))
        processes.append(servers.start(SERVER_NS, [sys.executable, os.path.join(os.path.dirname(
            os.path.abspath(__file__)), "udp_sink.py"), SERVER, "443", os.path.join(work, "udp-sink.log")],
            os.path.join(work, "udp-sink.out")))
        if not (servers.wait_for_port(SERVER_NS, SERVER, 443, False, 30) and
                servers.wait_for_port(SERVER_NS, SERVER, 443, True, 30)):
            failures.check(False, f"nginx on TCP 443 and the sink on UDP 443 of {SERVER} (see {work}/*.out)")
            return 1
        config = takedownd_run.write_config(work, [
            f'{{name: takedown-66k, format: domains, path: "{source}/conf/lists/takedown-66k.txt"}}'])
        td = takedownd_run.start(args.takedownd, args.takedownctl, config, work)
        processes.append(td)
        capture = os.path.join(work, "browsers.pcap")
        dumpcap = subprocess.Popen(["dumpcap", "-q", "-i", "td-c0", "-w", capture], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        processes.append(dumpcap)
        server_capture = os.path.join(work, "server-side.pcap")
        server_dumpcap = subprocess.Popen(in_namespace(SERVER_NS, ["dumpcap", "-q", "-i", "td-s1", "-w",
                                                                   server_capture]),
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True)
        processes.append(server_dumpcap)
        time.sleep(1)

        # Chromium and Firefox over TCP: the first `half` blocked and allowed names each.
        tcp_blocked, tcp_allowed = blocked[:half * 2], allowed[:half * 2]
        results = {}
        for browser in ("chromium", "firefox"):
            b_blocked, b_allowed = (tcp_blocked[:half], tcp_allowed[:half]) if browser == "chromium" else \
                (tcp_blocked[half:], tcp_allowed[half:])
            visits = [n for pair in zip(b_blocked, b_allowed) for n in pair]
            t0 = time.monotonic()
            if browser == "chromium":
                loaded = {n: chromium_visit(work, n) and served(work, n) for n in visits}
            else:
                firefox = firefox_visits(work, firefox_profile(work), visits)
                deadline = time.monotonic() + 40
                while time.monotonic() < deadline and not all(served(work, n) for n in b_allowed):
                    time.sleep(0.5)
                time.sleep(2)  # the blocked tabs, opened with the others, have had their try
                os.killpg(firefox.pid, signal.SIGKILL)
                firefox.wait(timeout=30)
                loaded = {n: served(work, n) for n in visits}
            blocked_loaded = sum(loaded[n] for n in b_blocked)
            allowed_loaded = sum(loaded[n] for n in b_allowed)
            results[browser] = {"blocked_loaded": blocked_loaded, "allowed_loaded": allowed_loaded,
                                "seconds": round(time.monotonic() - t0, 1)}
            print(f"{browser}: {len(b_blocked)} blocked names, {blocked_loaded} loaded; {len(b_allowed)} "
                  f"allowed names, {allowed_loaded} loaded ({time.monotonic() - t0:.0f} s)", flush=True)
            failures.check(blocked_loaded == 0, f"{browser}: no blocked name loads ({blocked_loaded} of "
                                                f"{len(b_blocked)} did)")
            failures.check(allowed_loaded == len(b_allowed), f"{browser}: every allowed name loads nginx's page "
                                                             f"({allowed_loaded} of {len(b_allowed)})")

        # Chromium with HTTP/3 forced: what reaches UDP 443 on the server side, per visit.
        quic_blocked, quic_allowed = blocked[half * 2:], allowed[half * 2:]
        quic = {}
        for name in [n for pair in zip(quic_blocked, quic_allowed) for n in pair]:
            before = arrivals(work)
            chromium_visit(work, name, ["--enable-quic", f"--origin-to-force-quic-on={name}:443"], timeout=4)
            time.sleep(0.3)
            quic[name] = arrivals(work) - before
        print(f"chromium, HTTP/3 forced: datagrams at the server per visit {quic}")
        results["chromium_quic"] = {"datagrams": quic}

        time.sleep(1)
        for d in (dumpcap, server_dumpcap):
            d.send_signal(signal.SIGTERM)
            d.wait(timeout=10)
        stats = json.loads(subprocess.run([args.takedownctl, "stats", "-c", config], capture_output=True,
                                          text=True, check=True).stdout)
        print(f"takedownd: blocked {stats['blocked']}, reassembly {stats['reassembly']}")

        # What reached the server, decrypted by tshark: no ClientHello, TLS or QUIC, with a blocked
        # name; every allowed name's.
        at_server = {}
        for proto, name in tshark_names(server_capture).values():
            at_server.setdefault(proto, set()).add(name)
        for proto, b_blocked, b_allowed in (("tls", tcp_blocked, tcp_allowed), ("quic", quic_blocked, quic_allowed)):
            leaked = sorted(set(b_blocked) & at_server.get(proto, set()))
            reached = len(set(b_allowed) & at_server.get(proto, set()))
            failures.check(not leaked, f"server side: no {proto} ClientHello for a blocked name ({leaked})")
            failures.check(reached == len(b_allowed), f"server side: the {proto} ClientHellos of every allowed "
                                                      f"name ({reached} of {len(b_allowed)})")
            results.setdefault("server_side", {})[proto] = {"blocked_names": len(leaked), "allowed_names": reached}
        # Not even the first Initial of a blocked name, which often carries no name (Chromium's
        # ClientHello spans two, the name often in the second): takedownd holds it until the name
        # is whole (flows.quic_hold_ms).
        leaked_datagrams = sum(quic[n] for n in quic_blocked)
        print(f"server side: {sum(quic[n] for n in quic_allowed)} datagrams for {len(quic_allowed)} allowed QUIC "
              f"visits, {leaked_datagrams} for {len(quic_blocked)} blocked ones; takedownd held "
              f"{stats['quic']['held']} datagrams, {stats['quic']['hold_timeouts']} of them until the deadline")
        failures.check(leaked_datagrams == 0, f"server side: no datagram of the {len(quic_blocked)} blocked "
                                              f"QUIC visits ({leaked_datagrams})")
        failures.check(all(quic[n] > 0 for n in quic_allowed),
                       f"server side: datagrams of every allowed QUIC visit ({[quic[n] for n in quic_allowed]})")
        results["chromium_quic"]["held"] = stats["quic"]

        # Where the SNI sat, from the capture.
        in_first, later = sni_segments(capture, tcp_blocked + tcp_allowed)
        print(f"TCP ClientHellos of the visits: SNI in the first segment {in_first}, in a later one {later}")
        failures.check(later > 0 and in_first > 0, "the visits put the SNI in the first segment and in a later one")
        results["sni_segment"] = {"first": in_first, "later": later}

        # tshark against takedownctl inspect on the client-side capture, flow by flow: the same
        # names, and ours on the frame that completed the name, never later than tshark's (which
        # waits for the whole ClientHello; we decide once the SNI is in).
        lines, figures = compare_flows(args.takedownctl, config, capture)
        print(f"client-side capture: tshark names {figures['flows']} flows ({figures['tshark']}); "
              f"{figures['flows'] - figures['disagree']} agree with takedownctl inspect, ours on an earlier "
              f"frame in {figures['ours_earlier']}. {figures['inspect']}")
        print("\n".join(lines[:20]))
        failures.check(not lines and figures["tshark"].get("quic", 0) > 0 and figures["tshark"].get("tls", 0) > 0,
                       "tshark and takedownctl inspect name the same flows of the browser capture")
        results["differential"] = {k: v for k, v in figures.items() if k != "inspect"}
        with open(os.path.join(work, "browsers.json"), "w") as f:
            json.dump(results, f, indent=1)

        td.send_signal(signal.SIGTERM)
        td.wait(timeout=30)
    finally:
        kill_all()
    return checks.finish(failures, "browsers", started)


if __name__ == "__main__":
    sys.exit(main())
