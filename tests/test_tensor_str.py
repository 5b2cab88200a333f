"""Printing parity: ``repr(ember_tensor)`` must equal torch's repr with ``torch.`` -> ``ember.``.

Every test builds the same NumPy data in both frameworks and compares the full text.
Print options are changed through ``opts(...)``, which sets them in both frameworks and
restores the defaults afterwards (also when the test fails).
"""
import contextlib
import time

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember
from ember import _tensor_str as S

NAN, INF = float("nan"), float("inf")
F16, F32, F64 = np.float16, np.float32, np.float64
ALL_NP = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, F16, F32, F64]
DEFAULTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


@contextlib.contextmanager
def opts(**kw):
    torch.set_printoptions(**kw)
    S.set_printoptions(**kw)
    try:
        yield
    finally:
        torch.set_printoptions(profile="default")
        S.set_printoptions(profile="default")


@contextlib.contextmanager
def default_dtype(name):
    torch.set_default_dtype(getattr(torch, name))
    ember.set_default_dtype(getattr(ember, name))
    try:
        yield
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)


def pair(arr, requires_grad=False):
    arr = np.asarray(arr)
    t = torch.from_numpy(arr.copy())
    e = ember.from_numpy(arr.copy())
    if requires_grad:
        t.requires_grad_(True)
        e.requires_grad_(True)
    return e, t


def expected(t):
    return repr(t).replace("torch.", "ember.")


def same(arr, requires_grad=False, fn=None):
    """Assert that ember prints ``fn(tensor(arr))`` exactly as torch does."""
    e, t = pair(arr, requires_grad)
    if fn is not None:
        e, t = fn(e), fn(t)
    want = expected(t)
    got = repr(e)
    assert got == want, f"\nember:\n{got}\ntorch:\n{want}"
    assert str(e) == got


def arr(values, dtype=F32):
    with np.errstate(all="ignore"):
        return np.array(values, dtype=np.float64).astype(dtype)


# ---- hand-picked cases ---------------------------------------------------------------------

CASES = {
    "int_valued": arr([1.0, 2.0, 3.0]),
    "fixed": arr([1.5, 2.0]),
    "tiny": arr([1e-5, 1.0]),
    "max_1e8": arr([1e8, 1.0]),
    "exactly_1e8": arr([1e8]),
    "above_1e8": arr([1.1e8]),
    "float32_1e-4": arr([1e-4]),
    "float64_1e-4": arr([1e-4, 0.1], F64),
    "ratio_1000": arr([1.0, 1000.0]),
    "ratio_1001": arr([1.0, 1001.0]),
    "ratio_1000_frac": arr([0.5, 500.0]),
    "ratio_above_frac": arr([0.5, 500.01]),
    "nan_int": arr([1.0, NAN]),
    "nan_inf_fixed": arr([1.5, INF, -INF, NAN]),
    "nan_inf_int": arr([3.0, INF, -INF, NAN]),
    "nan_inf_sci": arr([1e-5, NAN, -INF]),
    "neg_zero": arr([-0.0, 0.0]),
    "neg_zero_wide": arr([-0.0, 100.0]),
    "neg_zero_sci": arr([-0.0, 1e-5]),
    "neg_zero_fixed": arr([-0.0, -10.0, 100.5]),
    "zeros": arr([0.0, 0.0]),
    "only_nan": arr([NAN]),
    "only_inf": arr([NAN, -INF]),
    "negatives": arr([-1.0, 10.0, -0.25]),
    "huge_range": arr([1e300, 1e-300], F64),
    "neg_tiny": arr([-1e-5, 3.0], F64),
    "large_fixed_int": arr([123456.0, 1.0]),
    "large_fixed": arr([123456.5, 1.0]),
    "rounding": arr([0.00015, 0.1, 2.99995]),
    "f16": arr([0.1, 0.3], F16),
    "f16_range": arr([1e-5, 65504.0], F16),
    "f16_overflow": arr([1e5, -1e5, 1.0], F16),
    "bool": np.array([True, False]),
    "bool_2d": np.array([[True, False], [False, True]]),
    "ints": np.array([1, 2, -300]),
    "int_min": np.array([-9223372036854775808, 5]),
    "uint8": np.array([0, 255, 7], np.uint8),
    "int8": np.array([-128, 127], np.int8),
    "int16": np.arange(11, dtype=np.int16) * 1000,
    "int32": np.array([1, 2], np.int32),
    "scalar_float": np.array(3.5, F32),
    "scalar_int": np.array(3),
    "scalar_bool": np.array(True),
    "scalar_neg_zero": np.array(-0.0, F32),
    "scalar_tiny": np.array(1e-9, F32),
    "scalar_nan": np.array(NAN, F64),
    "scalar_u8": np.array(2, np.uint8),
    "empty": np.zeros(0, F32),
    "empty_f64": np.zeros(0, F64),
    "empty_i64": np.zeros(0, np.int64),
    "empty_bool": np.zeros(0, np.bool_),
    "empty_2d": np.zeros((0, 3), F32),
    "empty_2d_i64": np.zeros((0, 3), np.int64),
    "empty_1x0": np.zeros((1, 0), F32),
    "empty_3d_i32": np.zeros((2, 0, 3), np.int32),
    "2d_int": np.array([[1, 2], [3, 4]]),
    "3d": np.arange(24.0, dtype=F32).reshape(2, 3, 4),
    "4d": np.arange(48.0, dtype=F32).reshape(2, 2, 3, 4),
    "wrap_1d": np.arange(30.0, dtype=F32) * 1.5,
    "wrap_2d": np.arange(30.0).reshape(3, 10) * 1.5 + 10,
    "wrap_3d": np.arange(60.0).reshape(2, 3, 10) * 1.5 + 10,
    "wrap_int": np.arange(40) * 1234567,
    "wrap_bool": np.arange(60).reshape(2, 30) % 3 == 0,
    "wrap_sci": np.logspace(-6, 6, 25).astype(F32),
    "random_3d": np.round(np.random.default_rng(0).standard_normal((3, 4, 5)) * 8) / 8,
    "random_f64": np.random.default_rng(1).standard_normal((4, 5)),
    "nan_wrap": arr([1.0, NAN] * 20),
    "neg_zero_wrap": arr([-0.0] * 30),
    "zeros_wrap": np.zeros(40, F32),
    "inf_wrap": arr([-INF] * 30),
    "single": np.array([[[7.25]]], F32),
    "noncontiguous": np.arange(12.0, dtype=F32).reshape(3, 4).T,
}


@pytest.mark.parametrize("name", list(CASES))
def test_cases(name):
    same(CASES[name])


@pytest.mark.parametrize("name", [k for k, v in CASES.items() if v.dtype.kind == "f"])
def test_cases_requires_grad(name):
    same(CASES[name], requires_grad=True)
    same(CASES[name], requires_grad=True, fn=lambda x: x * 2)


@pytest.mark.parametrize("dtype", ALL_NP, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(), (0,), (1,), (5,), (2, 3), (2, 0), (3, 1, 2), (2, 2, 2, 2)])
def test_dtypes_and_shapes(dtype, shape):
    a = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    if np.dtype(dtype).kind == "f":
        a = a * 1.25 - 2
    same(np.asarray(a).astype(dtype))


# ---- summarisation -------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1001,), (2000,), (40, 40), (3, 400), (400, 3), (11, 11, 11),
                                   (2, 3, 200), (4, 20, 20, 20), (6, 6, 6, 6), (1, 1001),
                                   (7, 7, 7, 7)])
@pytest.mark.parametrize("dtype", [F32, F64, np.int64, np.int32, np.bool_, F16],
                         ids=lambda d: np.dtype(d).name)
def test_summarised(shape, dtype):
    n = int(np.prod(shape))
    a = (np.arange(n, dtype=np.int64) % 977).reshape(shape)
    if np.dtype(dtype).kind == "f":
        a = a * 0.75
    same(a.astype(dtype))


def test_summarised_hidden_values_do_not_change_the_format():
    a = np.zeros(2000, F32)
    a[1000] = 12345.5
    same(a)
    a[1000] = NAN
    same(a)


def test_summarised_sci_and_grad():
    same(np.arange(2000.0, dtype=F32), requires_grad=True, fn=lambda x: x * 2)
    same(np.zeros((1000, 1000), F32))


def test_large_tensor_is_summarised_before_formatting(monkeypatch):
    big = ember.from_numpy(np.random.default_rng(0).standard_normal((1000, 1000)).astype(F32))
    sizes = []
    real = S._strings

    def spy(a):
        sizes.append(a.size)
        return real(a)

    monkeypatch.setattr(S, "_strings", spy)
    repr(big)
    assert sizes == [36]
    monkeypatch.undo()
    t0 = time.perf_counter()
    for _ in range(10):
        repr(big)
    assert (time.perf_counter() - t0) / 10 < 0.05
    huge = ember.zeros(10_000_000)
    t0 = time.perf_counter()
    assert repr(huge).startswith("tensor([0., 0., 0.,  ..., 0., 0., 0.])")
    assert time.perf_counter() - t0 < 0.5


# ---- autograd suffixes ---------------------------------------------------------------------

OPS = {
    "mul": lambda x: x * 2,
    "rmul": lambda x: 2 * x,
    "mul_self": lambda x: x * x,
    "add": lambda x: x + 1,
    "sub": lambda x: x - 1,
    "div": lambda x: x / 2,
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: (x * x + 1).log(),
    "relu": lambda x: x.relu(),
    "sum": lambda x: x.sum(),
    "reshape": lambda x: x.reshape(-1),
    "permute": lambda x: x.permute(1, 0),
    "transpose": lambda x: x.transpose(0, 1),
    "expand": lambda x: x.reshape(1, 2, 3).expand(2, 2, 3),
}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_grad_fn(op, dtype):
    a = np.array([[0.5, -1.0, 2.0], [3.0, -0.25, 1.5]], dtype)
    same(a, requires_grad=True, fn=OPS[op])


def test_grad_fn_names_match():
    for f in OPS.values():
        e, t = pair(np.ones((2, 3), F32), requires_grad=True)
        assert f(e).grad_fn.name() == f(t).grad_fn.name()


def test_no_grad_suffix_for_detached_and_int():
    e, t = pair(np.ones(3, F32), requires_grad=True)
    assert repr(e.detach()) == expected(t.detach())
    same(np.array(0.5, F64), requires_grad=True)
    same(np.array(0.5, F64), requires_grad=True, fn=lambda x: x * 3)


@pytest.mark.parametrize("lw", range(20, 90))
def test_suffix_wrapping(lw):
    with opts(linewidth=lw):
        same(np.array([1.5]), requires_grad=True)
        same(np.array([1, 2, 3], np.int32))
        same(np.arange(40.0), requires_grad=True, fn=lambda x: x * 2)
        same(np.arange(15, dtype=F16), requires_grad=True, fn=lambda x: x * 2)
        same(np.arange(15.0).reshape(3, 5) * 1000.5, requires_grad=True, fn=lambda x: x * 2)
        same(np.zeros((0, 3), np.int16))


class _EmberSub(ember.Tensor):
    pass


class _TorchSub(torch.Tensor):
    pass


class LongName(ember.Tensor):
    pass


class _TorchLongName(torch.Tensor):
    pass


_TorchLongName.__name__ = "LongName"
_EmberSub.__name__ = _TorchSub.__name__ = "M"


@pytest.mark.parametrize("lw", [30, 45, 60, 80])
@pytest.mark.parametrize("pair_cls", [(_EmberSub, _TorchSub), (LongName, _TorchLongName)],
                         ids=["M", "LongName"])
def test_subclass_prefix(lw, pair_cls):
    ecls, tcls = pair_cls
    for a in [np.arange(40.0), np.arange(12.0).reshape(2, 2, 3), np.array(2.5)]:
        with opts(linewidth=lw):
            e = ecls(ember.from_numpy(a.copy()))
            t = torch.from_numpy(a.copy()).as_subclass(tcls)
            assert repr(e) == expected(t)
            e.requires_grad_(True)
            t.requires_grad_(True)
            assert repr(e) == expected(t)


def test_print_and_str(capsys):
    e, t = pair(np.arange(6.0, dtype=F32).reshape(2, 3), requires_grad=True)
    print(e)
    print(e * 2)
    assert str(e) == repr(e)
    assert capsys.readouterr().out == (expected(t) + "\n" + expected(t * 2) + "\n")
    assert f"{e}" == repr(e)


# ---- default dtype -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["float64", "float16"])
def test_default_dtype_changes_dtype_suffix(name):
    with default_dtype(name):
        for a in [np.zeros(2, F32), np.zeros(2, F64), np.zeros(2, F16), np.zeros(0, F64),
                  np.zeros(0, F32), np.zeros((0, 2), F16), np.array([1, 2]), np.array(True)]:
            same(a)


# ---- print options -------------------------------------------------------------------------

OPTION_SETS = [
    dict(precision=2), dict(precision=0), dict(precision=8), dict(linewidth=30),
    dict(linewidth=5), dict(linewidth=120), dict(sci_mode=True), dict(sci_mode=False),
    dict(edgeitems=0), dict(edgeitems=1, threshold=3), dict(edgeitems=5), dict(threshold=0),
    dict(threshold=10), dict(profile="short"), dict(profile="full"),
    dict(profile="short", precision=6), dict(profile="bogus"),
    dict(sci_mode=True, precision=1), dict(edgeitems=0, threshold=0),
]
OPTION_DATA = [
    np.arange(20.0, dtype=F32) + 0.5, arr([1e-8, 1e10]), arr([1e20, 1e-20]),
    arr([1.0, 1e10]), np.arange(2000, dtype=np.int32), np.arange(2000),
    np.arange(2000.0, dtype=F32).reshape(2, 1000), np.array(3.5, F32), np.array([3.5], F32),
    np.array([1, 2, 3]), np.zeros((0, 3), F32), np.zeros(0), np.array(3), np.array(True),
    np.array([1.5], F64), arr([NAN, INF]), arr([1.0, -INF]), arr([-1.0, NAN, 0.0]),
    arr([-0.0, 1.0]), arr([1.5, 2.25, -3.5]), np.arange(12.0).reshape(3, 4),
    np.arange(8.0).reshape(2, 2, 2), np.arange(64, dtype=np.int16).reshape(4, 4, 4),
    np.random.default_rng(2).standard_normal((5, 6)).astype(F32), np.zeros(2000, np.bool_),
    np.zeros(3, F32), arr([-0.0, 0.0]),
]


def _ids(d):
    return ",".join(f"{k}={v}" for k, v in d.items())


@pytest.mark.parametrize("kw", OPTION_SETS, ids=_ids)
def test_options(kw):
    with opts(**kw):
        for a in OPTION_DATA:
            same(a)
            if a.dtype.kind == "f":
                same(a, requires_grad=True, fn=lambda x: x * 2)


def test_get_printoptions_matches_torch():
    assert S.get_printoptions() == DEFAULTS
    for kw in OPTION_SETS:
        with opts(**kw):
            assert S.get_printoptions() == torch._tensor_str.get_printoptions()
    assert S.get_printoptions() == DEFAULTS


def test_sci_mode_resets_when_not_passed():
    with opts(sci_mode=True):
        same(arr([1.0, 2.0]))
        torch.set_printoptions(precision=2)
        S.set_printoptions(precision=2)
        assert S.get_printoptions()["sci_mode"] is None
        assert S.get_printoptions()["precision"] == 2
        same(arr([1.0, 2.0]))


def test_profile_then_override():
    with opts(profile="short", edgeitems=4, linewidth=50):
        assert S.get_printoptions() == dict(precision=2, threshold=1000, edgeitems=4,
                                            linewidth=50, sci_mode=None)
        same(np.arange(3000.0).reshape(3, 1000) / 7)


def test_printoptions_context_manager():
    with S.printoptions(precision=1, sci_mode=True):
        assert S.get_printoptions()["precision"] == 1
        assert S.get_printoptions()["sci_mode"] is True
    assert S.get_printoptions() == DEFAULTS


def test_exports():
    assert set(S.__all__) == {"set_printoptions", "get_printoptions"}


# ---- hypothesis ----------------------------------------------------------------------------

_specials = st.sampled_from([0.0, -0.0, NAN, INF, -INF, 1e-5, 1e-4, 1e8, 1.5e8, 1000.0, 0.5])
_values = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False),
    st.integers(-2000, 2000).map(float),
    st.floats(1e-12, 1e-3).flatmap(lambda v: st.sampled_from([v, -v])),
    st.floats(1e5, 1e15).flatmap(lambda v: st.sampled_from([v, -v])),
    _specials,
)
_shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)


@given(shape=_shapes, dtype=st.sampled_from([F16, F32, F64]), data=st.data(),
       grad=st.booleans())
def test_hypothesis_floats(shape, dtype, data, grad):
    n = int(np.prod(shape))
    vals = data.draw(st.lists(_values, min_size=n, max_size=n))
    a = arr(vals, dtype).reshape(shape)
    same(a, requires_grad=grad and n > 0)


@given(shape=_shapes, dtype=st.sampled_from([np.uint8, np.int8, np.int16, np.int32, np.int64,
                                             np.bool_]), data=st.data())
def test_hypothesis_ints(shape, dtype, data):
    n = int(np.prod(shape))
    info = np.iinfo(dtype) if dtype is not np.bool_ else None
    lo, hi = (0, 1) if info is None else (int(info.min), int(info.max))
    vals = data.draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))
    same(np.array(vals, dtype=np.int64 if info is None else dtype).astype(dtype).reshape(shape))


@given(shape=st.lists(st.integers(1, 14), min_size=1, max_size=4).map(tuple),
       dtype=st.sampled_from([F32, F64, np.int64, np.int32]),
       precision=st.integers(0, 6), threshold=st.integers(0, 200), edgeitems=st.integers(0, 4),
       linewidth=st.integers(10, 120), sci_mode=st.sampled_from([None, True, False]),
       scale=st.sampled_from([1e-6, 1e-2, 1.0, 1e3, 1e9]), grad=st.booleans())
def test_hypothesis_options(shape, dtype, precision, threshold, edgeitems, linewidth, sci_mode,
                            scale, grad):
    n = int(np.prod(shape))
    a = (np.arange(n) - n // 3).reshape(shape)
    if np.dtype(dtype).kind == "f":
        a = a * scale
    a = a.astype(dtype)
    with opts(precision=precision, threshold=threshold, edgeitems=edgeitems,
              linewidth=linewidth, sci_mode=sci_mode):
        same(a, requires_grad=grad and a.dtype.kind == "f")
