"""DataLoader with worker processes: every index once, seeding, shared-memory transport,
errors from workers, killed workers, timeouts, early exit, persistent workers, sharded
IterableDatasets, the spawn start method. Every test that starts workers checks that no
child process and no shared-memory file is left behind (the ``no_leaks`` fixture)."""
import collections
import gc
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import ember
import ember.utils.data as edata
from ember.utils.data import _worker
from ember.utils.data.distributed import DistributedSampler
from tests.utils.conftest import children, segments
from tests.utils.test_data_collate import same

pytestmark = [
    pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                       reason="the worker tests use the fork start method"),
    pytest.mark.usefixtures("no_leaks"),
]

FORK = "fork"
ROOT = Path(__file__).resolve().parents[2]


def loader(ds, **kw):
    kw.setdefault("multiprocessing_context", FORK if kw.get("num_workers") else None)
    return edata.DataLoader(ds, **kw)


class Idx(edata.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


class Big(edata.Dataset):
    """Samples of 16 KiB, so that batches go through shared memory."""

    def __init__(self, n, delay=0.0):
        self.n = n
        self.delay = delay

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.delay:
            time.sleep(self.delay)
        return np.full((64, 64), i, np.float32), ember.full((3,), i), os.getpid()


def flat(batches):
    out = []
    for b in batches:
        out += b.tolist() if isinstance(b, ember.Tensor) else [b]
    return out


# --- every index exactly once -------------------------------------------------------------

N = 37


def _make(kind, workers):
    ds = Idx(N)
    g = ember.Generator().manual_seed(3)
    if kind == "sequential":
        return [loader(ds, batch_size=4, num_workers=workers)]
    if kind == "shuffle":
        return [loader(ds, batch_size=5, shuffle=True, generator=g, num_workers=workers)]
    if kind == "subset_random":
        s = edata.SubsetRandomSampler(range(N), generator=g)
        return [loader(ds, batch_size=3, sampler=s, num_workers=workers)]
    if kind == "weighted_no_replacement":
        s = edata.WeightedRandomSampler([1.0] * N, N, replacement=False, generator=g)
        return [loader(ds, batch_size=6, sampler=s, num_workers=workers)]
    if kind == "batch_sampler":
        bs = edata.BatchSampler(edata.RandomSampler(ds, generator=g), 7, False)
        return [loader(ds, batch_sampler=bs, num_workers=workers)]
    if kind == "no_batching":
        return [loader(ds, batch_size=None, shuffle=True, num_workers=workers)]
    if kind == "distributed":
        return [loader(ds, batch_size=4, num_workers=workers,
                       sampler=DistributedSampler(ds, num_replicas=3, rank=r, seed=1))
                for r in range(3)]
    if kind == "out_of_order":
        return [loader(ds, batch_size=2, shuffle=True, num_workers=workers, in_order=False)]
    raise AssertionError(kind)


KINDS = ["sequential", "shuffle", "subset_random", "weighted_no_replacement", "batch_sampler",
         "no_batching", "distributed", "out_of_order"]


@pytest.mark.parametrize("kind,workers", [(k, w) for k in KINDS for w in (0, 1, 2)
                                          if not (k == "out_of_order" and w == 0)])
def test_each_index_once_per_epoch(kind, workers):
    loaders = _make(kind, workers)
    for _epoch in range(2):
        seen = [i for dl in loaders for i in flat(dl)]
        c = collections.Counter(seen)
        if kind == "distributed":     # padded to a multiple of the replicas
            assert set(c) == set(range(N)) and len(seen) == 39
        else:
            assert sorted(seen) == list(range(N)), f"{kind}: {sorted(c.items())}"


@pytest.mark.parametrize("workers", [0, 2])
def test_drop_last_and_order(workers):
    batches = [b.tolist() for b in loader(Idx(10), batch_size=4, drop_last=True,
                                          num_workers=workers)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_same_batches_as_main_process():
    ds = Big(20)
    ref = [b[:2] for b in loader(ds, batch_size=6)]
    got = [b[:2] for b in loader(ds, batch_size=6, num_workers=2)]
    same(got, ref)


# --- shared-memory transport ----------------------------------------------------------------


def test_batches_stay_intact_while_slots_are_reused():
    dl = loader(Big(48), batch_size=4, num_workers=2, prefetch_factor=3)
    kept = [b for _ in range(2) for b in dl]           # two epochs, all batches kept alive
    assert len(kept) == 24
    for k, (x, y, pids) in enumerate(kept):
        first = (k % 12) * 4
        want = np.arange(first, first + 4, dtype=np.float32)
        assert x.shape == (4, 64, 64) and x.dtype == ember.float32
        np.testing.assert_array_equal(x.numpy()[:, 7, 9], want)
        np.testing.assert_array_equal(y.numpy()[:, 0], want)
        assert len(set(pids.tolist())) == 1 and pids.tolist()[0] != os.getpid()
        x.add_(1)    # writable and owned: does not disturb later batches


P = collections.namedtuple("P", "a b")


def test_structures_through_workers():
    class Struct(edata.Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return {"t": ember.arange(2000) + i, "p": P(np.float64(i), f"s{i}"),
                    "l": [i, 2.5], "z": ember.zeros(0, 3)}

    ref = list(loader(Struct(), batch_size=4))
    same(list(loader(Struct(), batch_size=4, num_workers=2)), ref)
    same(list(loader(Struct(), batch_size=None, num_workers=2)),
         list(loader(Struct(), batch_size=None)))


def test_pipe_fallback_when_shared_memory_is_full(monkeypatch, capfd):
    monkeypatch.setattr(_worker, "_create_segment", lambda path, size: None)
    out = list(loader(Big(8), batch_size=4, num_workers=1))
    assert [b[1][:, 0].tolist() for b in out] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert "batches go through a pipe instead" in capfd.readouterr().err


def test_requires_grad_across_processes():
    class Leaf(edata.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return ember.ones(3, requires_grad=True)

    (leaf,) = list(loader(Leaf(), batch_size=None, num_workers=1))[:1]
    assert leaf.requires_grad and leaf.is_leaf
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor"):
        list(loader(Leaf(), batch_size=2, num_workers=1))


# --- seeding ------------------------------------------------------------------------------


class Rand(edata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = edata.get_worker_info()
        return (i, ember.rand(1).item(), random.random(), float(np.random.rand()),
                info.id, info.seed, info.num_workers, ember.initial_seed())


def _rand_epoch(seed, workers=2):
    g = ember.Generator().manual_seed(seed)
    return [tuple(s) for s in loader(Rand(), batch_size=None, shuffle=True, generator=g,
                                     num_workers=workers)]


def test_worker_seeding_reproducible_and_distinct():
    a = _rand_epoch(5)
    assert a == _rand_epoch(5)
    b = _rand_epoch(6)
    assert [s[1:4] for s in a] != [s[1:4] for s in b]
    by_worker = {}
    for s in a:
        by_worker.setdefault(s[4], []).append(s)
    assert set(by_worker) == {0, 1}
    firsts = [by_worker[w][0] for w in (0, 1)]
    for k in (1, 2, 3):                    # each RNG gives each worker its own stream
        assert firsts[0][k] != firsts[1][k]
    seeds = {w: by_worker[w][0][5] for w in (0, 1)}
    assert seeds[1] == seeds[0] + 1
    for s in a:
        assert s[6] == 2 and s[7] == s[5]   # ember's generator is seeded with info.seed
    ember.manual_seed(11)
    c = [tuple(s) for s in loader(Rand(), batch_size=None, num_workers=2,
                                  multiprocessing_context=FORK)]
    ember.manual_seed(11)
    assert c == [tuple(s) for s in loader(Rand(), batch_size=None, num_workers=2,
                                          multiprocessing_context=FORK)]


def test_worker_info():
    assert edata.get_worker_info() is None

    class Info(edata.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            info = edata.get_worker_info()
            try:
                info.id = 7
            except RuntimeError as e:
                err = str(e)
            return info.id, info.num_workers, type(info.dataset).__name__, err, repr(info)

    out = list(loader(Info(), batch_size=None, num_workers=2))
    assert [o[0] for o in out] == [0, 1] and out[0][1] == 2 and out[0][2] == "Info"
    assert out[0][3] == "Cannot assign attributes to WorkerInfo objects"
    assert out[1][4].startswith("WorkerInfo(id=1, num_workers=2, seed=")


def test_worker_init_fn():
    class Offset(edata.Dataset):
        offset = 0

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return i + self.offset

    def init(worker_id):
        edata.get_worker_info().dataset.offset = 100 * (worker_id + 1)

    out = flat(loader(Offset(), batch_size=1, num_workers=2, worker_init_fn=init))
    assert out == [100, 201, 102, 203]

    def bad_init(worker_id):
        raise ValueError(f"init failed in {worker_id}")

    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 0"):
        list(loader(Offset(), num_workers=2, worker_init_fn=bad_init))


# --- errors in workers ----------------------------------------------------------------------


class Failing(edata.Dataset):
    def __init__(self, exc):
        self.exc = exc

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 3:
            raise self.exc
        return i


def test_worker_exception_reraised_with_traceback():
    before = children()
    with pytest.raises(ValueError) as e:
        for _ in loader(Failing(ValueError("bad sample 3")), batch_size=1, num_workers=2):
            pass
    msg = str(e.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 1.\n"
                          "Original Traceback (most recent call last):\n")
    assert "raise self.exc" in msg and msg.rstrip().endswith("ValueError: bad sample 3")
    assert not children() - before   # the loop's iterator is gone already, workers too


class TwoArgError(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


def test_worker_exception_types():
    with pytest.raises(KeyError) as e:
        list(loader(Failing(KeyError("k")), batch_size=2, num_workers=2))
    assert str(e.value).startswith("Caught KeyError in DataLoader worker process 1.\nOriginal")
    with pytest.raises(RuntimeError, match="Caught TwoArgError in DataLoader worker process"):
        list(loader(Failing(TwoArgError(1, 2)), batch_size=2, num_workers=2))


def test_iteration_goes_on_after_a_worker_exception():
    it = iter(loader(Failing(ZeroDivisionError("x")), batch_size=2, num_workers=2))
    got = [next(it).tolist()]
    with pytest.raises(ZeroDivisionError):
        next(it)
    got += [b.tolist() for b in it]
    assert got == [[0, 1], [4, 5], [6, 7]]
    del it


def test_unpicklable_result():
    with pytest.raises(Exception, match="Caught .* in DataLoader worker process 0"):
        list(loader(Idx(2), batch_size=1, num_workers=1, collate_fn=lambda b: lambda: b))


# --- dead workers, timeouts, early exit ----------------------------------------------------


class SelfKill(edata.Dataset):
    def __init__(self, how):
        self.how = how

    def __len__(self):
        return 12

    def __getitem__(self, i):
        if i == 5:
            if self.how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(3)
        return i


@pytest.mark.parametrize("how,what", [("kill", "killed by signal SIGKILL"),
                                      ("exit", "exit code 3")])
def test_worker_death_raises(how, what):
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           rf"unexpectedly \({what}\)"):
        for _ in loader(SelfKill(how), batch_size=2, num_workers=2):
            pass
    assert time.monotonic() - t0 < 5


def test_worker_killed_from_outside_mid_epoch():
    dl = loader(Big(40, delay=0.005), batch_size=2, num_workers=2)
    t0 = time.monotonic()
    seen = 0
    with pytest.raises(RuntimeError) as e:
        for _x, _y, pids in dl:
            if seen == 1:
                os.kill(pids[0].item(), signal.SIGKILL)
                victim = pids[0].item()
            seen += 1
    assert f"DataLoader worker (pid(s) {victim}) exited unexpectedly" in str(e.value)
    assert seen < 20 and time.monotonic() - t0 < 10


class Slow(edata.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i >= 4:
            time.sleep(3)
        return i


def test_timeout():
    t0 = time.monotonic()
    got = []
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.3 seconds$"):
        for b in loader(Slow(), batch_size=2, num_workers=2, timeout=0.3):
            got.append(b.tolist())
    assert got == [[0, 1], [2, 3]]
    assert time.monotonic() - t0 < 2.5   # the stuck workers were stopped, not waited for


def test_timeout_not_hit_by_steady_workers():
    out = [y[:, 0].tolist() for _x, y, _p in loader(Big(16, delay=0.01), batch_size=4,
                                                     num_workers=2, timeout=5)]
    assert out == [[4.0 * k + j for j in range(4)] for k in range(4)]


@pytest.mark.parametrize("how", ["break", "del", "cycle", "exhaust_early"])
def test_early_exit_stops_workers(how):
    dl = loader(Big(64), batch_size=4, num_workers=2, prefetch_factor=4)
    if how == "break":
        for _ in dl:
            break
    elif how == "del":
        it = iter(dl)
        next(it)
        time.sleep(0.2)    # let the workers fill their pipes
        pids = {p.pid for p in it._pool.procs}
        assert pids <= children()
        del it
        assert not pids & children()
    elif how == "cycle":
        it = iter(dl)
        next(it)
        holder = {"it": it}
        holder["self"] = holder
        del it, holder
        gc.collect()
    else:
        it = iter(dl)
        for _ in range(3):
            next(it)
        del it


def test_nested_loops_over_two_loaders():
    a = loader(Idx(6), batch_size=2, num_workers=2)
    b = loader(Big(4), batch_size=2, num_workers=1)
    pairs = [(x.tolist(), y[1][:, 0].tolist()) for x in a for y in b]
    assert len(pairs) == 6 and pairs[0] == ([0, 1], [0.0, 1.0])


# --- persistent workers ----------------------------------------------------------------------


def test_persistent_workers_keep_processes_and_cover_each_epoch():
    dl = loader(Big(24), batch_size=4, shuffle=True, num_workers=2, persistent_workers=True)
    pids = None
    for epoch in range(3):
        seen, epoch_pids = [], set()
        for i, (_x, y, p) in enumerate(dl):
            seen += y[:, 0].tolist()
            epoch_pids |= set(p.tolist())
            if epoch == 1 and i == 2:
                break           # a cut-short epoch: the next one must still be complete
        if epoch != 1:
            assert sorted(seen) == [float(i) for i in range(24)]
        pids = pids or epoch_pids
        assert epoch_pids == pids
    assert dl._iterator is not None and not dl._iterator._shutdown
    del dl


class Stream(edata.IterableDataset):
    def __init__(self, n, shard=True):
        self.n = n
        self.shard = shard

    def __iter__(self):
        info = edata.get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.n))
        per = -(-self.n // info.num_workers)
        start = info.id * per
        return iter(range(start, min(start + per, self.n)))


def test_persistent_workers_iterable_dataset():
    dl = loader(Stream(11), batch_size=3, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert sorted(flat(dl)) == list(range(11))
    del dl


# --- IterableDataset sharding ------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("batch_size", [None, 1, 4])
def test_iterable_sharding_with_worker_info(workers, batch_size):
    dl = loader(Stream(10), batch_size=batch_size, num_workers=workers)
    assert sorted(flat(dl)) == list(range(10))


def test_iterable_without_sharding_repeats_per_worker():
    out = flat(loader(Stream(5, shard=False), batch_size=2, num_workers=2))
    assert sorted(out) == sorted(list(range(5)) * 2)


def test_iterable_drop_last_per_worker():
    out = list(loader(Stream(10), batch_size=4, drop_last=True, num_workers=2))
    assert [b.tolist() for b in out] == [[0, 1, 2, 3], [5, 6, 7, 8]]


def test_worker_number_warning(monkeypatch):
    from ember.utils.data import dataloader
    monkeypatch.setattr(dataloader, "_cpu_count", lambda: 1)
    with pytest.warns(UserWarning, match="This DataLoader will create 2 worker processes in "
                                         "total. Our suggested max number of worker"):
        assert flat(loader(Idx(3), num_workers=2)) == [0, 1, 2]


# --- start methods and a dying main process ------------------------------------------------------


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


SPAWN_SCRIPT = """
import os, numpy as np, ember
from ember.utils.data import DataLoader, Dataset, get_worker_info

class Squares(Dataset):
    def __len__(self):
        return 10
    def __getitem__(self, i):
        return np.full((40, 40), i * i, np.float32), get_worker_info().id

def init(worker_id):
    assert get_worker_info().id == worker_id

if __name__ == "__main__":
    dl = DataLoader(Squares(), batch_size=3, num_workers=2, multiprocessing_context="spawn",
                    worker_init_fn=init)
    total, workers = 0.0, set()
    for x, w in dl:
        total += float(x[:, 0, 0].sum())
        workers |= set(w.tolist())
    left = [n for n in os.listdir("/dev/shm") if n.startswith(f"ember_dl_{os.getpid()}_")]
    print(total, sorted(workers), left)
"""


def test_spawn_start_method_with_main_guard(tmp_path):
    script = tmp_path / "train.py"      # spawn re-imports the main module from its file
    script.write_text(textwrap.dedent(SPAWN_SCRIPT))
    r = subprocess.run([sys.executable, str(script)], env=_env(), capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[0] == f"{float(sum(i * i for i in range(10)))} [0, 1] []"


ORPHAN_SCRIPT = """
import os, sys, time, numpy as np
from ember.utils.data import DataLoader, Dataset

class Big(Dataset):
    def __len__(self):
        return 1000
    def __getitem__(self, i):
        return np.zeros((64, 64), np.float32)

it = iter(DataLoader(Big(), batch_size=8, num_workers=2, multiprocessing_context="fork"))
next(it)
print(" ".join(str(p.pid) for p in it._pool.procs), flush=True)
time.sleep(60)
"""


def _gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:
        return True


def test_workers_exit_and_clean_up_when_main_process_dies():
    p = subprocess.Popen([sys.executable, "-c", textwrap.dedent(ORPHAN_SCRIPT)],
                         env=_env(), stdout=subprocess.PIPE,
                         text=True)
    try:
        pids = [int(x) for x in p.stdout.readline().split()]
        assert len(pids) == 2
        time.sleep(0.1)
        p.kill()
        p.wait()
        deadline = time.monotonic() + 10
        while not all(_gone(q) for q in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(_gone(q) for q in pids)
        assert segments(p.pid) == []
    finally:
        p.kill()
        p.stdout.close()
