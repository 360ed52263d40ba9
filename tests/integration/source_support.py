"""What the list-source tests (list_sources_test.py, zone_transfer_test.py) share: the processes of
reload_test.py, a takedownd on net_null ports with /metrics, and the takedown_source_* samples."""
import os
import re
import sys
import time
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from reload_test import Daemon, Fail, Runner, control_request, stop_leftover  # noqa: E402,F401
from suite_args import suite_parser  # noqa: E402,F401


def dataplane_yaml(prefix, metrics):
    """The config's metrics and dataplane sections: a takedownd with nothing to forward."""
    return f"""metrics: {{listen: "{metrics}"}}
dataplane:
  eal: [--no-huge, -m, "512", --no-pci, --no-shconf, --file-prefix, {prefix}, --log-level=warning]
  ports:
    - {{name: client, device: "net_null0,no-rx=1"}}
    - {{name: sink, device: "net_null1,no-rx=1"}}
  pairs: [[client, sink]]
  workers: 1
"""


def source_metrics(listen, problems):
    """{(family, list): value} of the takedown_source_* samples on /metrics."""
    try:
        text = urllib.request.urlopen(f"http://{listen}/metrics", timeout=5).read().decode()
    except OSError as e:
        problems.append(f"/metrics: {e}")
        return {}
    out = {}
    for line in text.splitlines():
        m = re.match(r'^(takedown_source_\w+)\{list="([^"]+)"\} (\S+)$', line)
        if m:
            out[(m.group(1), m.group(2))] = float(m.group(3))
    return out


def wait_until(predicate, timeout):
    """predicate()'s first truthy value within `timeout` seconds, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return None


def stop_all(runner, daemon, *processes):
    """SIGTERM (then kill) whatever of the test's processes is still running."""
    if runner is not None:
        stop_leftover(runner.process)
    if daemon is not None and daemon.process is not None:
        stop_leftover(daemon.process)
    for p in processes:
        stop_leftover(p)


def verdict(name, problems):
    """Prints each problem and the test's verdict; the exit code."""
    for p in problems:
        print(f"FAIL: {p}")
    print(f"{name}: " + ("FAILED" if problems else "passed"))
    return 1 if problems else 0
