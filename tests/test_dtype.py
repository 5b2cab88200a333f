"""dtypes, the default dtype and PyTorch's type promotion, against the torch oracle."""
import itertools

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember
from tests.helpers import dtype_name

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def E(n):
    return getattr(ember, n)


def T(n):
    return getattr(torch, n)


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_all_pairs(a, b):
    e = ember.promote_types(E(a), E(b))
    assert dtype_name(e) == dtype_name(torch.promote_types(T(a), T(b)))


def _make(M, name, zero_dim):
    shape = () if zero_dim else (2,)
    return M.ones(shape, dtype=getattr(M, name))


SCALARS = [True, 3, 2.5]


@given(st.sampled_from(NAMES), st.sampled_from(NAMES), st.booleans(), st.booleans())
def test_result_type_tensors(a, b, za, zb):
    e = ember.result_type(_make(ember, a, za), _make(ember, b, zb))
    t = torch.result_type(_make(torch, a, za), _make(torch, b, zb))
    assert dtype_name(e) == dtype_name(t)


@given(st.sampled_from(NAMES), st.booleans(), st.sampled_from(SCALARS))
def test_result_type_scalar(a, za, s):
    e = ember.result_type(_make(ember, a, za), s)
    t = torch.result_type(_make(torch, a, za), s)
    assert dtype_name(e) == dtype_name(t)


@given(st.sampled_from(NAMES), st.sampled_from(NAMES), st.booleans(), st.booleans())
def test_add_result_dtype_and_value(a, b, za, zb):
    if a == "bool" and b == "bool":
        return
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, () if za else (3,)).astype(a)
    y = rng.integers(0, 3, () if zb else (3,)).astype(b)
    te = ember.tensor(x) + ember.tensor(y)
    tt = torch.tensor(x) + torch.tensor(y)
    assert dtype_name(te.dtype) == dtype_name(tt.dtype)
    np.testing.assert_array_equal(te.numpy(), tt.numpy())


def test_default_dtype_roundtrip():
    assert ember.get_default_dtype() is ember.float32
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.tensor([1.5]).dtype is ember.float64
        assert ember.zeros(2).dtype is ember.float64
        assert (ember.tensor([1, 2]) / 2).dtype is ember.float64
        assert ember.tensor([1, 2]).dtype is ember.int64
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.zeros(2).dtype is ember.float32


def test_set_default_dtype_rejects_int():
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)


def test_dtype_properties():
    for n in NAMES:
        e, t = E(n), T(n)
        assert e.is_floating_point == t.is_floating_point
        assert e.is_signed == t.is_signed
        assert e.itemsize == t.itemsize
    assert repr(ember.float32) == "ember.float32"
    assert ember.float is ember.float32 and ember.long is ember.int64
    assert ember.double is ember.float64 and ember.half is ember.float16


def test_finfo_iinfo():
    assert ember.finfo(ember.float32).eps == torch.finfo(torch.float32).eps
    assert ember.finfo(ember.float16).max == torch.finfo(torch.float16).max
    assert ember.iinfo(ember.int32).max == torch.iinfo(torch.int32).max
    assert ember.iinfo(ember.uint8).min == torch.iinfo(torch.uint8).min
    with pytest.raises(TypeError):
        ember.finfo(ember.int32)


def test_can_cast():
    for a, b in itertools.product(NAMES, NAMES):
        assert ember.can_cast(E(a), E(b)) == torch.can_cast(T(a), T(b)), (a, b)
