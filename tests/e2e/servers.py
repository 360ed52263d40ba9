"""The servers of the end-to-end suite, configured and started inside the td-server namespace.

unbound_config(): an Unbound that answers a test zone from local data (everything else REFUSED,
so nothing waits on a recursion that has no internet), optionally with an RPZ zone (respip module).
nginx_config(): nginx on port 80 and 443 (a certificate from a test CA, made at test time), 200 for
any host. start() runs a server under `ip netns exec` and waits for its port.
"""
import os
import socket
import subprocess
import time
import checks

SERVER_NS = "td-server"
CLIENT_NS = "td-client"


def unbound_config(work, name, interfaces, port, local_data, rpz_zone=None, forward_to=None):
    """Local data answers before any module runs, RPZ included: the RPZ instance therefore holds
    no local data and forwards what its policy passes to the plain instance (`forward_to`)."""
    lines = ["server:", f"  directory: \"{work}\"", "  chroot: \"\"", "  username: \"\"",
             "  do-daemonize: no", "  use-syslog: no", f"  logfile: \"{work}/{name}.log\"", "  verbosity: 0",
             f"  pidfile: \"{work}/{name}.pid\"", "  num-threads: 1", "  so-reuseport: no",
             f"  port: {port}", "  do-ip6: yes", "  access-control: 0.0.0.0/0 allow",
             "  access-control: ::/0 allow", "  edns-buffer-size: 1232", "  msg-cache-size: 16m",
             "  rrset-cache-size: 32m", "  num-queries-per-thread: 4096", "  outgoing-range: 8192",
             "  so-rcvbuf: 8m", "  so-sndbuf: 8m", "  do-not-query-localhost: no",
             "  module-config: \"respip iterator\"" if rpz_zone else "  module-config: \"iterator\""]
    lines += [f"  interface: {i}" for i in interfaces]
    if local_data:
        lines.append("  local-zone: \".\" refuse")  # nothing waits on a recursion with no internet
    lines += [f"  local-data: \"{n}. 300 IN A {a}\"" for n, a in local_data]
    if forward_to:
        lines += ["forward-zone:", "  name: \".\"", f"  forward-addr: {forward_to}"]
    if rpz_zone:
        lines += ["rpz:", "  name: rpz.e2e.test.", f"  zonefile: \"{rpz_zone}\"", "  rpz-log: no"]
    path = os.path.join(work, f"{name}.conf")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def certificate(work, names):
    """A test CA (work/ca.pem, for clients that check: Firefox imports it) and a server certificate
    it signs for `names` (work/cert.pem, work/key.pem)."""
    path = lambda f: os.path.join(work, f)
    openssl = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True, timeout=60)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=takedown e2e CA",
            "-keyout", path("ca-key.pem"), "-out", path("ca.pem"))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={names[0]}", "-keyout", path("key.pem"),
            "-out", path("server.csr"))
    with open(path("server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                "subjectAltName=" + ",".join(f"DNS:{n}" for n in names) + "\n")
    openssl("x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca-key.pem"),
            "-CAcreateserial", "-days", "2", "-extfile", path("server.ext"), "-out", path("cert.pem"))


def nginx_temp_paths(work):
    """The http-block lines that keep nginx's temporary files in work/nginx-tmp (made here)."""
    tmp = os.path.join(work, "nginx-tmp")
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    for d in kinds:
        os.makedirs(os.path.join(tmp, d), exist_ok=True)
    return "\n".join(f"  {d}_temp_path {tmp}/{d};" for d in kinds)


def nginx_config(work, address, names=("e2e.test",), access_log=False, also=()):
    """nginx on address:80 and :443 (and on each address of `also`) with a certificate for `names`;
    with access_log, one line per request in work/nginx-access.log: the TLS server name, the Host
    and the status."""
    certificate(work, list(names))
    listen = "".join(f"    listen {a}:80;\n    listen {a}:443 ssl;\n" for a in (address, *also))
    text = f"""daemon off;
master_process off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  log_format names '$ssl_server_name $host $status';
  access_log {f"{work}/nginx-access.log names" if access_log else "off"};
{nginx_temp_paths(work)}
  server {{
{listen}    ssl_certificate {work}/cert.pem;
    ssl_certificate_key {work}/key.pem;
    # Debian 12's nginx (1.22) enables TLS 1.3 only when asked; browsers and our clients send it.
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {{ return 200 "takedown e2e: $host\\n"; }}
  }}
}}
"""
    path = os.path.join(work, "nginx.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def in_namespace(ns, argv):
    return ["ip", "netns", "exec", ns] + argv


def wait_for_port(ns, address, port, udp=False, timeout=20):
    """True once something listens on address:port inside `ns` (ss in the namespace)."""
    deadline = time.monotonic() + timeout
    flag = "-lnu" if udp else "-lnt"
    while time.monotonic() < deadline:
        out = checks.run(in_namespace(ns, ["ss", flag]), timeout=30).stdout
        if f"{address}:{port} " in out:
            return True
        time.sleep(0.1)
    return False


def start(ns, argv, log_path):
    log = open(log_path, "w")
    return subprocess.Popen(in_namespace(ns, argv), stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
