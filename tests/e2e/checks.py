"""What every e2e script reports with: checks that print ok/FAIL and collect the failures, the skip
(exit 77, ctest's skip code) with its reason, commands that cannot outlive their timeout, and a
watchdog that says where a suite hung before ctest's timeout silences it."""
import faulthandler
import os
import re
import signal
import subprocess
import sys
import threading


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
    if os.geteuid() != 0:
        skip(f"the {suite} needs root (network namespaces)")
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        skip(f"missing {', '.join(missing)}: scripts/install-deps.sh installs them")
    if run(["ip", "netns", "list"], timeout=30).returncode != 0:
        skip("`ip netns` does not work here")


def run_group(argv, timeout, input=None, env=None):
    """(CompletedProcess with text stdout and stderr, finished in time): argv in a process group of
    its own, killed whole at the timeout, with what it printed until then. subprocess.run's own
    timeout kills only the child, and then waits for ever on the pipes when a grandchild (say,
    under `ip netns exec`, or a browser's) still holds them."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True, env=env)
    try:
        out, err = p.communicate(input, timeout=timeout)
        finished = True
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        finished = False
    return subprocess.CompletedProcess(argv, p.returncode, out, err), finished


def run(argv, timeout=60, input=None, check=False):
    """run_group() that raises subprocess.TimeoutExpired at the timeout, like subprocess.run."""
    done, finished = run_group(argv, timeout, input)
    if not finished:
        raise subprocess.TimeoutExpired(argv, timeout, done.stdout, done.stderr)
    if check:
        done.check_returncode()
    return done


def process_age():
    """Seconds since this process started (/proc/self/stat's start time against /proc/uptime): on
    a loaded machine the interpreter's start-up alone can take seconds that ctest's timeout counts."""
    try:
        with open("/proc/self/stat") as f:
            # Field 22, counted after the parenthesised command name, which may hold spaces.
            started = int(f.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as f:
            return max(0.0, float(f.read().split()[0]) - started)
    except (OSError, ValueError, IndexError):
        return 0.0


def watchdog(seconds, what_to_show, clean_up):
    """Starts a timer that, `seconds` after this process started (not after this call: see
    process_age), prints every thread's Python stack and what `what_to_show()` returns (logs,
    processes), calls `clean_up()` and exits 1: a hung suite says where it hung, and leaves no
    takedownd polling, instead of ctest killing it silently."""
    def fire():
        print(f"\nWATCHDOG: the suite is still running after {seconds} s; where each thread is:",
              flush=True)
        faulthandler.dump_traceback(file=sys.stdout, all_threads=True)
        try:
            print(what_to_show(), flush=True)
        finally:
            try:
                clean_up()
            finally:
                os._exit(1)
    timer = threading.Timer(max(1.0, seconds - process_age()), fire)
    timer.daemon = True
    timer.start()
    return timer


def suite_state(work):
    """What a watchdog shows: the processes an e2e suite runs, and the end of takedownd's log."""
    ps = run(["ps", "-eo", "pid,stat,etime,wchan:24,args"], timeout=10).stdout.splitlines()
    pattern = r"takedown|unbound|nginx|dnsperf|dig|curl|chromium|firefox|dumpcap|tshark| ip "
    shown = ps[:1] + [line for line in ps[1:] if re.search(pattern, line)]
    err = os.path.join(work, "takedownd.err")
    tail = open(err).read().splitlines()[-20:] if os.path.exists(err) else ["(no takedownd.err)"]
    return "\n".join(["processes:"] + shown + [f"{err}, last lines:"] + tail)


def stop_all(processes, topology):
    """Kills every process group of `processes` still running, then takes the wire down."""
    for p in processes:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)
    run(["bash", topology, "down"])


def finish(failures, suite, started):
    """Prints the suite's time and how many checks failed; returns its exit code."""
    import time
    print(f"{suite}: {time.monotonic() - started:.0f} s")
    if failures.messages:
        print(f"{len(failures.messages)} check(s) failed")
        return 1
    return 0
