"""The command line every ctest-driven script shares: the binaries it drives, the source tree
and a work folder of its own (ctest passes them from tests/CMakeLists.txt)."""
import argparse


def suite_parser(*binaries):
    """An ArgumentParser with a required --<binary> PATH per binary, --source-dir and --work-dir."""
    parser = argparse.ArgumentParser()
    for binary in binaries:
        parser.add_argument(f"--{binary}", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    return parser


def compile_snapshot(takedownctl, config, timeout=300):
    """`takedownctl compile -c CONFIG`: a snapshot in the config's snapshot folder, which takedownd
    starts from (it compiles no lists itself). Raises RuntimeError with takedownctl's output."""
    import subprocess
    done = subprocess.run([takedownctl, "compile", "-c", config], capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"takedownctl compile -c {config} failed ({done.returncode}): "
                           f"{done.stdout}{done.stderr}")
    return done.stdout
