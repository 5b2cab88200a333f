"""ember vs torch benchmarks: the same workload code timed on both, interleaved, in one run.

Run ``python -m benchmarks --help`` from the repository root; see ``benchmarks/README.md``.
"""
