"""Timing harness: runs each workload on ember and torch, interleaved, in one process.

For every workload and framework: build the state from identically seeded NumPy data, warm
up, and pick the number of iterations per round so a round takes about ``round_s`` seconds.
Then ``repeat`` rounds alternate the frameworks (the order flips every round to cancel drift).
A round's ratio is ember's time per iteration over torch's in the same round; the reported
ratio is the median of those, which holds up on a noisy machine far better than comparing
times taken minutes apart.
"""

from __future__ import annotations

import importlib
import json
import platform
import statistics
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .workloads import Step, Workload

FRAMEWORKS = ("ember", "torch")


@dataclass
class Result:
    name: str
    target: float
    ops_per_iter: int
    iters: dict[str, int] = field(default_factory=dict)  # iterations per round
    per_iter_s: dict[str, list[float]] = field(default_factory=dict)  # one entry per round
    errors: dict[str, str] = field(default_factory=dict)  # one-line message
    tracebacks: dict[str, str] = field(default_factory=dict)

    def time_per_op(self, fw: str) -> float | None:
        times = self.per_iter_s.get(fw)
        return statistics.median(times) / self.ops_per_iter if times else None

    @property
    def ratio(self) -> float | None:
        e, t = self.per_iter_s.get("ember"), self.per_iter_s.get("torch")
        if not e or not t:
            return None
        return statistics.median(a / b for a, b in zip(e, t))

    @property
    def status(self) -> str:
        if self.errors:
            return "ERROR"
        if self.ratio is None:
            return "-"
        return "PASS" if self.ratio <= self.target else "MISS"

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(
            ratio=self.ratio,
            status=self.status,
            time_per_op_s={fw: self.time_per_op(fw) for fw in self.per_iter_s},
        )
        return d


def _error_line(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    msg = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {msg[0] if msg else ''}{where}"


def load_frameworks(names: list[str], threads: int) -> dict[str, Any]:
    """Import each framework; the value is the module, or the exception its import raised."""
    mods: dict[str, Any] = {}
    for name in names:
        try:
            mod = importlib.import_module(name)
            if threads > 0 and hasattr(mod, "set_num_threads"):
                mod.set_num_threads(threads)
            mods[name] = mod
        except Exception as exc:  # report it and go on without it
            mods[name] = exc
    return mods


def _time(step: Step, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return time.perf_counter() - t0


def _warm_and_calibrate(step: Step, round_s: float) -> int:
    """Warm up for about one round and return the iterations that make a round ~round_s."""
    _time(step, 2)
    n, spent = 1, 0.0
    while True:
        t = _time(step, n)
        spent += t
        if t >= round_s / 5 or n >= 1 << 24:
            n = max(1, round(n * round_s / max(t, 1e-9)))
            if spent < round_s:  # cheap workloads: finish warming up on a full round
                _time(step, n)
            return n
        n *= min(10, max(2, int(round_s / 5 / max(t, 1e-9))))


def run_workload(
    wl: Workload, mods: dict[str, Any], repeat: int, round_s: float, seed: int
) -> Result:
    res = Result(wl.name, wl.target, wl.ops_per_iter)

    def fail(fw: str, exc: BaseException) -> None:
        res.errors[fw] = _error_line(exc)
        res.tracebacks[fw] = "".join(traceback.format_exception(exc))
        res.per_iter_s.pop(fw, None)
        steps.pop(fw, None)

    steps: dict[str, Step] = {}
    for fw, mod in mods.items():
        if isinstance(mod, BaseException):
            fail(fw, mod)
            continue
        try:
            step = wl.build(mod, wl.data(np.random.default_rng(seed)))
            res.iters[fw] = _warm_and_calibrate(step, round_s)
            steps[fw] = step
            res.per_iter_s[fw] = []
        except Exception as exc:
            fail(fw, exc)

    for r in range(repeat):
        order = list(steps) if r % 2 == 0 else list(reversed(steps))
        for fw in order:
            try:
                res.per_iter_s[fw].append(_time(steps[fw], res.iters[fw]) / res.iters[fw])
            except Exception as exc:
                fail(fw, exc)
    return res


def _fmt_time(s: float | None) -> str:
    if s is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s * 1e9:.3g} ns"


_COLS = (
    ("workload", 20),
    ("ember/op", 10),
    ("torch/op", 10),
    ("ember/torch", 11),
    ("target", 8),
    ("status", 6),
)


def _row(cells: tuple[str, ...]) -> str:
    return "  ".join(c.ljust(w) for c, (_, w) in zip(cells, _COLS)).rstrip()


def format_row(res: Result) -> str:
    ratio = res.ratio
    return _row(
        (
            res.name,
            "error" if "ember" in res.errors else _fmt_time(res.time_per_op("ember")),
            "error" if "torch" in res.errors else _fmt_time(res.time_per_op("torch")),
            "-" if ratio is None else f"{ratio:.2f}x",
            f"<={res.target:.2f}x",
            res.status,
        )
    )


def _versions(mods: dict[str, Any]) -> dict[str, str]:
    v = {"python": platform.python_version(), "numpy": np.__version__}
    for fw, mod in mods.items():
        v[fw] = (
            "import failed" if isinstance(mod, BaseException) else getattr(mod, "__version__", "?")
        )
    return v


def run(
    workloads: list[Workload],
    frameworks: list[str],
    *,
    repeat: int = 7,
    round_s: float = 0.1,
    threads: int = 2,
    seed: int = 0,
    show_tracebacks: bool = False,
    json_path: str | None = None,
) -> list[Result]:
    mods = load_frameworks(frameworks, threads)
    meta = {
        "versions": _versions(mods),
        "threads": threads,
        "repeat": repeat,
        "round_s": round_s,
        "seed": seed,
        "machine": platform.platform(),
    }
    print(
        "  ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        f"| threads {threads} | {repeat} rounds of ~{round_s * 1e3:.0f} ms",
    )
    print(_row(tuple(name for name, _ in _COLS)))
    print(_row(tuple("-" * w for _, w in _COLS)))

    results = []
    for wl in workloads:
        res = run_workload(wl, mods, repeat, round_s, seed)
        results.append(res)
        print(format_row(res), flush=True)

    errors = [(r, fw) for r in results for fw in r.errors]
    if errors:
        print("\nerrors:")
        import_failed = {fw for fw, mod in mods.items() if isinstance(mod, BaseException)}
        said: set[str] = set()
        for r, fw in errors:
            if fw in import_failed:  # the same import error on every row: say it once
                if fw in said:
                    continue
                said.add(fw)
                label = "(import)"
            else:
                label = r.name
            print(f"  {label} [{fw}]: {r.errors[fw]}")
            if show_tracebacks:
                print("    " + r.tracebacks[fw].rstrip().replace("\n", "\n    "))

    if json_path:
        with open(json_path, "w") as f:
            json.dump({"meta": meta, "results": [r.to_json() for r in results]}, f, indent=2)
        print(f"\nwrote {json_path}")
    return results
