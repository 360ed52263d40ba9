#!/usr/bin/env python3
"""What a blocked user and their resolver see, end to end: answers that explain themselves.

The wire of topology.sh, with Unbound (local data for the allowed names) and nginx in td-server,
and takedownd in between with five lists: `answers` (NXDOMAIN, negative TTL 120, its own SOA
names and EDE text, HTTP block page), `short-ttl` (negative TTL 2), `redirected` (the page as a
302), `sinkholed` (A and AAAA addresses) and `nodata`. In td-client:

- dig and kdig, over UDP and TCP: NXDOMAIN with the SOA in the authority section and EDE 15 with
  the list's text; over TCP an answer, not "connection reset". Every query type (A, AAAA, HTTPS,
  SVCB, MX, TXT, ANY) gets its list's outcome: NXDOMAIN, NODATA with the SOA, or the sinkhole's
  addresses for A and AAAA and NODATA for the rest.
- A kept-alive TCP connection: an allowed query answered by Unbound, then a blocked one on the
  same connection answered by takedownd, then the connection ends with FIN.
- The cache check: a stub Unbound in td-client forwards through takedownd. A blocked name asked
  three times, the last after 4 s, reaches takedownd once (negative TTL 120); a name of the
  short-ttl list (TTL 2) reaches it twice. takedownd's list hits count what reached it.
- curl: the 403 page (status, headers, the list's words in the body) and the 302; nginx logs no
  request for either name. Headless Chromium loads the page; its screenshot, read by tesseract,
  shows the page's heading and the list's name.
- The capture of the client side, read by tshark: the SOA fields, the EDE code and text, the TCP
  answer's and the page's sequence numbers, FIN, good checksums, and HTTP 403 and 302.
- The event log records each reply as it was sent (answered, answered_tcp, http_page), and the
  stats JSON counts them by kind.

usage: answers_test.py --takedownd PATH --takedownctl PATH --source-dir DIR --work-dir DIR
Exit 0 pass, 1 fail, 77 skip (not root, no `ip netns`, or a tool missing: the message says which).
"""
import json
import os
import re
import shutil
import signal
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

TOOLS = ["ip", "ethtool", "ss", "unbound", "nginx", "dig", "kdig", "curl", "openssl", "chromium",
         "tesseract", "tshark", "dumpcap"]
SERVER = "10.99.0.1"
STUB = "127.0.0.1"  # the stub Unbound in td-client
TEXT = "Takedown e2e: this name is on a scam list, see https://isp.example/why"
SINK_A, SINK_AAAA = "10.99.2.1", "fd99::2:1"
QTYPES = ["A", "AAAA", "HTTPS", "SVCB", "MX", "TXT", "ANY"]
NAMES = {  # list -> the names of it the suite asks for
    "answers": ["scam-one.e2e.test", "www.scam-two.e2e.test", "cached.e2e.test", "page.e2e.test"],
    "short-ttl": ["quick.e2e.test"],
    "redirected": ["moved.e2e.test"],
    "sinkholed": ["sink.e2e.test"],
    "nodata": ["empty.e2e.test"],
}
ALLOWED = "allowed.e2e.test"


def run(argv, timeout=60):
    return checks.run(argv, timeout=timeout)


def client(argv, timeout=60):
    return run(in_namespace(CLIENT_NS, argv), timeout)


def header(dig_output):
    """(status, answer count, authority count) from dig's or kdig's header lines."""
    status = re.search(r"status: (\w+)", dig_output)
    counts = re.search(r"ANSWER: (\d+)[,;] AUTHORITY: (\d+)", dig_output)
    return (status.group(1) if status else "no answer",
            int(counts.group(1)) if counts else -1, int(counts.group(2)) if counts else -1)


def lists_config(work):
    for name, names in NAMES.items():
        with open(os.path.join(work, f"{name}.txt"), "w") as f:
            f.writelines(n.removeprefix("www.") + "\n" for n in names)
    return [
        '{name: answers, format: domains, path: answers.txt, response: {http: page, negative_ttl: 120, '
        f'text: "{TEXT}", soa: {{mname: ns.takedown.e2e.test, rname: noc.takedown.e2e.test}}}}}}',
        '{name: short-ttl, format: domains, path: short-ttl.txt, response: {negative_ttl: 2}}',
        '{name: redirected, format: domains, path: redirected.txt, response: {http: page, '
        'redirect: "https://block.e2e.test/why?list=redirected"}}',
        f'{{name: sinkholed, format: domains, path: sinkholed.txt, response: {{dns: sinkhole, a: {SINK_A}, '
        f'aaaa: "{SINK_AAAA}", ttl: 300}}}}',
        '{name: nodata, format: domains, path: nodata.txt, response: {dns: nodata}}',
    ]


def stats(args, config):
    return json.loads(run([args.takedownctl, "stats", "-c", config]).stdout)


def check_dig_and_kdig(failures, shown):
    name = NAMES["answers"][1]
    for tool, argv in (("dig +tcp", ["dig", f"@{SERVER}", name, "A", "+tcp", "+time=2", "+tries=1"]),
                       ("dig", ["dig", f"@{SERVER}", name, "A", "+time=2", "+tries=1"]),
                       ("kdig +tcp", ["kdig", f"@{SERVER}", name, "A", "+tcp", "+edns", "+time=2", "+retry=0"]),
                       ("kdig", ["kdig", f"@{SERVER}", name, "A", "+edns", "+time=2", "+retry=0"])):
        out = client(argv).stdout
        shown[tool] = out
        status, answers, authority = header(out)
        soa = re.search(r"^www\.scam-two\.e2e\.test\.\s+120\s+IN\s+SOA\s+ns\.takedown\.e2e\.test\.\s+"
                        r"noc\.takedown\.e2e\.test\.\s+\d+\s+3600\s+600\s+86400\s+120", out, re.M)
        ede = re.search(r"EDE: 15 \(Blocked\): [(']?" + re.escape(TEXT), out)
        failures.check(status == "NXDOMAIN" and answers == 0 and authority == 1 and soa and ede
                       and "reset" not in out,
                       f"{tool} {name}: NXDOMAIN, the list's SOA (TTL 120) and EDE 15 with its text "
                       f"[{status}, {answers} answers, {authority} authority, soa {bool(soa)}, ede {bool(ede)}]")


def check_query_types(failures):
    expected = {"answers": ("NXDOMAIN", {}), "nodata": ("NOERROR", {}),
                "sinkholed": ("NOERROR", {"A": SINK_A, "AAAA": SINK_AAAA})}
    wrong = []
    for list_name, (status, addresses) in expected.items():
        name = NAMES[list_name][0]
        for qtype in QTYPES:
            for transport in ("+notcp", "+tcp"):
                out = client(["dig", f"@{SERVER}", name, qtype, transport, "+time=2", "+tries=1"]).stdout
                got = header(out)
                address = addresses.get(qtype)
                want = (status, 1, 0) if address else (status, 0, 1)
                if got != want or (address and not re.search(rf"\sIN\s+{qtype}\s+{re.escape(address)}\s*$", out, re.M)):
                    wrong.append(f"{name} {qtype} {transport}: {got}, expected {want}")
    failures.check(not wrong, f"every query type (A, AAAA, HTTPS, SVCB, MX, TXT, ANY) over UDP and TCP gets "
                              f"its list's outcome: {len(QTYPES) * 6 - len(wrong)} of {len(QTYPES) * 6} "
                              f"{wrong[:4]}")


def check_kept_alive(failures, shown):
    probe = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tcp_keepalive_probe.py")
    out = client([sys.executable, probe, SERVER, ALLOWED, NAMES["answers"][0]]).stdout
    shown["kept-alive"] = out
    try:
        r = json.loads(out)
    except ValueError:
        failures.check(False, f"kept-alive probe printed {out!r}")
        return
    failures.check(r["first"].get("rcode") == 0 and r["first"].get("answers") == 1 and
                   r["second"].get("rcode") == 3 and r["end"] == "fin",
                   f"kept-alive TCP: Unbound answers the allowed name, takedownd the blocked one on the "
                   f"same connection, which then ends with FIN: {out.strip()}")


def check_cache(args, config, work, failures, shown):
    stub = servers.unbound_config(work, "stub", [STUB], 53, [], forward_to=f"{SERVER}@53")
    # Unbound answers the special-use "test." itself (RFC 6761) unless told not to.
    text = open(stub).read().replace("server:\n", "server:\n  local-zone: \"test.\" nodefault\n", 1)
    with open(stub, "w") as f:
        f.write(text)
    process = servers.start(CLIENT_NS, ["unbound", "-d", "-c", stub], os.path.join(work, "stub.out"))
    try:
        if not servers.wait_for_port(CLIENT_NS, STUB, 53, udp=True, timeout=60):
            failures.check(False, f"the stub Unbound listening on {STUB}:53 (see {work}/stub.out)")
            return
        before = stats(args, config)["lists"]
        names = {"answers": NAMES["answers"][2], "short-ttl": NAMES["short-ttl"][0]}
        statuses = {n: [] for n in names.values()}
        for pause in (0, 0.5, 4):
            time.sleep(pause)
            for name in names.values():
                out = client(["dig", f"@{STUB}", name, "A", "+time=3", "+tries=1"]).stdout
                statuses[name].append(header(out)[0])
        time.sleep(0.5)
        after = stats(args, config)["lists"]
        seen = {l: after.get(l, 0) - before.get(l, 0) for l in names}
        shown["cache"] = {"statuses": statuses, "reached takedownd": seen}
        all_nx = all(s == ["NXDOMAIN"] * 3 for s in statuses.values())
        failures.check(all_nx and seen["answers"] == 1,
                       f"Unbound caches the negative answer (TTL 120): {names['answers']} asked 3 times in "
                       f"4.5 s reached takedownd {seen['answers']} time(s), expected 1; statuses {statuses}")
        failures.check(all_nx and seen["short-ttl"] == 2,
                       f"and for its TTL only: {names['short-ttl']} (TTL 2) reached takedownd "
                       f"{seen['short-ttl']} time(s), expected 2")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def check_pages(work, failures, shown):
    page_name, moved_name = NAMES["answers"][3], NAMES["redirected"][0]

    def curl(name, path):
        """curl's output (-i: status, headers, body) as the bytes it received."""
        out = os.path.join(work, f"curl-{name}.http")
        client(["curl", "-si", "--max-time", "5", "--resolve", f"{name}:80:{SERVER}", "-o", out,
                f"http://{name}{path}"])
        return open(out, "rb").read() if os.path.exists(out) else b""

    raw = curl(page_name, "/login?next=/account")
    shown["curl page"] = raw.decode(errors="replace")
    head, _, body = raw.partition(b"\r\n\r\n")
    length = re.search(rb"\r\nContent-Length: (\d+)\r\n", head)
    failures.check(head.startswith(b"HTTP/1.1 403 Forbidden\r\n") and b"\r\nConnection: close" in head and length
                   and int(length.group(1)) == len(body) and b"<b>answers</b>" in body and TEXT.encode() in body,
                   f"curl http://{page_name}/: 403, Connection: close, the whole body, naming the list and its text")
    raw = curl(moved_name, "/")
    shown["curl redirect"] = raw.decode(errors="replace")
    failures.check(raw.startswith(b"HTTP/1.1 302 Found\r\n") and
                   b"\r\nLocation: https://block.e2e.test/why?list=redirected\r\n" in raw,
                   f"curl http://{moved_name}/: 302 to the list's redirect")
    log = open(os.path.join(work, "nginx-access.log")).read() if os.path.exists(
        os.path.join(work, "nginx-access.log")) else ""
    failures.check(page_name not in log and moved_name not in log,
                   "nginx logged no request for either blocked name")

    # Chromium: the page as a user sees it, read back from the screenshot.
    shot = os.path.join(work, "block-page.png")
    chromium = ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--host-resolver-rules=MAP * {SERVER}", "--window-size=1000,700",
                f"--screenshot={shot}", f"http://{page_name}/"]
    done, finished = checks.run_group(in_namespace(CLIENT_NS, chromium), 60)
    text = ""
    if os.path.exists(shot):
        text = run(["tesseract", shot, "-"], timeout=120).stdout
    shown["chromium screenshot text"] = text
    words = " ".join(text.split())
    failures.check(finished and "This site is blocked" in words and "answers" in words and "scam list" in words,
                   f"Chromium's screenshot of http://{page_name}/ reads 'This site is blocked', the list and its "
                   f"text: {words[:160]!r}")


def tshark_fields(capture, display_filter, fields):
    argv = ["tshark", "-r", capture, "-o", "tcp.relative_sequence_numbers:FALSE", "-o", "tcp.check_checksum:TRUE",
            "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-Y", display_filter, "-T", "fields",
            "-E", "separator=|"] + sum((["-e", f] for f in fields), [])
    return [line.split("|") for line in run(argv, timeout=120).stdout.splitlines()]


def check_capture(capture, failures):
    soa = tshark_fields(capture, 'dns.flags.response == 1 && dns.qry.name == "www.scam-two.e2e.test"',
                        ["tcp.len", "dns.soa.mname", "dns.soa.rname", "dns.soa.minimum_ttl",
                         "dns.opt.ext_error.info_code", "dns.opt.ext_error.extra_text"])
    want = ["ns.takedown.e2e.test", "noc.takedown.e2e.test", "120", "15", TEXT]
    failures.check(len(soa) >= 2 and all(row[1:] == want for row in soa) and any(row[0] for row in soa),
                   f"tshark: every answer for scam-two.e2e.test (UDP and TCP) has the SOA names, minimum "
                   f"120, EDE 15 and its text: {len(soa)} answers")
    # Each TCP answer of takedownd's (every name but the allowed one): FIN|PSH|ACK, seq = the
    # query segment's ack, ack = its end. Checksum status 1 is tshark's "good".
    segments = tshark_fields(capture, "tcp.port == 53 && tcp.len > 0",
                             ["tcp.stream", "tcp.srcport", "tcp.seq", "tcp.ack", "tcp.nxtseq", "tcp.flags",
                              "tcp.checksum.status", "ip.checksum.status", "dns.qry.name"])
    last_query, pairs = {}, []
    for s in segments:
        if s[1] != "53":
            last_query[s[0]] = s
        elif s[8] != ALLOWED and s[0] in last_query:
            pairs.append((last_query.pop(s[0]), s))
    good = [1 for q, a in pairs if a[2] == q[3] and a[3] == q[4] and int(a[5], 16) == 0x019
            and a[6] == "1" and a[7] == "1"]
    failures.check(pairs and len(good) == len(pairs),
                   f"tshark: each TCP answer follows its query with seq = the query's ack, ack = its end, "
                   f"FIN|PSH|ACK and good checksums: {len(good)} of {len(pairs)}")
    pages = tshark_fields(capture, "http.response",
                          ["http.response.code", "tcp.flags", "tcp.checksum.status", "http.location"])
    pages = [p for p in pages if p[0] in ("403", "302")]  # not Chromium's own requests to nginx
    codes = sorted(p[0] for p in pages)
    failures.check("403" in codes and "302" in codes and all(int(p[1], 16) == 0x019 and p[2] == "1" for p in pages),
                   f"tshark: the block pages (403 and 302) come in one FIN|PSH|ACK segment with a good "
                   f"checksum: {pages}")
    expert = run(["tshark", "-r", capture, "-Y", "_ws.malformed || _ws.expert.severity == error"], timeout=120)
    failures.check(expert.stdout.strip() == "", f"tshark finds no malformed or erroneous frame: {expert.stdout[:200]}")


def check_events_and_stats(work, final, failures):
    events = [json.loads(l) for l in open(os.path.join(work, "events.json")) if l.strip()]
    outcomes = {}
    for e in events:
        t = e["takedown"]
        outcomes[t["outcome"]] = outcomes.get(t["outcome"], 0) + 1
    tcp_answer = [e for e in events if e["takedown"]["outcome"] == "answered_tcp" and e.get("dns", {}).get(
        "rrname") == "www.scam-two.e2e.test"]
    pages = [e["takedown"].get("http_status") for e in events if e["takedown"]["outcome"] == "http_page"]
    failures.check(tcp_answer and tcp_answer[0]["takedown"].get("response") == "nxdomain" and
                   tcp_answer[0]["takedown"].get("ede") == 15 and sorted(pages)[:1] == [302] and 403 in pages,
                   f"the event log records what was sent: outcomes {outcomes}, pages {sorted(pages)}")
    # A UDP answer is written over its query: its event must still tell the query as it came,
    # sent to the resolver's port 53 with an OPT record (so the answer carried EDE 15).
    udp_answers = [e for e in events if e["takedown"]["outcome"] == "answered"]
    failures.check(udp_answers and all(e["dest_ip"] == SERVER and e["dest_port"] == 53 and
                                       e["src_ip"] != SERVER for e in udp_answers) and
                   any(e["takedown"].get("ede") == 15 and e.get("dns", {}).get("rrname") in NAMES["answers"]
                       for e in udp_answers),
                   f"UDP answer events keep the query's addresses and EDNS: {udp_answers[:2]}")
    d, r = final["dropped_by"], final["replies_sent"]
    failures.check(d["answer_tcp"] > 0 and d["http_page"] >= 3 and r["answer_tcp"] == d["answer_tcp"] and
                   r["http_page"] == d["http_page"] and r["answer_udp"] == d["answer_udp"],
                   f"stats by reply kind: dropped_by {d}, replies_sent {r}")


def main():
    parser = suite_parser("takedownd", "takedownctl")
    parser.add_argument("--watchdog", type=int, default=280)
    args = parser.parse_args()
    skip_unless_able("answers suite", TOOLS)
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    topology = os.path.join(os.path.dirname(os.path.abspath(__file__)), "topology.sh")
    failures = Failures()
    processes = []
    shown = {}
    started = time.monotonic()

    def kill_all():
        checks.stop_all(processes, topology)

    checks.watchdog(args.watchdog, lambda: checks.suite_state(work), kill_all)
    try:
        r = run(["bash", topology, "up"])
        if r.returncode != 0:
            failures.check(False, f"topology.sh up: {r.stderr}")
            return 1
        unbound = servers.unbound_config(work, "unbound", [SERVER], 53, [(ALLOWED, "10.99.1.1")])
        nginx = servers.nginx_config(work, SERVER, access_log=True)
        for argv, log, port, udp in ((["unbound", "-d", "-c", unbound], "unbound.out", 53, True),
                                     (["nginx", "-c", nginx, "-p", work], "nginx.out", 80, False)):
            processes.append(servers.start(SERVER_NS, argv, os.path.join(work, log)))
            if not servers.wait_for_port(SERVER_NS, SERVER, port, udp, timeout=60):
                failures.check(False, f"{argv[0]} listening on {SERVER}:{port} (see {work}/{log})")
                return 1
        config = takedownd_run.write_config(
            work, lists_config(work), f'events: {{path: "{work}/events.json", rate_limit: 0}}\n')
        try:
            td = takedownd_run.start(args.takedownd, args.takedownctl, config, work)
        except RuntimeError as e:
            failures.check(False, str(e))
            return 1
        processes.append(td)
        capture = os.path.join(work, "client-side.pcap")
        # On the client's own end of the wire: takedownd's af_packet replies bypass the taps of td-c0.
        dumpcap = subprocess.Popen(in_namespace(CLIENT_NS, ["dumpcap", "-q", "-i", "td-c1", "-w", capture]),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        processes.append(dumpcap)
        time.sleep(1)

        check_dig_and_kdig(failures, shown)
        check_query_types(failures)
        check_kept_alive(failures, shown)
        check_cache(args, config, work, failures, shown)
        check_pages(work, failures, shown)

        time.sleep(0.5)
        dumpcap.send_signal(signal.SIGTERM)
        dumpcap.wait(timeout=30)
        check_capture(capture, failures)
        td.send_signal(signal.SIGTERM)
        td.wait(timeout=30)
        final = json.load(open(os.path.join(work, "takedownd.json")))
        check_events_and_stats(work, final, failures)
    finally:
        kill_all()
        with open(os.path.join(work, "shown.json"), "w") as f:
            json.dump(shown, f, indent=1)
    for what, out in shown.items():
        print(f"---- {what}\n{out if isinstance(out, str) else json.dumps(out)}")
    return checks.finish(failures, "answers", started)


if __name__ == "__main__":
    sys.exit(main())
