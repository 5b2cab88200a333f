"""Command line: ``python -m benchmarks [--filter NAME] [--repeat N] [--only ember|torch] ...``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import __path__ as _pkg_path
from .runner import FRAMEWORKS, run
from .workloads import WORKLOADS as _CORE


def _all_workloads():
    """The core workloads plus every ``benchmarks/<area>_workloads.py`` module's list."""
    found = list(_CORE)
    for m in sorted(pkgutil.iter_modules(_pkg_path), key=lambda m: m.name):
        if m.name.endswith("_workloads"):
            found += importlib.import_module(f"{__package__}.{m.name}").WORKLOADS
    return found


WORKLOADS = _all_workloads()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time the same workloads on ember and torch, interleaved; report ratios.",
    )
    p.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="SUBSTR",
        help="run workloads whose name contains SUBSTR (repeatable)",
    )
    p.add_argument("--only", choices=FRAMEWORKS, help="run one framework only (no ratios)")
    p.add_argument("--repeat", type=int, default=7, help="timed rounds per framework (7)")
    p.add_argument(
        "--round-ms", type=float, default=100.0, help="target duration of one round in ms (100)"
    )
    p.add_argument(
        "--threads",
        type=int,
        default=2,
        help="intra-op threads for each framework, 0 = leave as is (2)",
    )
    p.add_argument("--seed", type=int, default=0, help="NumPy seed for the input data (0)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    p.add_argument("--traceback", action="store_true", help="print full tracebacks of errors")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 if any workload errors or misses its target",
    )
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = p.parse_args(argv)

    workloads = [w for w in WORKLOADS if not args.filter or any(f in w.name for f in args.filter)]
    if args.list:
        for w in workloads:
            print(f"{w.name:20}  target <={w.target:.2f}x  {w.description}")
        return 0
    if not workloads:
        p.error(f"no workload matches {args.filter}; try --list")
    if args.repeat < 1 or args.round_ms <= 0:
        p.error("--repeat must be >= 1 and --round-ms > 0")

    results = run(
        workloads,
        [args.only] if args.only else list(FRAMEWORKS),
        repeat=args.repeat,
        round_s=args.round_ms / 1e3,
        threads=args.threads,
        seed=args.seed,
        show_tracebacks=args.traceback,
        json_path=args.json,
    )
    if args.strict and any(r.status in ("ERROR", "MISS") for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
