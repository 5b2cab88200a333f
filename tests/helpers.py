"""Shared test helpers: run the same code on ember and on the torch oracle and compare.

Write a test as a function of the framework module ``M`` (``ember`` or ``torch``)::

    check(lambda M, x, y: M.add(x, y), randn(3, 4), randn(4))

``check`` converts NumPy inputs to tensors of each framework (float inputs require
grad unless ``grad=False``), compares values, dtypes and shapes of every output, then
backpropagates one seeded random upstream gradient and compares the input gradients.
"""
import numpy as np
import pytest
import torch

import ember

_rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float32, seed=None):
    r = np.random.default_rng(seed) if seed is not None else _rng
    return r.standard_normal(shape).astype(dtype)


def rand(*shape, dtype=np.float32, low=0.0, high=1.0, seed=None):
    r = np.random.default_rng(seed) if seed is not None else _rng
    return (low + (high - low) * r.random(shape)).astype(dtype)


def randint(low, high, *shape, dtype=np.int64, seed=None):
    r = np.random.default_rng(seed) if seed is not None else _rng
    return r.integers(low, high, shape).astype(dtype)


def dtype_name(d):
    return str(d).replace("torch.", "").replace("ember.", "")


def to_np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    if isinstance(t, ember.Tensor):
        return np.asarray(t.detach()._data)
    return np.asarray(t)


def _leaves(M, arrays, grad):
    out = []
    for a in arrays:
        if isinstance(a, np.ndarray):
            t = M.from_numpy(a.copy()) if a.ndim else M.tensor(a.item(), dtype=getattr(
                M, dtype_name(a.dtype) if a.dtype != np.bool_ else "bool"))
            if grad and a.dtype.kind == "f":
                t.requires_grad_(True)
            out.append(t)
        else:
            out.append(a)
    return out


def _flat(out):
    if isinstance(out, (ember.Tensor, torch.Tensor)):
        return [out]
    if isinstance(out, (tuple, list)):
        r = []
        for o in out:
            r.extend(_flat(o))
        return r
    return [out]


def assert_same(e, t, rtol=1e-5, atol=1e-6, what="output", check_dtype=True):
    """One ember value against one torch value: type, shape, dtype, numbers."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: expected a Tensor, got {type(e)}"
        assert tuple(e.shape) == tuple(t.shape), \
            f"{what}: shape {tuple(e.shape)} != {tuple(t.shape)}"
        if check_dtype:
            assert dtype_name(e.dtype) == dtype_name(t.dtype), \
                f"{what}: dtype {e.dtype} != {t.dtype}"
        en, tn = to_np(e), to_np(t)
        if tn.dtype.kind == "f":
            np.testing.assert_allclose(en.astype(np.float64), tn.astype(np.float64), rtol=rtol,
                                       atol=atol, equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(en, tn, err_msg=what)
    elif isinstance(t, float):
        assert e == pytest.approx(t, rel=rtol, abs=atol, nan_ok=True), what
    else:
        assert e == t, f"{what}: {e!r} != {t!r}"


def check(fn, *arrays, grad=True, rtol=1e-5, atol=1e-6, grad_rtol=None, grad_atol=None,
          check_dtype=True, seed=1):
    """Run ``fn(M, *tensors)`` on ember and torch and compare outputs and gradients."""
    ins_e = _leaves(ember, arrays, grad)
    ins_t = _leaves(torch, arrays, grad)
    out_e = fn(ember, *ins_e)
    out_t = fn(torch, *ins_t)
    fe, ft = _flat(out_e), _flat(out_t)
    assert len(fe) == len(ft), f"{len(fe)} outputs, torch gives {len(ft)}"
    for i, (e, t) in enumerate(zip(fe, ft)):
        assert_same(e, t, rtol, atol, what=f"output {i}", check_dtype=check_dtype)
    if not grad:
        return out_e, out_t
    # backward with the same random upstream gradient in both
    rng = np.random.default_rng(seed)
    pairs = [(e, t) for e, t in zip(fe, ft)
             if isinstance(t, torch.Tensor) and t.requires_grad and t.dtype.is_floating_point]
    if not pairs:
        return out_e, out_t
    le, lt = 0, 0
    for e, t in pairs:
        go = rng.standard_normal(tuple(t.shape)).astype(to_np(t).dtype)
        le = le + (e * ember.from_numpy(go.copy())).sum()
        lt = lt + (t * torch.from_numpy(go.copy())).sum()
    lt.backward()
    le.backward()
    gr, ga = grad_rtol or max(rtol, 1e-5) * 10, grad_atol or max(atol, 1e-6) * 10
    for i, (e, t) in enumerate(zip(ins_e, ins_t)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert e.grad is None or not np.any(to_np(e.grad)), f"grad {i}: torch has None"
            else:
                assert e.grad is not None, f"grad of input {i} is None, torch has one"
                assert_same(e.grad, t.grad, gr, ga, what=f"grad of input {i}")
    return out_e, out_t


def check_raises(fn, *arrays, match=None):
    """``fn`` must raise on both; ember's exception must be of torch's type."""
    ins_e = _leaves(ember, arrays, False)
    ins_t = _leaves(torch, arrays, False)
    with pytest.raises(Exception) as te:
        fn(torch, *ins_t)
    etype = te.type
    # torch raises subclasses of builtin exceptions (e.g. torch's own RuntimeError
    # subclasses); compare against the builtin base
    for base in (IndexError, TypeError, ValueError, NotImplementedError, RuntimeError,
                 ZeroDivisionError, AssertionError):
        if issubclass(etype, base):
            etype = base
            break
    with pytest.raises(etype, match=match) as ee:
        fn(ember, *ins_e)
    return ee.value, te.value


def gradcheck(fn, *arrays, gradgrad=False, **kw):
    """float64 finite-difference check of ember's gradients for ``fn(ember, *tensors)``."""
    ins = [ember.from_numpy(a.astype(np.float64)).requires_grad_(True)
           if isinstance(a, np.ndarray) and a.dtype.kind == "f" else
           (ember.from_numpy(a) if isinstance(a, np.ndarray) else a) for a in arrays]
    f = lambda *xs: fn(ember, *xs)  # noqa: E731
    assert ember.autograd.gradcheck(f, ins, **kw)
    if gradgrad:
        assert ember.autograd.gradgradcheck(f, ins, **kw)
