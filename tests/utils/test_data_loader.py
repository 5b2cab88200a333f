"""DataLoader in the main process (num_workers=0) and its argument checks, against torch."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from tests.utils.test_data_collate import same


def _data(n=10):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 3)).astype(np.float32), np.arange(n)


def tds(M, D, n=10):
    x, y = _data(n)
    return D.TensorDataset(M.from_numpy(x), M.from_numpy(y))


def run_both(**kw):
    """Unshuffled loaders give the very same batches in ember and torch."""
    e = list(edata.DataLoader(tds(ember, edata), **kw))
    t = list(tdata.DataLoader(tds(torch, tdata), **kw))
    same(e, t)
    return e


@pytest.mark.parametrize("kw", [
    {}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": 10},
    {"batch_size": 20}, {"batch_size": None}, {"batch_size": 4, "sampler": [9, 0, 5, 5, 1]},
    {"batch_sampler": [[1, 2], [0], [9, 8, 7]]}, {"batch_size": 2, "collate_fn": lambda b: b},
    {"batch_size": None, "sampler": [3, 1]},
], ids=["default", "bs3", "droplast", "bs10", "bs20", "nobatch", "sampler", "batch_sampler",
        "identity_collate", "nobatch_sampler"])
def test_batches_match_torch(kw):
    run_both(**kw)


@pytest.mark.parametrize("kw", [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True},
                                {"batch_size": None}, {"batch_sampler": [[0, 1], [2]]}])
def test_len_matches_torch(kw):
    assert len(edata.DataLoader(tds(ember, edata), **kw)) == \
        len(tdata.DataLoader(tds(torch, tdata), **kw))


def test_default_convert_without_batching():
    class D(edata.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.full(2, i), "s"

    out = list(edata.DataLoader(D(), batch_size=None))
    assert isinstance(out[0], list) and out[1][0].tolist() == [1, 1] and out[1][1] == "s"


def test_shuffle_reproducible_with_generator():
    ds = tds(ember, edata, 50)

    def epoch(seed):
        dl = edata.DataLoader(ds, batch_size=7, shuffle=True,
                              generator=ember.Generator().manual_seed(seed))
        return [y.tolist() for _, y in dl]

    a = epoch(1)
    assert a == epoch(1) and a != epoch(2)
    assert sorted(i for b in a for i in b) == list(range(50))
    ember.manual_seed(4)
    b = [y.tolist() for _, y in edata.DataLoader(ds, batch_size=7, shuffle=True)]
    ember.manual_seed(4)
    assert b == [y.tolist() for _, y in edata.DataLoader(ds, batch_size=7, shuffle=True)]


class _Stream(edata.IterableDataset):
    def __init__(self, n, length=None):
        self.n = n
        self.length = length

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n if self.length is None else self.length


class _TStream(tdata.IterableDataset):
    def __init__(self, n, length=None):
        self.n = n
        self.length = length

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n if self.length is None else self.length


@pytest.mark.parametrize("kw", [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True},
                                {"batch_size": None}])
def test_iterable_dataset_matches_torch(kw):
    e = list(edata.DataLoader(_Stream(7), **kw))
    t = list(tdata.DataLoader(_TStream(7), **kw))
    same(e, t)
    assert len(edata.DataLoader(_Stream(7), **kw)) == len(tdata.DataLoader(_TStream(7), **kw))


def test_iterable_dataset_length_warning():
    dl = edata.DataLoader(_Stream(5, length=3), batch_size=None)
    assert len(dl) == 3
    with pytest.warns(UserWarning, match="was reported to be 3"):
        list(dl)


ARG_ERRORS = {
    "num_workers": dict(num_workers=-1),
    "timeout": dict(timeout=-1),
    "prefetch_without_workers": dict(prefetch_factor=2),
    "prefetch_negative": dict(num_workers=1, prefetch_factor=-1),
    "persistent_without_workers": dict(persistent_workers=True),
    "sampler_and_shuffle": dict(sampler=[0, 1], shuffle=True),
    "batch_sampler_and_batch_size": dict(batch_sampler=[[0]], batch_size=2),
    "batch_sampler_and_shuffle": dict(batch_sampler=[[0]], shuffle=True),
    "batch_sampler_and_drop_last": dict(batch_sampler=[[0]], drop_last=True),
    "no_batch_and_drop_last": dict(batch_size=None, drop_last=True),
    "context_without_workers": dict(multiprocessing_context="fork"),
    "context_unknown": dict(num_workers=1, multiprocessing_context="thread"),
    "context_type": dict(num_workers=1, multiprocessing_context=3),
    "batch_size_zero": dict(batch_size=0),
}


@pytest.mark.parametrize("case", list(ARG_ERRORS), ids=list(ARG_ERRORS))
def test_argument_errors_match_torch(case):
    kw = ARG_ERRORS[case]
    with pytest.raises(Exception) as te:
        tdata.DataLoader(tds(torch, tdata), **kw)
    with pytest.raises(Exception) as ee:
        edata.DataLoader(tds(ember, edata), **kw)
    assert ee.type is te.type
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("kw", [dict(shuffle=True), dict(sampler=[0]),
                                dict(batch_sampler=[[0]])])
def test_iterable_dataset_argument_errors(kw):
    with pytest.raises(ValueError) as te:
        tdata.DataLoader(_TStream(3), **kw)
    with pytest.raises(ValueError) as ee:
        edata.DataLoader(_Stream(3), **kw)
    assert str(ee.value) == str(te.value)


def test_attributes_frozen_after_init():
    dl = edata.DataLoader(tds(ember, edata), batch_size=2)
    for attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                 "persistent_workers"):
        with pytest.raises(ValueError, match=f"{attr} attribute should not be set after "
                                             "DataLoader is initialized"):
            setattr(dl, attr, None)
    dl.num_workers = 0        # others may change
    assert dl.collate_fn is edata.default_collate
    assert dl.prefetch_factor is None and dl.multiprocessing_context is None


def test_context_object_accepted():
    import multiprocessing
    ctx = multiprocessing.get_context("spawn")
    dl = edata.DataLoader([1], num_workers=1, multiprocessing_context=ctx)
    assert dl.multiprocessing_context is ctx
    dl = edata.DataLoader([1], num_workers=1, multiprocessing_context="fork")
    assert dl.multiprocessing_context.get_start_method() == "fork"
    assert dl.prefetch_factor == 2


def test_pin_memory_accepted():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        out = list(edata.DataLoader(tds(ember, edata), batch_size=4, pin_memory=True))
    assert len(out) == 3


def test_timeout_needs_workers_like_torch():
    with pytest.raises(AssertionError):
        list(tdata.DataLoader([1, 2], timeout=1))
    with pytest.raises(AssertionError):
        list(edata.DataLoader([1, 2], timeout=1))


def test_exception_in_main_process_keeps_traceback():
    class Bad(edata.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            if i == 2:
                raise KeyError(i)
            return i

    with pytest.raises(KeyError):
        list(edata.DataLoader(Bad(), batch_size=1))


def test_getitems_used_when_present():
    calls = []

    class Batched(edata.Dataset):
        def __len__(self):
            return 5

        def __getitems__(self, idx):
            calls.append(list(idx))
            return [i * 10 for i in idx]

    assert [b.tolist() for b in edata.DataLoader(Batched(), batch_size=2)] == \
        [[0, 10], [20, 30], [40]]
    assert calls == [[0, 1], [2, 3], [4]]


def test_iterator_not_picklable():
    import pickle
    with pytest.raises(NotImplementedError, match="cannot be pickled"):
        pickle.dumps(iter(edata.DataLoader([1, 2])))


def test_len_of_iterator_and_warnings_quiet():
    dl = edata.DataLoader(tds(ember, edata), batch_size=4)
    it = iter(dl)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(it) == 3 and len(list(it)) == 3


def test_prefetch_factor_zero_like_torch():
    with pytest.raises(AssertionError, match="prefetch_factor must be greater than 0"):
        iter(edata.DataLoader([1], num_workers=1, prefetch_factor=0))


def test_torch_module_paths():
    from ember.utils.data import dataloader, dataset, sampler
    from ember.utils.data._utils import collate, worker
    assert collate.default_collate is edata.default_collate
    assert collate.default_collate_fn_map[ember.Tensor] is collate.collate_tensor_fn
    assert worker.get_worker_info is edata.get_worker_info
    assert dataloader.DataLoader is edata.DataLoader and dataset.Subset is edata.Subset
    assert sampler.BatchSampler is edata.BatchSampler
