"""Complex dtypes against the torch oracle: promotion, creation, printing, arithmetic, the
complex ops (real/imag/view_as_real/view_as_complex/complex/polar/conj/angle) and their
gradients under PyTorch's convention (the conjugate Wirtinger derivative)."""
import itertools
import operator

import numpy as np
import pytest
import torch

import ember
from tests.helpers import check, check_raises, dtype_name, gradcheck, randn

ALL = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
       "complex64", "complex128"]


def E(n):
    return getattr(ember, n)


def T(n):
    return getattr(torch, n)


def R(M, t):
    """A complex result as its real view (so values compare as floats and a real loss
    can be formed), plus its dtype name."""
    if isinstance(t, (ember.Tensor, torch.Tensor)) and t.is_complex():
        return M.view_as_real(t.resolve_conj()), dtype_name(t.dtype)
    return t


def V(M, t):
    """A complex result as its real view (gradcheck and real losses need real outputs)."""
    return (M.view_as_real(t.resolve_conj()) if t.is_complex() else t).resolve_neg()


def C(M, a, b):
    return M.complex(a, b)


# --- dtypes and promotion -------------------------------------------------------------------
def test_dtype_attributes():
    for n in ("complex64", "complex128"):
        e, t = E(n), T(n)
        assert e.is_complex is t.is_complex is True
        assert e.is_floating_point is t.is_floating_point is False
        assert e.is_signed is t.is_signed
        assert e.itemsize == t.itemsize
        assert dtype_name(e.to_real()) == dtype_name(t.to_real())
        assert e.to_complex() is e
        assert repr(e) == "ember." + n
    assert ember.float32.to_complex() is ember.complex64
    assert ember.float64.to_complex() is ember.complex128
    assert ember.cfloat is ember.complex64 and ember.cdouble is ember.complex128
    with pytest.raises(NotImplementedError):       # torch: complex32, which ember lacks
        ember.float16.to_complex()


def test_promote_types_all_pairs():
    for a, b in itertools.product(ALL, ALL):
        e = ember.promote_types(E(a), E(b))
        assert dtype_name(e) == dtype_name(torch.promote_types(T(a), T(b))), (a, b)


def test_can_cast_all_pairs():
    for a, b in itertools.product(ALL, ALL):
        assert ember.can_cast(E(a), E(b)) == torch.can_cast(T(a), T(b)), (a, b)


def _make(M, name, zero_dim):
    return M.ones(() if zero_dim else (2,), dtype=getattr(M, name))


def test_result_type_tensors_with_complex():
    for a, b, za, zb in itertools.product(ALL, ["complex64", "complex128"], (0, 1), (0, 1)):
        for x, y in ((a, b), (b, a)):
            ea, eb = _make(ember, x, za), _make(ember, y, zb)
            t = torch.result_type(_make(torch, x, za), _make(torch, y, zb))
            if t == torch.complex32:       # float16 with a lower-priority complex operand
                with pytest.raises(NotImplementedError, match="complex32"):
                    ember.result_type(ea, eb)
                continue
            assert dtype_name(ember.result_type(ea, eb)) == dtype_name(t), (x, y, za, zb)


@pytest.mark.parametrize("scalar", [1j, 2.5 + 0.5j, 2.5, 3, True])
def test_result_type_scalars(scalar):
    for a, za in itertools.product([n for n in ALL if n != "float16"], (0, 1)):
        e = ember.result_type(_make(ember, a, za), scalar)
        t = torch.result_type(_make(torch, a, za), scalar)
        assert dtype_name(e) == dtype_name(t), (a, za, scalar)


def test_default_complex_follows_default_dtype():
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        for M in (ember, torch):
            assert dtype_name(M.tensor([1j]).dtype) == "complex128"
            assert dtype_name((M.ones(2, dtype=M.float32) * 1j).dtype) == "complex64"
            assert dtype_name((M.ones(2, dtype=M.int32) * 1j).dtype) == "complex128"
            assert dtype_name(M.full((2,), 1j).dtype) == "complex128"
        assert repr(ember.tensor([1 + 2j])) == "tensor([1.+2.j])"
        assert repr(ember.tensor([1 + 2j], dtype=ember.complex64)) == \
            "tensor([1.+2.j], dtype=ember.complex64)"
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


def test_python_types_as_dtype():
    assert ember.zeros(1, dtype=complex).dtype is ember.complex128
    assert dtype_name(torch.zeros(1, dtype=complex).dtype) == "complex128"
    assert ember.zeros(1, dtype=float).dtype is ember.float64
    assert dtype_name(torch.zeros(1, dtype=float).dtype) == "float64"


def test_finfo_iinfo_complex():
    for n in ("complex64", "complex128"):
        e, t = ember.finfo(E(n)), torch.finfo(T(n))
        assert (e.eps, e.max, e.tiny, e.bits, e.dtype) == (t.eps, t.max, t.tiny, t.bits, t.dtype)
        with pytest.raises(TypeError):
            ember.iinfo(E(n))
        with pytest.raises(TypeError):
            torch.iinfo(T(n))


def test_half_with_complex_scalar_is_refused_clearly():
    # torch gives complex32 (ComplexHalf), which ember does not have
    with pytest.raises(NotImplementedError, match="complex32"):
        ember.ones(2, dtype=ember.float16) * 1j


# --- creation -------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    1 + 2j, [1 + 2j, 3], [1j, True], [1, 2.5, 1j], [[1j, 2], [3, 4]], np.complex64(1 + 2j),
    [np.complex64(1 + 2j)], np.array([1 + 2j]), np.array([1 + 2j], np.complex64), -0.5j])
def test_tensor_infers_complex(data):
    e, t = ember.tensor(data), torch.tensor(data)
    assert dtype_name(e.dtype) == dtype_name(t.dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_tensor_explicit_complex_dtype(dt):
    for data in ([1, 2], [1.5, 2j], 3, [[True, False]]):
        e, t = ember.tensor(data, dtype=E(dt)), torch.tensor(data, dtype=T(dt))
        assert e.dtype is E(dt)
        np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_tensor_complex_to_real_dtype_errors():
    check_raises(lambda M: M.tensor(1j, dtype=M.int64))
    check_raises(lambda M: M.tensor([1 + 1j], dtype=M.float32))


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_factories(dt):
    for fn in (lambda M: M.zeros(2, 3, dtype=getattr(M, dt)),
               lambda M: M.ones(2, dtype=getattr(M, dt)),
               lambda M: M.eye(2, dtype=getattr(M, dt)),
               lambda M: M.full((2,), 1 - 2j, dtype=getattr(M, dt)),
               lambda M: M.zeros_like(M.ones(3, dtype=getattr(M, dt))),
               lambda M: M.ones(2).to(getattr(M, dt)),
               lambda M: M.empty(2, dtype=getattr(M, dt)).shape):
        e, t = fn(ember), fn(torch)
        if isinstance(t, torch.Tensor):
            assert dtype_name(e.dtype) == dtype_name(t.dtype)
            np.testing.assert_array_equal(e.numpy(), t.numpy())
        else:
            assert tuple(e) == tuple(t)
    e = ember.full((2,), 1j)
    assert e.dtype is ember.complex64 and e.tolist() == [1j, 1j]


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_random_complex(dt):
    ember.manual_seed(0)
    x = ember.randn(20000, dtype=E(dt))
    assert x.dtype is E(dt)
    r = x.numpy()
    assert abs(r.real.var() - 0.5) < 0.03 and abs(r.imag.var() - 0.5) < 0.03
    assert abs(np.mean(np.abs(r) ** 2) - 1) < 0.05
    u = ember.rand(20000, dtype=E(dt)).numpy()
    assert 0 <= u.real.min() and u.real.max() < 1 and 0 <= u.imag.min() and u.imag.max() < 1
    assert abs(u.imag.mean() - 0.5) < 0.02
    assert ember.randn_like(x).dtype is E(dt)


def test_numpy_interop_and_scalars():
    a = np.array([1 + 2j, 3 - 4j], np.complex64)
    t = ember.from_numpy(a)
    t[0] = ember.tensor(5j)      # (a Python complex value: indexing.py refuses it yet)
    assert a[0] == 5j
    assert t.dtype is ember.complex64
    assert ember.tensor(1 + 2j).item() == torch.tensor(1 + 2j).item() == 1 + 2j
    assert complex(ember.tensor(2 - 1j)) == 2 - 1j
    assert ember.tensor([1j, 2]).tolist() == torch.tensor([1j, 2]).tolist()
    assert ember.tensor([1j]).is_complex() and not ember.tensor([1.]).is_complex()
    assert ember.is_complex(ember.tensor([1j])) is torch.is_complex(torch.tensor([1j]))
    assert not ember.tensor([1j]).is_floating_point()


def test_to_and_casts():
    z = ember.tensor([1 + 2j, -3j])
    np.testing.assert_array_equal(z.to(ember.float32).numpy(), [1, 0])   # real part, as torch
    assert z.to(ember.float64).dtype is ember.float64
    assert ember.tensor([1.]).cfloat().dtype is ember.complex64
    assert ember.tensor([1.]).cdouble().dtype is ember.complex128
    assert z.type() == "ember.ComplexFloatTensor"
    assert z.double().dtype is ember.float64


# --- printing -------------------------------------------------------------------------------
REPRS = [
    "M.tensor([1+2j, 3-4j])", "M.tensor([0.5+1.25j])", "M.tensor(1+2j)", "M.tensor(-0.5j)",
    "M.tensor([1e10+1j, 1j])", "M.tensor([1e-5+1j, 1j])",
    "M.tensor([complex(float('nan'), 1), complex(float('inf'), -float('inf'))])",
    "M.tensor([[1.5+2j, 3-4.25j], [0j, -1j]])", "M.zeros(0, dtype=M.complex64)",
    "M.zeros(2, 0, dtype=M.complex128)", "M.zeros(2, dtype=M.complex128)",
    "M.tensor([1+2j], dtype=M.complex128)", "M.tensor([123456.789+0.001j, -2j])",
    "M.arange(30).reshape(5, 6).to(M.complex64) * (1 + 0.5j)",
    "M.from_numpy((np.arange(2000).reshape(40, 50) * (1 - 0.25j)).astype(np.complex64))",
    "M.from_numpy((np.arange(1100) * (0.1 + 3j)).astype(np.complex128))",
    "M.from_numpy(np.array([1e20 + 1e-20j, 5]).astype(np.complex64))",
    "M.from_numpy(np.array([[[1 + 1j, 2], [3, 4j]], [[5, 6], [7, 8 - 8j]]], np.complex64))",
    "M.complex(M.tensor([1., 2.], requires_grad=True), M.tensor([3., 4.]))",
    "M.tensor([10.+0j, -2+2j, -2+0j, -2-2j]) / 3", "M.tensor([1e-10+0j, 1])",
    "M.tensor([0j, complex(0, float('nan'))])", "M.tensor([1+1e9j, 2])",
    "M.tensor([12345678.5+1j, 2])",
    "M.from_numpy(np.random.default_rng(0).standard_normal((3, 9)) * (1+1j))",
]


@pytest.mark.parametrize("expr", REPRS)
def test_repr_matches_torch(expr):
    t = repr(eval(expr, {"M": torch, "np": np})).replace("torch.", "ember.")
    assert repr(eval(expr, {"M": ember, "np": np})) == t


@pytest.mark.parametrize("opts", [dict(precision=2), dict(sci_mode=True), dict(sci_mode=False),
                                  dict(linewidth=40), dict(threshold=5, edgeitems=2)])
def test_repr_with_printoptions(opts):
    exprs = ["M.tensor([1.23456+2j, -3e-3j, 100])",
             "M.from_numpy(np.arange(12).reshape(3, 4) * (1.5 - 0.5j))"]
    try:
        for expr in exprs:
            torch.set_printoptions(**opts)
            t = repr(eval(expr, {"M": torch, "np": np})).replace("torch.", "ember.")
            ember.set_printoptions(**opts)
            assert repr(eval(expr, {"M": ember, "np": np})) == t
    finally:
        torch.set_printoptions(profile="default")
        ember.set_printoptions(profile="default")


# --- arithmetic -----------------------------------------------------------------------------
def _cz(shape, dt=np.complex64, seed=0):
    r = np.random.default_rng(seed)
    return (r.standard_normal(shape) + 1j * r.standard_normal(shape)).astype(dt)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("other", ["c64", "c128", "f32", "f64", "i64", "b", "pyc", "pyf",
                                   "pyi", "c64_0d"])
def test_binary_values_and_dtypes(op, other):
    z = _cz((2, 3))
    o = {"c64": _cz((3,), seed=1), "c128": _cz((2, 3), np.complex128, 2),
         "f32": randn(3), "f64": randn(2, 3, dtype=np.float64), "i64": np.array([1, 2, 3]),
         "b": np.array([True, False, True]), "pyc": 0.5 - 2j, "pyf": 2.5, "pyi": 3,
         "c64_0d": np.array(1.5 + 1j, np.complex64)}[other]

    fn = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
          "div": operator.truediv}[op]
    if op == "div" and other == "b":
        o = np.array([True, True, True])
    if op == "sub" and other == "b":
        check_raises(lambda M, z, o: z - o, z, o)
        return
    check(lambda M, z, o: (R(M, fn(z, o)), R(M, fn(o, z)), R(M, getattr(M, op)(z, o))), z, o,
          grad=False, rtol=1e-5, atol=1e-5)


def test_neg_abs_and_methods():
    z = _cz((4,))
    check(lambda M, z: (R(M, -z), M.abs(z), z.abs(), abs(z), R(M, z.neg())), z, grad=False)
    check(lambda M, z: (M.abs(z), R(M, z.sum()), R(M, z.mean()), R(M, z.sum(0))),
          _cz((3, 2), np.complex128), grad=False)


def test_inplace_arithmetic():
    def f(M):
        z = M.tensor([1 + 2j, 3j])
        z.mul_(2 - 1j)
        z += 1
        z /= M.tensor([2j, 1])
        return R(M, z)
    check(lambda M: f(M), grad=False)
    check_raises(lambda M: M.tensor([1., 2.]).add_(1j))
    check_raises(lambda M: M.tensor([1., 2.]).mul_(M.tensor([1j, 2])))


# --- complex ops: values, views, errors -----------------------------------------------------
def test_real_imag_views_and_values():
    check(lambda M, z: (M.real(z), M.imag(z), z.real, z.imag, R(M, M.view_as_real(z))),
          _cz((2, 3)), grad=False)
    for M in (ember, torch):
        x = M.tensor([1., 2.])
        assert M.real(x) is x and x.real is x and x.conj() is x and x.resolve_conj() is x
        z = M.tensor([1 + 2j, 3 - 4j])
        z.real[0] = 10
        z.imag.mul_(2)
        assert z.tolist() == [10 + 4j, 3 - 8j]
        v = M.view_as_real(z)
        v[1, 1] = 7
        assert z[1].item() == 3 + 7j
        z.real = M.tensor([0., 1.])
        z.imag = 5.
        assert z.tolist() == [5j, 1 + 5j]
        w = M.view_as_complex(M.tensor([[1., 2.], [3., 4.]]))
        assert w.tolist() == [1 + 2j, 3 + 4j]


def test_view_as_real_strides_and_complex_roundtrip():
    for M in (ember, torch):
        z = M.from_numpy(_cz((3, 2))).t()
        v = M.view_as_real(z)
        assert tuple(v.shape) == (2, 3, 2) and v.stride() == (2, 4, 1)
        assert M.view_as_complex(M.view_as_real(z)).tolist() == z.tolist()
        assert tuple(M.view_as_complex(M.zeros(2)).shape) == ()
        assert tuple(M.view_as_complex(M.zeros(3, 4)[:, :2]).shape) == (3,)
        assert tuple(M.view_as_complex(M.zeros(2, 2).expand(3, 2, 2)).shape) == (3, 2)
        assert M.view_as_real(M.tensor(1 + 2j)).tolist() == [1., 2.]


@pytest.mark.parametrize("fn", [
    lambda M: M.tensor([1.]).imag,
    lambda M: M.imag(M.tensor([1, 2])),
    lambda M: M.view_as_real(M.tensor([1.])),
    lambda M: M.view_as_complex(M.tensor([1., 2., 3.])),
    lambda M: M.view_as_complex(M.tensor([[1, 2]])),
    lambda M: M.view_as_complex(M.zeros(2, 2).t()),
    lambda M: M.view_as_complex(M.zeros(2, 3)[:, :2]),
    lambda M: M.view_as_complex(M.zeros(2, 6)[:, 1:3]),
    lambda M: M.view_as_complex(M.zeros(5)[1:].view(2, 2)),
    lambda M: M.view_as_complex(M.tensor(1.)),
    lambda M: M.complex(M.tensor([1.]), M.tensor([1.], dtype=M.float64)),
    lambda M: M.complex(M.tensor([1]), M.tensor([1])),
    lambda M: M.complex(M.tensor([1.]), 1.),
    lambda M: M.complex(M.ones(2), M.ones(3)),
    lambda M: M.polar(M.tensor([1, 2]), M.tensor([0, 1])),
    lambda M: M.polar(M.tensor([1.]), M.tensor([1.], dtype=M.float64)),
    lambda M: M.real([1.]),
    lambda M: M.view_as_real(1j),
])
def test_errors_match_torch(fn):
    check_raises(fn)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_complex_polar_angle_conj_values(dt):
    a, b = randn(2, 3, dtype=dt), randn(3, dtype=dt)
    check(lambda M, a, b: (R(M, M.complex(a, b)), R(M, M.polar(a.abs(), b)),
                           M.angle(M.complex(a, b)), M.angle(a), R(M, M.complex(a, b).conj()),
                           R(M, M.conj_physical(M.complex(a, b))), M.complex(a, b).angle()),
          a, b, grad=False)
    check(lambda M, x: (M.angle(x), x.angle()),
          np.array([-1., 2., 0., -0.0, np.nan, -np.inf], dt), grad=False)
    check(lambda M, x: M.angle(x), np.array([-1, 2, 0]), grad=False)
    check(lambda M, x: M.angle(x), np.array([True, False]), grad=False)


def test_conj_bits_and_out():
    for M in (ember, torch):
        z = M.tensor([1 + 2j])
        assert not M.is_conj(z) and not z.is_neg() and not z.conj_physical().is_conj()
        assert z.resolve_conj().tolist() == [1 + 2j]
        assert M.conj(z).tolist() == [1 - 2j]
        z.conj_physical_()
        assert z.tolist() == [1 - 2j]
        out = M.empty(2, dtype=M.complex64)
        M.complex(M.tensor([1., 2.]), M.tensor([3., 4.]), out=out)
        assert out.tolist() == [1 + 3j, 2 + 4j]


# --- gradients ------------------------------------------------------------------------------
GRAD_FNS = {
    "abs_sum": lambda M, a, b: C(M, a, b).abs(),
    "zzbar": lambda M, a, b: (C(M, a, b) * C(M, a, b).conj()).real,
    "view_as_real_pow": lambda M, a, b: M.view_as_real(C(M, a, b)).pow(2),
    "mul": lambda M, a, b: V(M, C(M, a, b) * C(M, b, a * 2)),
    "mul_real_complex": lambda M, a, b: V(M, a * C(M, b, a)),
    "mul_pyc": lambda M, a, b: V(M, C(M, a, b) * (0.5 - 2j) + a * 1j),
    "div": lambda M, a, b: V(M, C(M, a, b) / C(M, b + 3, a)),
    "div_real": lambda M, a, b: V(M, (a + 3) / C(M, b, a + 3) + C(M, a, b) / (b + 4)),
    "rdiv_pyc": lambda M, a, b: V(M, (1 + 1j) / C(M, a + 3, b)),
    "add_sub_neg": lambda M, a, b: V(M, -(C(M, a, b) + a) - C(M, b, b) * 2 + 1j),
    "imag_real": lambda M, a, b: C(M, a, b).imag * 3 + C(M, a, b).real * C(M, b, a).imag,
    "angle": lambda M, a, b: M.angle(C(M, a, b)),
    "angle_real": lambda M, a, b: M.angle(a),
    "polar": lambda M, a, b: V(M, M.polar(a.abs() + 0.5, b)),
    "conj": lambda M, a, b: V(M, C(M, a, b).conj() * C(M, b, a)),
    "conj_physical": lambda M, a, b: V(M, M.conj_physical(C(M, a, b)) * 2j),
    "view_as_complex": lambda M, a, b: V(M, M.view_as_complex(M.stack([a, b], -1)) * 1j),
    "sum_mean": lambda M, a, b: V(M, C(M, a, b).sum(0) * C(M, a, b).mean()),
    "shape_ops": lambda M, a, b: V(M, C(M, a, b).t().reshape(-1).unsqueeze(0).expand(2, 6)
                                   .reshape(12).squeeze() * (1 + 2j)),
    "to_real": lambda M, a, b: (C(M, a, b) * C(M, b, a)).to(a.dtype),
    "to_complex": lambda M, a, b: V(M, a.to(M.complex128) * 1j),
    "clone": lambda M, a, b: V(M, C(M, a, b).clone() * C(M, a, b)),
}


@pytest.mark.filterwarnings("ignore:Casting complex values to real")
@pytest.mark.parametrize("name", sorted(GRAD_FNS))
def test_gradients_match_torch(name):
    a, b = randn(2, 3, seed=3), randn(2, 3, seed=4)
    fn = GRAD_FNS[name]
    check(fn, a, b, rtol=1e-5, atol=1e-5)
    check(fn, a.astype(np.float64), b.astype(np.float64))


@pytest.mark.parametrize("name", sorted(GRAD_FNS))
def test_gradcheck(name):
    a, b = randn(2, 3, seed=5), randn(2, 3, seed=6)
    gradcheck(GRAD_FNS[name], a, b, gradgrad=True)


def test_gradient_convention_on_complex_leaf_graph():
    # for L = |z|^2 the gradient is 2 z (dL/dx + i dL/dy), as in PyTorch
    for M in (ember, torch):
        a = M.tensor([1., -2.], requires_grad=True)
        b = M.tensor([3., 0.5], requires_grad=True)
        z = M.complex(a, b)
        z.retain_grad()
        (z.abs() ** 2).sum().backward()
        assert z.grad.tolist() == [2 + 6j, -4 + 1j]
        assert a.grad.tolist() == [2., -4.] and b.grad.tolist() == [6., 1.]
        assert a.grad.dtype == M.float32


def test_abs_gradient_at_zero():
    check(lambda M, a, b: C(M, a, b).abs(), np.zeros(3, np.float32), np.zeros(3, np.float32))
    check(lambda M, a, b: M.angle(C(M, a, b)), np.zeros(3, np.float32),
          np.array([0, 1, -1], np.float32))


def test_grad_fn_names():
    a = ember.tensor([1., 2.], requires_grad=True)
    z = ember.complex(a, a)
    assert z.grad_fn.name() == "ComplexBackward0"
    assert z.real.grad_fn.name() == "SelectBackward0"
    assert ember.view_as_real(z).grad_fn.name() == "ViewAsRealBackward0"
    assert z.conj().grad_fn.name() == "ConjBackward0"
    assert z.angle().grad_fn.name() == "AngleBackward0"
    assert z.abs().grad_fn.name() == "AbsBackward0"
    assert ember.polar(a, a).grad_fn.name() == "PolarBackward0"


@pytest.mark.parametrize("fn", [
    lambda z, a: z.exp(),
    lambda z, a: z.prod(),
    lambda z, a: (a * 1j).sin(),
    lambda z, a: ember.where(a > 0, z, z),
    lambda z, a: z.sqrt(),
])
def test_unverified_ops_refuse_complex_autograd(fn):
    a = ember.tensor([1., 2.], requires_grad=True)
    z = ember.complex(a, a)
    with pytest.raises(NotImplementedError, match="on complex tensors is not supported yet"):
        fn(z, a)


def test_real_ops_unaffected_by_the_refusal():
    a = ember.tensor([1., 2.], requires_grad=True)
    (a.exp() * 2).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * np.exp([1., 2.]), rtol=1e-6)
