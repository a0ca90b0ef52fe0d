"""Longer fuzzing runs than the test suite's: `python tests/fuzz/run.py --examples 5000` runs every
fuzz test with that many random examples (`-k compose` to pick some); a failure prints the smallest
example hypothesis found and the seed to reproduce it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=1000, help="examples per fuzz test")
    parser.add_argument("-k", default=None, help="only the fuzz tests matching this pytest expression")
    parser.add_argument("--seed", default=None, help="hypothesis seed, to replay a run")
    parser.add_argument("--time-bound", type=float, default=None, help="seconds allowed per example")
    args = parser.parse_args()
    os.environ["MLLINT_FUZZ_EXAMPLES"] = str(args.examples)
    os.environ["MLLINT_FUZZ_RANDOM"] = "1"
    if args.time_bound:
        os.environ["MLLINT_FUZZ_TIME_BOUND"] = str(args.time_bound)
    import pytest

    here = Path(__file__).parent
    argv = [str(here / "test_fuzz.py"), "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics"]
    if args.k:
        argv += ["-k", args.k]
    if args.seed:
        argv += [f"--hypothesis-seed={args.seed}"]
    return pytest.main(argv)


if __name__ == "__main__":
    sys.exit(main())
