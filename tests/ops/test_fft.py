"""``ember.fft`` against ``torch.fft``: values, dtypes, shapes, gradients (through real
losses of complex results), finite-difference checks, errors, and the helpers
(fftfreq, rfftfreq, fftshift, ifftshift)."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from tests.helpers import check, check_raises, dtype_name, gradcheck, randn

ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
N_D = ["fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2", "fftn", "ifftn", "rfftn",
       "irfftn", "hfftn", "ihfftn"]
REAL_IN = {"rfft", "ihfft", "rfft2", "ihfft2", "rfftn", "ihfftn"}


def V(M, t):
    """A complex result as its real view: values compare as floats, losses are real."""
    return (M.view_as_real(t.resolve_conj()) if t.is_complex() else t).resolve_neg()


def D(t):
    return dtype_name(t.dtype)


def _call(M, name, x, **kw):
    return getattr(M.fft, name)(x, **kw)


def _cases(name):
    if name in ONE_D:
        return [{}, {"n": 5}, {"n": 9, "dim": 0}, {"dim": -2}, {"n": 1}]
    if name.endswith("2"):
        return [{}, {"s": (3, 5)}, {"s": (5, 8), "dim": (1, 0)}, {"s": (-1, 4)}]
    return [{}, {"s": (3, 5)}, {"dim": (0,)}, {"s": (5,), "dim": (-2,)}, {"dim": (1, 0)},
            {"s": (2, 3, 4)}]


# --- values, dtypes and gradients ------------------------------------------------------------
@pytest.mark.parametrize("name", ONE_D + N_D)
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_transform_parity(name, norm):
    a, b = randn(2, 4, 5, seed=1), randn(2, 4, 5, seed=2)
    for kw in _cases(name):
        if name in REAL_IN:
            def f(M, a, b, kw=kw):
                y = _call(M, name, a * b, norm=norm, **kw)
                return V(M, y), D(y)
        else:
            def f(M, a, b, kw=kw):
                y = _call(M, name, M.complex(a, b), norm=norm, **kw)
                return V(M, y), D(y)
        check(f, a, b, rtol=1e-4, atol=2e-5)
        check(f, a.astype(np.float64), b.astype(np.float64), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "irfft",
                                  "hfft", "irfftn", "hfftn"])
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_real_input_to_complex_transforms(name, norm):
    # a real input takes PyTorch's R2C (or promote-to-complex) path; its gradient is real
    def f(M, a):
        y = _call(M, name, a, norm=norm)
        return V(M, y), D(y)
    check(f, randn(4, 6, seed=3), rtol=1e-4, atol=2e-5)
    check(f, randn(5, 3, dtype=np.float64, seed=4), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", ONE_D + ["fftn", "rfftn", "irfftn", "fft2"])
@pytest.mark.parametrize("dt", [np.int64, np.int32, np.bool_])
def test_integer_inputs_give_default_float(name, dt):
    x = (np.arange(12).reshape(3, 4) % 3).astype(dt)
    check(lambda M, x: (V(M, _call(M, name, x)), D(_call(M, name, x))), x, grad=False,
          atol=1e-5)
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        check(lambda M, x: (V(M, _call(M, name, x)), D(_call(M, name, x))), x, grad=False)
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


def test_norm_backward_is_the_default():
    x = ember.randn(2, 5)
    for name in ("fft", "ihfft", "irfftn", "fft2"):
        np.testing.assert_array_equal(getattr(ember.fft, name)(x, norm="backward").numpy(),
                                      getattr(ember.fft, name)(x).numpy())


def test_float32_stays_single_precision():
    x = ember.randn(8)
    assert ember.fft.fft(x).dtype is ember.complex64
    assert ember.fft.rfft(x).dtype is ember.complex64
    assert ember.fft.irfft(ember.fft.rfft(x)).dtype is ember.float32
    assert ember.fft.fft(x.double()).dtype is ember.complex128
    assert ember.fft.hfft(x.cfloat()).dtype is ember.float32
    assert ember.fft.ifftn(x.cdouble()).dtype is ember.complex128


def test_roundtrips_and_known_values():
    x = ember.tensor([1., 2., 3., 4.])
    assert ember.fft.fft(x).tolist() == [10, -2 + 2j, -2, -2 - 2j]
    np.testing.assert_allclose(ember.fft.irfft(ember.fft.rfft(x), n=4).numpy(), x.numpy(),
                               atol=1e-6)
    np.testing.assert_allclose(ember.fft.ifft(ember.fft.fft(x)).real.numpy(), x.numpy(),
                               atol=1e-6)
    np.testing.assert_allclose(ember.fft.hfft(ember.fft.ihfft(x), n=4).numpy(), x.numpy(),
                               atol=1e-6)
    y = ember.randn(3, 5, dtype=ember.float64)
    np.testing.assert_allclose(ember.fft.irfftn(ember.fft.rfftn(y), s=(3, 5)).numpy(),
                               y.numpy(), atol=1e-12)


def test_zero_size_batch_and_out():
    # (torch's MKL backend refuses empty batches; NumPy's pocketfft transforms them)
    x = ember.zeros(0, 4, requires_grad=True)
    y = ember.fft.rfft(x)
    assert y.shape == (0, 3) and y.dtype is ember.complex64
    y.abs().sum().backward()
    assert x.grad.shape == (0, 4)
    assert ember.fft.irfft(ember.zeros(3, 0, dtype=ember.complex128), dim=0).shape == (4, 0)
    for M in (ember, torch):
        out = M.empty(3, dtype=M.complex64)
        r = M.fft.rfft(M.tensor([1., 2., 3., 4.]), out=out)
        assert r is out and out.tolist() == [10, -2 + 2j, -2]


def test_grad_fn_names():
    x = ember.ones(4, requires_grad=True)
    assert ember.fft.fft(x).grad_fn.name() == "FftR2CBackward0"
    assert ember.fft.rfft(x).grad_fn.name() == "FftR2CBackward0"
    assert ember.fft.irfft(x).grad_fn.name() == "FftC2RBackward0"
    assert ember.fft.ifft(ember.complex(x, x)).grad_fn.name() == "FftC2CBackward0"
    assert ember.fft.hfft(x).grad_fn.name() == "FftC2RBackward0"
    assert ember.fft.ihfft(x).grad_fn.name() == "ConjBackward0"


@pytest.mark.parametrize("loss", ["abs", "zzbar", "view"])
def test_real_losses_of_spectra(loss):
    def f(M, a):
        y = M.fft.rfft(a, n=10)
        if loss == "abs":
            return y.abs().sum()
        if loss == "zzbar":
            return (y * y.conj()).real.sum()
        return M.view_as_real(y).pow(2).sum()
    check(f, randn(2, 7, seed=5), rtol=1e-4, atol=1e-4)
    check(f, randn(2, 8, dtype=np.float64, seed=6))


# --- finite differences ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ONE_D + ["fft2", "rfft2", "irfft2", "hfftn", "ihfftn",
                                          "ifftn"])
def test_gradcheck(name):
    a, b = randn(2, 3, seed=7), randn(2, 3, seed=8)
    kw = {"n": 4} if name in ONE_D else {"s": (2, 4)}
    if name in REAL_IN:
        gradcheck(lambda M, a, b: V(M, _call(M, name, a * b + a, norm="ortho", **kw)), a, b,
                  gradgrad=True)
    else:
        gradcheck(lambda M, a, b: V(M, _call(M, name, M.complex(a, b), **kw)), a, b,
                  gradgrad=True)


@pytest.mark.parametrize("name", ["irfft", "hfft"])
@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_gradcheck_c2r_lengths(name, n):
    # the doubling of mirrored frequencies depends on n's parity (odd/even)
    a, b = randn(3, seed=9), randn(3, seed=10)
    gradcheck(lambda M, a, b: _call(M, name, M.complex(a, b), n=n, norm="forward"), a, b)


# --- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda M: M.fft.fft(M.tensor([1., 2.], dtype=M.float16)),
    lambda M: M.fft.fft(M.tensor([1., 2.]), n=0),
    lambda M: M.fft.fft(M.tensor([1., 2.]), n=-1),
    lambda M: M.fft.fft(M.tensor([1., 2.]), dim=1),
    lambda M: M.fft.fft(M.tensor([1., 2.]), norm="xyz"),
    lambda M: M.fft.ifft(M.tensor([1j, 2.]), norm="bad"),
    lambda M: M.fft.fft(M.tensor(1.)),
    lambda M: M.fft.fft(M.ones(0)),
    lambda M: M.fft.fft(M.ones(3), 2.5),
    lambda M: M.fft.fft([1., 2.]),
    lambda M: M.fft.rfft(M.tensor([1j])),
    lambda M: M.fft.ihfft(M.ones(3, dtype=M.complex64)),
    lambda M: M.fft.rfftn(M.ones(2, 2, dtype=M.complex128)),
    lambda M: M.fft.irfft(M.tensor([1.])),
    lambda M: M.fft.irfft(M.tensor([1., 2.]), n=0),
    lambda M: M.fft.fftn(M.ones(2, 3), s=(2,), dim=(0, 1)),
    lambda M: M.fft.fftn(M.ones(2, 3), dim=(0, 0)),
    lambda M: M.fft.fftn(M.ones(2, 3), dim=(0, -2)),
    lambda M: M.fft.fftn(M.ones(2, 3), s=(4, 5, 6)),
    lambda M: M.fft.fftn(M.ones(3), s=[0]),
    lambda M: M.fft.fft2(M.ones(3)),
    lambda M: M.fft.rfftn(M.ones(2, 3), dim=()),
    lambda M: M.fft.irfftn(M.ones(2, 3), dim=()),
    lambda M: M.fft.hfftn(M.ones(2, 1)),
    lambda M: M.fft.fftfreq(3, dtype=M.int64),
    lambda M: M.fft.rfftfreq(4, dtype=M.bool),
    lambda M: M.fft.fftfreq(2.5),
    lambda M: M.fft.fftfreq(3, dtype=M.complex64),
    lambda M: M.fft.fftshift(M.ones(3), dim=1),
])
def test_errors_match_torch(fn):
    check_raises(fn)


# --- helpers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("d", [1.0, 0.5, 3])
def test_fftfreq_rfftfreq(n, d):
    for fname in ("fftfreq", "rfftfreq"):
        for dt in (None, "float64"):
            kw = {} if dt is None else {"dtype": dt}
            e = getattr(ember.fft, fname)(n, d, **{k: getattr(ember, v) for k, v in kw.items()})
            t = getattr(torch.fft, fname)(n, d, **{k: getattr(torch, v) for k, v in kw.items()})
            assert D(e) == D(t) and tuple(e.shape) == tuple(t.shape)
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)
    f = ember.fft.fftfreq(3, requires_grad=True)
    assert f.requires_grad and f.is_leaf


@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 1), (1, 0), [1]])
def test_fftshift_ifftshift(dim):
    for shape in ((5,), (2, 3), (4, 5)):
        if isinstance(dim, int) and dim >= len(shape) or \
                (not isinstance(dim, int) and dim is not None and len(shape) < 2):
            continue
        x = np.arange(int(np.prod(shape))).reshape(shape)
        check(lambda M, x: (M.fft.fftshift(x, dim=dim), M.fft.ifftshift(x, dim=dim)), x,
              grad=False)
        check(lambda M, x: (M.fft.fftshift(x * 1.5, dim=dim),
                            M.fft.ifftshift(M.fft.fftshift(x, dim=dim), dim=dim)),
              x.astype(np.float32))
    check(lambda M: M.fft.fftshift(M.fft.fftfreq(6)), grad=False)


def test_doctests_namespace():
    assert set(ember.fft.__all__) >= {"fft", "ifft", "rfft", "irfft", "fftfreq", "fftshift"}
    for name in ember.fft.__all__:
        assert hasattr(torch.fft, name), name


# --- properties: shapes, dims and sizes ------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_fuzz_shapes_dims_sizes(shape, data):
    nd = len(shape)
    name = data.draw(st.sampled_from(["fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn"]))
    k = data.draw(st.integers(1, nd))
    dims = data.draw(st.permutations(range(nd)))[:k]
    s = data.draw(st.one_of(st.none(), st.lists(st.integers(1, 5), min_size=k, max_size=k)))
    if name in ("irfftn", "hfftn") and s is None and shape[dims[-1]] == 1:
        s = [2] * k              # the default output length 2 * (1 - 1) is invalid
    norm = data.draw(st.sampled_from([None, "ortho", "forward"]))
    a, b = randn(*shape, seed=11), randn(*shape, seed=12)

    def f(M, a, b):
        # (``b * 1``: torch can hand back a gradient with its lazy negative bit set, which
        # the test helpers cannot read; the extra product materialises it)
        x = a if name in REAL_IN else M.complex(a, b * 1)
        y = _call(M, name, x, s=s, dim=dims, norm=norm)
        return V(M, y), D(y)
    check(f, a, b, rtol=1e-4, atol=2e-5)
