"""Datasets and random_split, against torch.utils.data on the same data."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from tests.utils.test_data_collate import same


def _x(n=6, d=3, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


def both(fn):
    """fn(M, data_module) on ember and on torch; compare the results."""
    e = fn(ember, edata)
    t = fn(torch, tdata)
    same(e, t)
    return e


def raises_like_torch(fn, match_message=True):
    with pytest.raises(Exception) as te:
        fn(torch, tdata)
    with pytest.raises(Exception) as ee:
        fn(ember, edata)
    assert ee.type is te.type, f"{ee.type.__name__}({ee.value}) vs {te.type.__name__}"
    if match_message:
        assert str(ee.value) == str(te.value)


# --- TensorDataset ---------------------------------------------------------------------


def test_tensor_dataset_items():
    x, y = _x(), np.arange(6)
    both(lambda M, D: [D.TensorDataset(M.from_numpy(x), M.from_numpy(y))[i] for i in (0, 5, -1)])
    both(lambda M, D: len(D.TensorDataset(M.from_numpy(x))))
    both(lambda M, D: D.TensorDataset(M.from_numpy(x))[1:3])


def test_tensor_dataset_errors():
    raises_like_torch(lambda M, D: D.TensorDataset(M.zeros(3), M.zeros(4)))
    raises_like_torch(lambda M, D: D.TensorDataset(M.zeros(3))[3], match_message=False)


def test_tensor_dataset_getitems_matches_getitem():
    x, y = _x(8), np.arange(8)
    ds = edata.TensorDataset(ember.from_numpy(x), ember.from_numpy(y))
    idx = [3, 0, -1, 3]
    got = ds.__getitems__(idx)
    want = [ds[i] for i in idx]
    assert type(got[0]) is tuple and len(got) == len(want)
    for a, b in zip(got, want):
        same(a, b)
    same(edata.default_collate(got), edata.default_collate(list(want)))
    tds = tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    same(edata.default_collate(got), tdata.default_collate([tds[i] for i in idx]))


def test_tensor_dataset_getitems_rows_are_views():
    base = ember.zeros(4, 2)
    ds = edata.TensorDataset(base)
    batch = ds.__getitems__([1, 2])
    batch[0][0].add_(1)              # in place through a sample, as through base[1]
    assert base[1].tolist() == [1.0, 1.0]
    assert edata.default_collate(batch)[0].tolist() == [[1.0, 1.0], [0.0, 0.0]]


def test_tensor_dataset_getitems_edited_batch():
    ds = edata.TensorDataset(ember.arange(5))
    batch = ds.__getitems__([0, 1, 2])
    batch.pop()
    batch.append((ember.tensor(9),))
    assert edata.default_collate(batch)[0].tolist() == [0, 1, 9]


def test_tensor_dataset_getitems_fallbacks():
    ds = edata.TensorDataset(ember.arange(5))
    with pytest.raises(IndexError):
        ds.__getitems__([0, 5])
    out = ds.__getitems__([ember.tensor(1), np.int64(2)])
    assert [s[0].item() for s in out] == [1, 2]

    class Doubled(edata.TensorDataset):
        def __getitem__(self, i):
            return tuple(t[i] * 2 for t in self.tensors)

    assert edata.default_collate(Doubled(ember.arange(3)).__getitems__([2]))[0].tolist() == [4]
    g = ember.ones(3, requires_grad=True)
    b = edata.default_collate(edata.TensorDataset(g).__getitems__([0, 1]))
    assert b[0].grad_fn is not None


# --- StackDataset, ConcatDataset, ChainDataset, Subset -----------------------------------


def test_stack_dataset():
    both(lambda M, D: D.StackDataset([1, 2], ["a", "b"])[1])
    both(lambda M, D: D.StackDataset(x=[1, 2], y=["a", "b"])[0])
    both(lambda M, D: D.StackDataset([1, 2], D.TensorDataset(M.arange(2))).__getitems__([1, 0]))
    both(lambda M, D: D.StackDataset(a=[1, 2], b=D.TensorDataset(M.arange(2)))
         .__getitems__([1]))
    both(lambda M, D: len(D.StackDataset([1, 2, 3])))
    raises_like_torch(lambda M, D: D.StackDataset([1], b=[2]))
    raises_like_torch(lambda M, D: D.StackDataset([1], [2, 3]))
    raises_like_torch(lambda M, D: D.StackDataset(a=[1], b=[2, 3]))
    raises_like_torch(lambda M, D: D.StackDataset())


def test_concat_dataset():
    both(lambda M, D: [D.ConcatDataset([[1, 2], [3], [4, 5]])[i] for i in range(-5, 5)])
    both(lambda M, D: (len(D.ConcatDataset([[1, 2], [], [3]])),
                       D.ConcatDataset([[1, 2], [], [3]]).cumulative_sizes))
    both(lambda M, D: (D.TensorDataset(M.arange(2)) + D.TensorDataset(M.arange(3)))[3])
    raises_like_torch(lambda M, D: D.ConcatDataset([[1, 2]])[-3])
    raises_like_torch(lambda M, D: D.ConcatDataset([[1, 2]])[2])
    raises_like_torch(lambda M, D: D.ConcatDataset([]))

    class It(tdata.IterableDataset):
        def __iter__(self):
            return iter([])

    class EIt(edata.IterableDataset):
        def __iter__(self):
            return iter([])

    raises_like_torch(lambda M, D: D.ConcatDataset([[1], It() if M is torch else EIt()]))


class _Count(edata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_chain_dataset():
    ds = edata.ChainDataset([_Count(2), _Count(3)])
    assert list(ds) == [0, 1, 0, 1, 2] and len(ds) == 5
    assert list(_Count(1) + _Count(2)) == [0, 0, 1]
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(edata.ChainDataset([[1, 2]]))
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        len(edata.ChainDataset([[1, 2]]))


def test_subset():
    both(lambda M, D: [D.Subset([10, 11, 12, 13], [3, 1])[i] for i in (0, 1, -1)])
    both(lambda M, D: len(D.Subset([10, 11, 12], [2])))
    both(lambda M, D: D.Subset(D.TensorDataset(M.arange(5)), [4, 0, 2]).__getitems__([2, 0]))
    both(lambda M, D: D.Subset([10, 11, 12], [2, 0]).__getitems__([1, 0]))

    class Listy(edata.Dataset):
        def __getitem__(self, i):
            return ("list", i) if isinstance(i, list) else i

    assert edata.Subset(Listy(), [5, 6])[[1, 0]] == ("list", [6, 5])

    class Bad(edata.Subset):
        def __getitem__(self, i):
            return 0

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Bad([1], [0])


def test_base_classes():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        edata.Dataset()[0]
    assert isinstance(edata.TensorDataset(ember.zeros(1)) + edata.TensorDataset(ember.zeros(2)),
                      edata.ConcatDataset)
    assert isinstance(_Count(1) + _Count(1), edata.ChainDataset)
    edata.Dataset[int]   # generic, like torch's
    edata.Sampler[int]


# --- random_split -----------------------------------------------------------------------


def test_random_split_lengths():
    g = ember.Generator().manual_seed(3)
    parts = edata.random_split(range(10), [3, 7], generator=g)
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(i for p in parts for i in p) == list(range(10))
    again = edata.random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(3))
    assert [list(p) for p in parts] == [list(p) for p in again]
    ember.manual_seed(1)
    a = [list(p) for p in edata.random_split(range(10), [5, 5])]
    ember.manual_seed(1)
    assert a == [list(p) for p in edata.random_split(range(10), [5, 5])]


@pytest.mark.parametrize("n,fracs", [(10, [0.7, 0.3]), (11, [0.5, 0.5]), (7, [0.3, 0.3, 0.4]),
                                     (5, [0.1, 0.9]), (3, [1.0])])
def test_random_split_fractions_match_torch_lengths(n, fracs):
    with warnings.catch_warnings(record=True) as ew:
        warnings.simplefilter("always")
        e = [len(p) for p in edata.random_split(range(n), fracs)]
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        t = [len(p) for p in tdata.random_split(range(n), fracs)]
    assert e == t
    assert [str(w.message) for w in ew] == [str(w.message) for w in tw]


def test_random_split_errors():
    raises_like_torch(lambda M, D: D.random_split(range(10), [3, 6]))
    raises_like_torch(lambda M, D: D.random_split(range(10), [1.2, -0.2]))
    raises_like_torch(lambda M, D: D.random_split(range(10), [0.5, 0.6]))
