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
