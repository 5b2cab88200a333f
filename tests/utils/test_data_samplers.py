"""Samplers: coverage of every index, reproducibility with a seed, argument checks as
torch's, DistributedSampler's sharding."""
import collections

import pytest
import torch.utils.data as tdata
from torch.utils.data.distributed import DistributedSampler as TDistributedSampler

import ember
import ember.utils.data as edata
from ember.utils.data.distributed import DistributedSampler


def gen(seed=0):
    return ember.Generator().manual_seed(seed)


def test_sequential():
    s = edata.SequentialSampler(range(4))
    assert list(s) == [0, 1, 2, 3] and len(s) == 4


@pytest.mark.parametrize("n", [1, 7, 32, 100])
def test_random_permutation_each_index_once(n):
    s = edata.RandomSampler(range(n), generator=gen(n))
    a, b = list(s), list(s)
    assert sorted(a) == list(range(n)) and sorted(b) == list(range(n)) and len(s) == n
    if n > 5:
        assert a != b   # the stream moves on between epochs
    assert list(edata.RandomSampler(range(n), generator=gen(n))) == a


def test_random_num_samples_without_replacement():
    s = edata.RandomSampler(range(5), num_samples=12, generator=gen())
    out = list(s)
    assert len(out) == 12 == len(s)
    c = collections.Counter(out)
    assert all(c[i] in (2, 3) for i in range(5))     # two full permutations and a part
    assert sorted(out[:5]) == sorted(out[5:10]) == list(range(5))


@pytest.mark.parametrize("num", [None, 3, 70])
def test_random_with_replacement(num):
    s = edata.RandomSampler(range(10), replacement=True, num_samples=num, generator=gen())
    out = list(s)
    assert len(out) == (num or 10) == len(s) and all(0 <= i < 10 for i in out)
    assert all(type(i) is int for i in out)


def test_random_uses_default_generator():
    ember.manual_seed(7)
    a = list(edata.RandomSampler(range(20)))
    ember.manual_seed(7)
    assert list(edata.RandomSampler(range(20))) == a


def test_random_sampler_sees_dataset_growth():
    data = [0, 1]
    s = edata.RandomSampler(data, generator=gen())
    data.append(2)
    assert sorted(s) == [0, 1, 2] and len(s) == 3


def test_subset_random():
    s = edata.SubsetRandomSampler([10, 20, 30, 40], generator=gen(1))
    out = list(s)
    assert sorted(out) == [10, 20, 30, 40] and len(s) == 4
    assert list(edata.SubsetRandomSampler([10, 20, 30, 40], generator=gen(1))) == out


def test_weighted():
    s = edata.WeightedRandomSampler([0.0, 1.0, 3.0, 0.0], 2000, generator=gen())
    c = collections.Counter(s)
    assert set(c) == {1, 2} and len(s) == 2000
    assert 0.2 < c[1] / 2000 < 0.3
    s = edata.WeightedRandomSampler([1.0, 1.0, 5.0, 1.0], 4, replacement=False, generator=gen())
    assert sorted(s) == [0, 1, 2, 3]
    assert isinstance(s.weights, ember.Tensor) and s.weights.dtype == ember.float64


def test_batch_sampler():
    bs = edata.BatchSampler(edata.SequentialSampler(range(7)), 3, False)
    assert list(bs) == [[0, 1, 2], [3, 4, 5], [6]] and len(bs) == 3
    bs = edata.BatchSampler(range(7), 3, True)
    assert list(bs) == [[0, 1, 2], [3, 4, 5]] and len(bs) == 2
    assert list(edata.BatchSampler(range(6), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert list(edata.BatchSampler([], 3, False)) == []


@pytest.mark.parametrize("make", [
    lambda D: D.RandomSampler(range(3), replacement=1),
    lambda D: D.RandomSampler(range(3), num_samples=0),
    lambda D: D.RandomSampler(range(3), num_samples=2.5),
    lambda D: D.RandomSampler([]),
    lambda D: D.WeightedRandomSampler([1.0], 0),
    lambda D: D.WeightedRandomSampler([1.0], True),
    lambda D: D.WeightedRandomSampler([1.0], 2, replacement=None),
    lambda D: D.WeightedRandomSampler([[1.0, 2.0]], 2),
    lambda D: D.BatchSampler(range(3), 0, False),
    lambda D: D.BatchSampler(range(3), True, False),
    lambda D: D.BatchSampler(range(3), 2, 1),
    lambda D: D.Sampler(range(3)),
], ids=["replacement", "num0", "numfloat", "empty", "w_num0", "w_numbool", "w_repl", "w_2d",
        "bs0", "bsbool", "droplast", "base_arg"])
def test_sampler_errors_match_torch(make):
    with pytest.raises(Exception) as te:
        make(tdata)
    with pytest.raises(Exception) as ee:
        make(edata)
    assert ee.type is te.type
    if ee.type is not TypeError:
        assert str(ee.value) == str(te.value)


# --- DistributedSampler -----------------------------------------------------------------


@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (9, 3, False),
                                                  (2, 4, False), (11, 4, True), (1, 3, False)])
def test_distributed_unshuffled_matches_torch(n, replicas, drop_last):
    for rank in range(replicas):
        e = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        t = TDistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(e) == list(t) and len(e) == len(t)
        assert (e.num_samples, e.total_size) == (t.num_samples, t.total_size)


@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (12, 4, False), (11, 4, True)])
def test_distributed_shuffled_covers_each_index(n, replicas, drop_last):
    shards = [list(DistributedSampler(range(n), replicas, r, seed=5, drop_last=drop_last))
              for r in range(replicas)]
    flat = [i for s in shards for i in s]
    assert len({len(s) for s in shards}) == 1
    if drop_last:
        assert len(set(flat)) == len(flat) == (n // replicas) * replicas
    else:
        assert set(flat) == set(range(n))
        assert len(flat) == -(-n // replicas) * replicas


def test_distributed_epochs_and_seed():
    s = DistributedSampler(range(20), 2, 0, seed=1)
    first = list(s)
    assert list(s) == first
    s.set_epoch(1)
    second = list(s)
    assert second != first and s.epoch == 1
    assert list(DistributedSampler(range(20), 2, 0, seed=1)) == first
    other = DistributedSampler(range(20), 2, 1, seed=1)
    assert set(first).isdisjoint(other)


def test_distributed_errors():
    for r in (-1, 3):
        with pytest.raises(ValueError) as ee:
            DistributedSampler(range(5), num_replicas=3, rank=r)
        with pytest.raises(ValueError) as te:
            TDistributedSampler(range(5), num_replicas=3, rank=r)
        assert str(ee.value) == str(te.value)
    with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
        DistributedSampler(range(5))
    assert edata.DistributedSampler is DistributedSampler


def test_distributed_in_dataloader():
    ds = edata.TensorDataset(ember.arange(10))
    seen = []
    for rank in range(2):
        s = DistributedSampler(ds, num_replicas=2, rank=rank, shuffle=True, seed=3)
        for (b,) in edata.DataLoader(ds, batch_size=3, sampler=s):
            seen += b.tolist()
    assert sorted(seen) == list(range(10))

