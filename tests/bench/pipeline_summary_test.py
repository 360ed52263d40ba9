#!/usr/bin/env python3
"""run_pipeline.py's per-round ratios: each round's takedownd rate over the other tool's in the
same round, their median, range and the rounds takedownd was faster in.

A slow phase of the VM that covers one round of both tools must not move the per-round median,
while it moves the ratio of whole-run medians; rounds without both tools are left out.

usage: pipeline_summary_test.py --source-dir DIR    (standard library only; exit 0 on success)
"""
import argparse
import os
import sys
import unittest


def rounds_of(pairs, other="baseline"):
    return [{"round": i + 1, "takedownd": {"pps": t}, other: {"pps": b}} for i, (t, b) in enumerate(pairs)]


class PairedRatios(unittest.TestCase):
    def test_median_range_and_faster_rounds(self):
        rounds = rounds_of([(110, 100), (90, 100), (105, 100), (102, 100)])
        self.assertEqual(run_pipeline.paired_ratios(rounds, "baseline"),
                         {"median": 1.035, "min": 0.9, "max": 1.1, "rounds": 4, "takedownd_faster": 3})

    def test_a_slow_phase_moves_both_tools_of_a_round(self):
        # takedownd is 2% faster in every round; two rounds ran at half speed for both tools.
        rounds = rounds_of([(102, 100), (51, 50), (51, 50), (102, 100), (51, 50)])
        pairs = run_pipeline.paired_ratios(rounds, "baseline")
        self.assertEqual(pairs["median"], 1.02)
        self.assertEqual(pairs["takedownd_faster"], 5)

    def test_rounds_without_both_tools_are_left_out(self):
        rounds = rounds_of([(120, 100)]) + [{"round": 2, "takedownd": {"pps": 50}}]
        self.assertEqual(run_pipeline.paired_ratios(rounds, "baseline")["rounds"], 1)
        self.assertIsNone(run_pipeline.paired_ratios([{"round": 1, "takedownd": {"pps": 5}}], "testpmd"))

    def test_against_testpmd(self):
        rounds = rounds_of([(8, 20), (9, 20), (8.5, 20)], other="testpmd")
        pairs = run_pipeline.paired_ratios(rounds, "testpmd")
        self.assertEqual(pairs["median"], 0.425)
        self.assertEqual(pairs["takedownd_faster"], 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    args, rest = parser.parse_known_args()
    sys.path.insert(0, os.path.join(args.source_dir, "bench", "pipeline"))
    import run_pipeline  # noqa: E402  (the bench script, from the source tree)
    unittest.main(argv=[sys.argv[0]] + rest)
