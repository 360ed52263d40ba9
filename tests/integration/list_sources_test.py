#!/usr/bin/env python3
"""Lists by URL: takedownctl fetch and run against nginx over HTTPS, with a test CA.

nginx (Debian's) serves www/ on localhost:18443 with a certificate from a CA made at test time;
static files get an ETag and Last-Modified, and If-None-Match gets a 304. The list `feed` has
`url: https://localhost:18443/feed.txt`, `ca:` the test CA and `refresh: 2s`. The checks:

1. `takedownctl fetch`: exit 0, "fetched"; the copy in snapshots/sources/feed holds the served
   bytes, its state the ETag; nginx logged a 200. Again: "not modified (304)", nginx logged a 304,
   the copy is unchanged.
2. takedownd (net_null ports, /metrics on) with `takedownctl run`: status shows the feed's
   domains; a name appended on the server is live (status domains + 1, and a new generation)
   within the refresh plus 3 s; takedownd's status lists the source with its ETag and 0 failures,
   and /metrics has takedown_source_age_seconds, _up 1 and _entries for it.
3. The server then serves an HTML error page with 200 for the feed: refused (it loads no entry),
   counted (takedown_source_failures_total >= 1, takedown_source_up 0), the copy and the
   generation unchanged.
4. nginx stopped and `takedownctl run` restarted: the fetch fails, and the last good copy is loaded
   all the same (a generation line with the domains of step 2).
5. Bad sources, each fetched once by `takedownctl fetch` (exit 1, the reason on stderr, no copy,
   failures 1 in the state): a response cut short (Content-Length larger than the body), a body
   over max_size, a 404, a server with a certificate no CA of the system signs (no `ca:`), and a
   port nobody listens on (connect refused).

usage: list_sources_test.py --takedownd BIN --takedownctl BIN --source-dir DIR --work-dir DIR
"""
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from source_support import (Daemon, Fail, Runner, control_request, dataplane_yaml, source_metrics,  # noqa: E402
                            stop_all, suite_parser, verdict, wait_until)
import servers  # noqa: E402

HTTPS_PORT = 18443
METRICS = "127.0.0.1:19911"
REFRESH = 2
FEED = ["feed-one.list-sources-test.example", "feed-two.list-sources-test.example",
        "feed-three.list-sources-test.example"]
ADDED = "added-at-source.list-sources-test.example"

CONFIG = """# Written by list_sources_test.py.
lists:
{lists}
control:
  socket: {work}/control.sock
  snapshot_dir: {work}/snapshots
""" + dataplane_yaml("takedown-list-sources-test", METRICS).replace("{", "{{").replace("}", "}}")


class ReusableServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class Quirks(http.server.BaseHTTPRequestHandler):
    """/cut: a Content-Length of 5000 and 100 bytes, then the connection closes. /big: 3 MiB."""

    def do_GET(self):
        if self.path == "/cut":
            self.send_response(200)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"cut-short.example\n" * 5 + b"0123456789")
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/big":
            body = b"".join(b"big-%06d.example\n" % i for i in range(180000))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # takedownctl hangs up at max_size, as it should
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


def nginx_config(work):
    servers.certificate(work, ["localhost"])
    path = os.path.join(work, "nginx.conf")
    with open(path, "w") as f:
        f.write(f"""daemon off;
master_process off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
  log_format fetch '$request_uri $status';
  access_log {work}/nginx-access.log fetch;
{servers.nginx_temp_paths(work)}
  server {{
    listen 127.0.0.1:{HTTPS_PORT} ssl;
    ssl_certificate {work}/cert.pem;
    ssl_certificate_key {work}/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root {work}/www;
  }}
}}
""")
    return path


def start_nginx(work):
    proc = subprocess.Popen(["nginx", "-c", nginx_config(work), "-p", work], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "nginx.out"), "w"))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if f"127.0.0.1:{HTTPS_PORT} " in subprocess.run(["ss", "-lnt"], capture_output=True, text=True).stdout:
            return proc
        time.sleep(0.1)
    raise Fail(f"nginx did not listen on {HTTPS_PORT}: {open(os.path.join(work, 'nginx-error.log')).read()}")


def access_log(work):
    try:
        return open(os.path.join(work, "nginx-access.log")).read().splitlines()
    except FileNotFoundError:
        return []


def write_feed(work, names):
    path = os.path.join(work, "www", "feed.txt")
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write("# feed served by list_sources_test.py\n" + "".join(n + "\n" for n in names))
    os.replace(tmp, path)


def metrics(problems):
    return source_metrics(METRICS, problems)


def ctl(args, *command):
    r = subprocess.run([args.takedownctl, *command], capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


def state(work, name):
    try:
        return json.load(open(os.path.join(work, "snapshots", "sources", name + ".list.state")))
    except (OSError, ValueError):
        return {}


def main():
    args = suite_parser("takedownd", "takedownctl").parse_args()
    work = os.path.abspath(args.work_dir)
    args.work_dir = work
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "www"))
    if shutil.which("nginx") is None:
        print("SKIP: nginx is not installed (scripts/install-deps.sh installs it)")
        return 77
    problems = []
    write_feed(work, FEED)
    feed = (f"  - {{name: feed, format: domains, url: \"https://localhost:{HTTPS_PORT}/feed.txt\", "
            f"ca: ca.pem, refresh: {REFRESH}s, timeout: 10s}}")
    config = os.path.join(work, "takedown.yaml")
    with open(config, "w") as f:
        f.write(CONFIG.format(lists=feed, work=work))
    copy = os.path.join(work, "snapshots", "sources", "feed.list")
    quirks = ReusableServer(("127.0.0.1", 0), Quirks)
    plain_port = quirks.server_address[1]
    threading.Thread(target=quirks.serve_forever, daemon=True).start()
    daemon, runner, nginx = None, None, None
    try:
        nginx = start_nginx(work)
        # 1. fetch, then a conditional fetch
        code, out, err = ctl(args, "fetch", "-c", config)
        served = open(os.path.join(work, "www", "feed.txt")).read()
        if code != 0 or "fetched" not in out:
            problems.append(f"first fetch: exit {code}, {out!r} {err!r}")
        if not os.path.exists(copy) or open(copy).read() != served:
            problems.append("first fetch: the copy does not hold the served bytes")
        if not state(work, "feed").get("etag"):
            problems.append(f"first fetch: no ETag in the state: {state(work, 'feed')}")
        code, out, err = ctl(args, "fetch", "-c", config)
        if code != 0 or "not modified (304)" not in out:
            problems.append(f"second fetch: exit {code}, {out!r} {err!r}")
        statuses = [line.split()[-1] for line in access_log(work) if line.startswith("/feed.txt")]
        if statuses[:2] != ["200", "304"]:
            problems.append(f"nginx saw {statuses}, expected 200 then 304")
        print(f"fetch: 200 then 304 ({len(served)} bytes, ETag {state(work, 'feed').get('etag')})")

        # 2. run: a name added at the source is live within the refresh
        code, out, err = ctl(args, "compile", "-c", config)  # takedownd starts from a stored snapshot
        if code != 0:
            raise Fail(f"compile from the copy: exit {code}: {err}")
        daemon = Daemon(args, config, os.path.join(work, "control.sock"), "sources")
        daemon.start()
        runner = Runner(args, config)
        if runner.wait_for(r"generation \d+: .*\[start\]") is None:
            raise Fail(f"takedownctl run loaded nothing: {runner.log()}")
        status = control_request(os.path.join(work, "control.sock"), {"command": "status"})
        before_generation, before_domains = status["generation"], status["snapshot"]["domains"]
        write_feed(work, FEED + [ADDED])
        written = time.monotonic()
        live = wait_until(lambda: (lambda s: s if s["snapshot"]["domains"] == before_domains + 1 else None)(
            control_request(os.path.join(work, "control.sock"), {"command": "status"})), REFRESH + 3)
        if live is None:
            problems.append(f"a name added at the source was not live within {REFRESH + 3} s: {runner.log()}")
        else:
            print(f"run: a name added at the source live after {time.monotonic() - written:.1f} s "
                  f"(refresh {REFRESH} s), generation {before_generation} -> {live['generation']}")
            sources = {s["list"]: s for s in live.get("sources", [])}
            if "feed" not in sources or sources["feed"]["failures"] != 0 or not sources["feed"]["version"] \
                    or not 0 <= sources["feed"].get("age_seconds", -1) < REFRESH + 3:
                problems.append(f"status sources: {live.get('sources')}")
        code, out, _ = ctl(args, "check", "-c", config, ADDED)
        if "block" not in out:
            problems.append(f"check {ADDED}: {out!r}")
        m = metrics(problems)
        if m.get(("takedown_source_up", "feed")) != 1 or ("takedown_source_age_seconds", "feed") not in m \
                or m.get(("takedown_source_entries", "feed")) != len(FEED) + 1:
            problems.append(f"/metrics after a good fetch: {m}")

        # 3. garbage from the source: refused, counted, nothing changes
        copy_before = open(copy).read()
        generation = control_request(os.path.join(work, "control.sock"), {"command": "status"})["generation"]
        page = "<html><head><title>502 Bad Gateway</title></head>\n<body>\n<center>502</center>\n</body></html>\n"
        with open(os.path.join(work, "www", "feed.txt.new"), "w") as f:
            f.write(page)
        os.replace(os.path.join(work, "www", "feed.txt.new"), os.path.join(work, "www", "feed.txt"))
        failed = wait_until(lambda: state(work, "feed").get("consecutive_failures", 0) >= 1, REFRESH + 3)
        time.sleep(0.5)
        m = metrics(problems)
        after = control_request(os.path.join(work, "control.sock"), {"command": "status"})
        if not failed or "refused" not in state(work, "feed").get("last_error", ""):
            problems.append(f"an HTML page was not refused: {state(work, 'feed')}")
        if open(copy).read() != copy_before or after["generation"] != generation:
            problems.append("an HTML page changed the copy or the generation")
        if m.get(("takedown_source_failures_total", "feed"), 0) < 1 or m.get(("takedown_source_up", "feed")) != 0:
            problems.append(f"/metrics after a refused fetch: {m}")
        print(f"garbage: refused ({state(work, 'feed').get('last_error')}), failures "
              f"{m.get(('takedown_source_failures_total', 'feed'))}, generation stays {generation}")

        # 4. the web server down: a restarted takedownctl run loads the last good copy
        nginx.terminate()
        nginx.wait(timeout=20)
        runner.process.terminate()
        runner.process.wait(timeout=20)
        runner = Runner(args, config)
        loaded = runner.wait_for(rf"generation \d+: 1 lists, {len(FEED) + 1} domains.*\[start\]")
        if loaded is None:
            problems.append(f"with the server down, run did not load the last good copy: {runner.log()}")
        elif "connect to server; the last good copy stays" not in open(runner.err).read():
            problems.append(f"with the server down, run logged no fetch failure: {open(runner.err).read()}")
        else:
            print(f"server down: run loaded the last good copy ({loaded[2].split(' (')[0]})")
        runner.process.terminate()
        runner.process.wait(timeout=20)
        runner = None

        # 5. bad sources, one fetch each
        bad = {
            "cut": (f"http://127.0.0.1:{plain_port}/cut", "", "transfer closed"),
            "big": (f"http://127.0.0.1:{plain_port}/big", "max_size: 1M, ", "larger than max_size"),
            "missing": (f"http://127.0.0.1:{plain_port}/nothing-here", "", "HTTP status 404"),
            "untrusted": (f"https://localhost:{HTTPS_PORT}/feed.txt", "", "certificate"),
            "nobody": ("http://127.0.0.1:1/list.txt", "", "onnect"),
        }
        nginx = start_nginx(work)  # for "untrusted": a CA of our own, not given
        for name, (url, extra, reason) in bad.items():
            bad_config = os.path.join(work, f"bad-{name}.yaml")
            with open(bad_config, "w") as f:
                f.write(CONFIG.format(lists=f"  - {{name: {name}, format: domains, url: \"{url}\", {extra}timeout: 10s}}",
                                      work=work))
            code, out, err = ctl(args, "fetch", "-c", bad_config)
            s = state(work, name)
            if code != 1 or reason not in err or os.path.exists(os.path.join(work, "snapshots", "sources", name + ".list")) \
                    or s.get("failures") != 1:
                problems.append(f"bad source {name}: exit {code}, stderr {err.strip()!r}, state {s}")
            else:
                print(f"bad source {name}: refused: {err.strip().split(': ', 2)[-1]}")
            code, out, err = ctl(args, "compile", "-c", bad_config)
            if code != 1 or "no good copy" not in err:
                problems.append(f"compile with no copy of {name}: exit {code}, {err.strip()!r}")
    except Fail as e:
        problems.append(str(e))
    finally:
        stop_all(runner, daemon, nginx)
        quirks.shutdown()
        quirks.server_close()
    return verdict("list_sources_test", problems)


if __name__ == "__main__":
    sys.exit(main())
