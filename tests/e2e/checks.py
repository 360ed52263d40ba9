"""What every e2e script reports with: checks that print ok/FAIL and collect the failures, and the
skip (exit 77, ctest's skip code) with its reason."""
import os
import sys


class Failures:
    def __init__(self):
        self.messages = []

    def check(self, ok, message):
        print(("ok    " if ok else "FAIL  ") + message, flush=True)
        if not ok:
            self.messages.append(message)


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(77)


def skip_unless_able(suite, tools):
    """Skips unless root, every tool in `tools` on PATH, and `ip netns` working."""
    import shutil
    import subprocess
    if os.geteuid() != 0:
        skip(f"the {suite} needs root (network namespaces)")
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        skip(f"missing {', '.join(missing)}: scripts/install-deps.sh installs them")
    if subprocess.run(["ip", "netns", "list"], capture_output=True).returncode != 0:
        skip("`ip netns` does not work here")
