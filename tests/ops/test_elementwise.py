"""Parity tests of the element-wise family against the torch oracle: values, dtypes, shapes,
gradients (first and second order), type promotion, broadcasting, in-place variants, errors."""
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember
from tests import helpers
from tests.helpers import check, check_raises, gradcheck


def _arrays(f):
    """The helpers' random generators, always returning arrays (0-d for shape ())."""
    return lambda *a, **k: np.asarray(f(*a, **k))


rand, randn, randint = _arrays(helpers.rand), _arrays(helpers.randn), _arrays(helpers.randint)

# --- domains ---------------------------------------------------------------------------------
# (low, high) of uniform inputs for each one-input float function, inside its domain
UNARY_FLOAT = {
    "exp": (-2, 2), "exp2": (-2, 2), "expm1": (-2, 2), "log": (0.2, 3), "log1p": (-0.5, 2),
    "log2": (0.2, 3), "log10": (0.2, 3), "sqrt": (0.2, 3), "rsqrt": (0.2, 3), "sin": (-3, 3),
    "cos": (-3, 3), "tan": (-1.2, 1.2), "asin": (-0.9, 0.9), "arcsin": (-0.9, 0.9),
    "acos": (-0.9, 0.9), "arccos": (-0.9, 0.9), "atan": (-3, 3), "arctan": (-3, 3),
    "sinh": (-2, 2), "cosh": (-2, 2), "tanh": (-3, 3), "asinh": (-3, 3), "arcsinh": (-3, 3),
    "acosh": (1.2, 3), "arccosh": (1.2, 3), "atanh": (-0.9, 0.9), "arctanh": (-0.9, 0.9),
    "sigmoid": (-4, 4), "erf": (-3, 3), "erfc": (-3, 3), "erfinv": (-0.9, 0.9),
    "reciprocal": (0.3, 3), "deg2rad": (-200, 200), "rad2deg": (-3, 3), "logit": (0.1, 0.9),
}
# integer inputs inside the domain
INT_RANGE = {"log": (1, 5), "log2": (1, 5), "log10": (1, 5), "sqrt": (1, 5), "rsqrt": (1, 5),
             "acosh": (2, 5), "arccosh": (2, 5), "asin": (0, 1), "arcsin": (0, 1),
             "acos": (0, 1), "arccos": (0, 1), "atanh": (0, 1), "arctanh": (0, 1),
             "erfinv": (0, 1), "logit": (0, 1), "reciprocal": (1, 5)}
SHAPES = [(2, 3), (), (0,), (3, 1, 2)]


def _uniform(name, shape, dtype, seed=0):
    lo, hi = UNARY_FLOAT[name]
    return np.asarray(rand(*shape, dtype=dtype, low=lo, high=hi, seed=seed))


# --- one-input floating point functions ------------------------------------------------------
@pytest.mark.parametrize("name", sorted(UNARY_FLOAT))
@pytest.mark.parametrize("shape", SHAPES)
def test_unary_float_parity(name, shape):
    x = _uniform(name, shape, np.float32)
    check(lambda M, t: getattr(M, name)(t), x)
    check(lambda M, t: getattr(t, name)(), x.astype(np.float64), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(UNARY_FLOAT))
def test_unary_float_int_and_bool_inputs(name):
    lo, hi = INT_RANGE.get(name, (-3, 4))
    check(lambda M, t: getattr(M, name)(t), randint(lo, hi, 2, 3))           # -> float32
    check(lambda M, t: getattr(M, name)(t), randint(lo, hi, 4, dtype=np.int16))
    if name not in ("erfinv", "logit", "atanh", "arctanh"):                   # inf at 1
        check(lambda M, t: getattr(M, name)(t), np.array([True, False]))


@pytest.mark.parametrize("name", sorted(UNARY_FLOAT))
def test_unary_float16(name):
    x = _uniform(name, (5,), np.float16)
    check(lambda M, t: getattr(M, name)(t), x, grad=False, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("name", sorted(UNARY_FLOAT))
def test_unary_float_gradcheck(name):
    x = _uniform(name, (3,), np.float64, seed=3)
    gradcheck(lambda M, t: getattr(M, name)(t), x, gradgrad=True)
    gradcheck(lambda M, t: getattr(M, name)(t) * t, x, gradgrad=True)


def test_unary_default_dtype_float64():
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        check(lambda M, t: M.exp(t), randint(-3, 3, 4))
        check(lambda M, t: M.sqrt(t) / 3, randint(1, 5, 4))
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, np.inf, -np.inf, np.nan, 1e-30, 50.0,
                    -50.0, 100.0, -100.0, 1000.0, -1000.0])


@pytest.mark.parametrize("name", sorted(UNARY_FLOAT) + ["abs", "neg", "floor", "ceil", "round",
                                                      "trunc", "frac", "sign", "sgn", "relu",
                                                      "square", "nan_to_num", "signbit"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special_values_without_warnings(name, dtype):
    """inf/nan results as torch's, and silently (no NumPy RuntimeWarning)."""
    x = SPECIAL.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check(lambda M, t: getattr(M, name)(t), x, grad=False, rtol=1e-5, atol=1e-30)


def test_no_warnings_from_division_and_powers():
    z = np.array([0.0, 1.0, -1.0], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check(lambda M, t: (t / 0, 1 / t, t // 0, M.fmod(t, 0.0), t % 0.0, t ** -1, 0 ** -t,
                            M.log(t), M.xlogy(t, t), M.div(t, 0.0, rounding_mode="trunc")),
              z, grad=False)
        a = ember.tensor([0.0, 1.0]).requires_grad_()
        (a.log() * 2).sum().backward()                   # grad 2 / 0 = inf, silently
        assert a.grad.tolist()[0] == math.inf
    # gradients at special points: same values as torch's, no warning from the backward
    # formulas (seeded with ones: a summed loss would itself meet inf - inf)
    fns = [lambda M, a, b: a ** b, lambda M, a, b: a ** 0, lambda M, a, b: a ** 0.5,
           lambda M, a, b: 0 ** a, lambda M, a, b: M.atan2(a, b), lambda M, a, b: M.hypot(a, b),
           lambda M, a, b: a / b, lambda M, a, b: M.xlogy(a, b), lambda M, a, b: M.rsqrt(a),
           lambda M, a, b: M.reciprocal(a), lambda M, a, b: M.logit(a),
           lambda M, a, b: M.sqrt(a), lambda M, a, b: M.log(a) + b]
    av, bv = np.array([0.0, 0.0, 1.0, 2.0]), np.array([0.0, -1.0, 0.0, 2.0])
    for f in fns:
        grads = []
        for M in (torch, ember):
            a = M.tensor(av, requires_grad=True)
            b = M.tensor(bv, requires_grad=True)
            with warnings.catch_warnings():
                warnings.simplefilter("error" if M is ember else "ignore")
                y = f(M, a, b)
                y.backward(M.ones(4, dtype=M.float64))
            grads.append([None if g is None else np.asarray(g.tolist()) for g in (a.grad, b.grad)])
        for gt, ge in zip(*grads):
            if gt is None:
                assert ge is None or not ge.any()
            else:
                np.testing.assert_allclose(ge, gt, rtol=1e-14, atol=0)


def test_sigmoid_extremes():
    x = np.array([-1000.0, -100.0, -88.0, -20.0, 0.0, 20.0, 100.0, 1000.0])
    for dt in (np.float32, np.float64):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check(lambda M, t: M.sigmoid(t), x.astype(dt), rtol=1e-6, atol=1e-30)
            check(lambda M, t: M.tanh(t), x.astype(dt), rtol=1e-6, atol=1e-30)


def test_sigmoid_tanh_save_output():
    """sigmoid/tanh backward reads the saved output: modifying it in place is an error."""
    for name in ("sigmoid", "tanh", "exp"):
        def f(M, x, name=name):
            y = getattr(M, name)(x * 1)
            y.add_(1)
            y.sum().backward()
        check_raises(f, randn(3))


def test_logit_eps():
    x = np.array([-0.5, 0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0, 1.5], np.float64)
    check(lambda M, t: M.logit(t, eps=0.1), x)
    check(lambda M, t: t.logit(0.1), x.astype(np.float32))
    check(lambda M, t: M.logit(t), x)                     # nan gradient outside [0, 1]
    check(lambda M, t: M.logit(t, eps=2.0), x, grad=False)
    gradcheck(lambda M, t: M.logit(t, eps=0.2), np.array([0.1, 0.5, 0.7]), gradgrad=True)


def test_erf_float64_precision():
    """The vectorised erf/erfc agree with torch's to a few ulp over the whole range."""
    r = np.random.default_rng(5)
    x = np.concatenate([r.standard_normal(3000) * 3, r.uniform(-30, 30, 2000),
                        r.uniform(-1.1, 1.1, 2000), [0.0, -0.0, 1.0, -1.0, 26.0, 27.0, np.inf,
                                                     -np.inf, np.nan]])
    for name in ("erf", "erfc"):
        e = getattr(ember, name)(ember.from_numpy(x)).numpy()
        t = getattr(torch, name)(torch.from_numpy(x)).numpy()
        tiny = np.abs(t) < 1e-300                           # denormal erfc: absolute only
        np.testing.assert_allclose(e[~tiny], t[~tiny], rtol=2e-15, atol=0)
        np.testing.assert_allclose(e[tiny], t[tiny], rtol=0, atol=1e-300)
        x32 = x.astype(np.float32)
        e32 = getattr(ember, name)(ember.from_numpy(x32)).numpy()
        t32 = getattr(torch, name)(torch.from_numpy(x32)).numpy()
        assert e32.dtype == np.float32
        np.testing.assert_allclose(e32, t32, rtol=3e-7, atol=1e-37)
        assert np.nanmax(np.abs(e32)) <= (1.0 if name == "erf" else 2.0)
        x16 = x.astype(np.float16)
        e16 = getattr(ember, name)(ember.from_numpy(x16)).numpy()
        t16 = getattr(torch, name)(torch.from_numpy(x16)).numpy()
        assert e16.dtype == np.float16
        np.testing.assert_allclose(e16.astype(float), t16.astype(float), rtol=1e-3, atol=1e-4)
    # the small-array path (math.erf element by element)
    check(lambda M, t: M.erf(t), x[:50], rtol=1e-15, atol=0, grad=False)
    check(lambda M, t: M.erfc(t), x[:50], rtol=1e-15, atol=1e-300, grad=False)


def test_erfinv_precision():
    r = np.random.default_rng(6)
    x = np.concatenate([r.uniform(-1, 1, 3000), 1 - 10.0 ** -r.uniform(1, 15, 200),
                        [0.0, 1.0, -1.0, 1.5, -2.0, np.nan, 1e-300, 0.5]])
    e = ember.erfinv(ember.from_numpy(x)).numpy()
    t = torch.erfinv(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(e, t, rtol=1e-13, atol=1e-300)
    check(lambda M, v: M.erfinv(v), x[:40].astype(np.float32), grad=False, rtol=2e-6)


# --- absolute value, sign, rounding ----------------------------------------------------------
KEEP_DTYPE = ["abs", "absolute", "neg", "negative", "floor", "ceil", "round", "trunc", "fix",
              "sign", "sgn", "square", "relu", "positive"]


@pytest.mark.parametrize("name", KEEP_DTYPE + ["frac"])
@pytest.mark.parametrize("shape", [(2, 3), (), (0, 2)])
def test_keep_dtype_float(name, shape):
    x = np.asarray(randn(*shape) * 3, np.float32)
    if x.size:
        x.reshape(-1)[0] = 2.5                  # a tie for round, a boundary for floor/ceil
    grad = name != "sgn"            # torch's sgn gradient is a ZeroTensor without storage
    check(lambda M, t: getattr(M, name)(t), x, grad=grad)
    check(lambda M, t: getattr(t, name)(), x.astype(np.float64), grad=grad)


@pytest.mark.parametrize("name", KEEP_DTYPE)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8, np.int16])
def test_keep_dtype_int(name, dtype):
    x = randint(-100, 100, 2, 5).astype(dtype)
    check(lambda M, t: getattr(M, name)(t), x)


@pytest.mark.parametrize("name", KEEP_DTYPE + ["frac", "reciprocal", "nan_to_num"])
def test_bool_input_support(name):
    """Either the same result as torch or the same exception type."""
    x = np.array([True, False, True])
    try:
        getattr(torch, name)(torch.from_numpy(x))
    except Exception:
        check_raises(lambda M, t: getattr(M, name)(t), x)
    else:
        check(lambda M, t: getattr(M, name)(t), x)


@pytest.mark.parametrize("name", ["frac", "round"])
def test_int_refused(name):
    if name == "frac":
        check_raises(lambda M, t: M.frac(t), randint(0, 5, 3))
    else:
        check_raises(lambda M, t: M.round(t, decimals=1), randint(0, 5, 3))
        check_raises(lambda M, t: M.round(t, decimals=1.5), randn(3))


def test_round_half_even_and_decimals():
    x = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 2.675, 1234.5678, 0.125, 0.375, 1e30, -7.45],
                 np.float32)
    for d in (0, 1, 2, 3, -1, -2, 10):
        check(lambda M, t, d=d: M.round(t, decimals=d), x, rtol=1e-6)
        check(lambda M, t, d=d: M.round(t.double(), decimals=d), x, rtol=1e-12)
    check(lambda M, t: t.round(decimals=2), x)
    check(lambda M, t: M.round(t), x[:-2].astype(np.float16), grad=False)


def test_sign_nan_and_negative_zero():
    x = np.array([np.nan, -0.0, 0.0, -3.0, 2.0, np.inf, -np.inf], np.float32)
    check(lambda M, t: (M.sign(t), M.sgn(t), M.signbit(t)), x)
    out_e = ember.sign(ember.tensor(-0.0)).item()
    assert math.copysign(1, out_e) == math.copysign(1, torch.sign(torch.tensor(-0.0)).item())


def test_abs_grad_at_zero_and_int_edge_cases():
    check(lambda M, t: M.abs(t), np.array([-1.0, 0.0, 2.0]))
    check(lambda M, t: (M.abs(t), M.neg(t), t.abs(), abs(t), -t),
          np.array([-128, 127, 0], np.int8))
    gradcheck(lambda M, t: M.abs(t) * t, np.array([-1.0, 0.5, 2.0]), gradgrad=True)


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "frac", "sign", "sgn",
                                  "abs", "neg", "relu", "square", "nan_to_num"])
def test_rounding_gradcheck(name):
    x = np.array([-1.3, 0.4, 2.7])
    gradcheck(lambda M, t: getattr(M, name)(t), x, gradgrad=True)
    gradcheck(lambda M, t: getattr(M, name)(t) * t, x, gradgrad=True)


def test_nan_to_num():
    x = np.array([np.nan, np.inf, -np.inf, 1.5, -2.0], np.float32)
    check(lambda M, t: M.nan_to_num(t), x)
    check(lambda M, t: M.nan_to_num(t, nan=1.0, posinf=2.0, neginf=-3.0), x)
    check(lambda M, t: t.nan_to_num(0.5), x.astype(np.float64))
    check(lambda M, t: M.nan_to_num(t), x.astype(np.float16), grad=False)
    check(lambda M, t: M.nan_to_num(t, nan=1.5), randint(0, 5, 3))


# --- clamp -----------------------------------------------------------------------------------
def test_clamp_scalar_bounds_and_boundary_gradients():
    x = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, np.nan])
    check(lambda M, t: M.clamp(t, 0, 2), x)          # min <= x <= max gets the gradient
    check(lambda M, t: M.clamp(t, min=0.5), x)
    check(lambda M, t: M.clamp(t, max=1), x)
    check(lambda M, t: M.clamp(t, 2, 0), x)          # min > max: all max, no gradient
    check(lambda M, t: (M.clip(t, -0.5, 0.5), t.clip(max=1.5), t.clamp(min=1)), x)
    check(lambda M, t: (M.clamp_min(t, 1.0), M.clamp_max(t, 1.0), t.clamp_min(0),
                        t.clamp_max(0)), x)
    check(lambda M, t: M.clamp(t, float("nan")), x[:3], grad=False)


def test_clamp_dtypes():
    i = randint(-5, 5, 6)
    check(lambda M, t: (M.clamp(t, 0, 2), M.clamp(t, 0.5), M.clamp_min(t, 0.5),
                        M.clamp(t, max=1.5)), i)
    check(lambda M, t: M.clamp(t, 0, 1), np.array([True, False]))
    check(lambda M, t: M.clamp(t, 0.5, 1.25), randn(4).astype(np.float16), grad=False)
    check(lambda M, t: M.clamp(t, 3, 250), randint(0, 255, 5, dtype=np.uint8))


def test_clamp_tensor_bounds():
    x = np.array([-1.0, 0.0, 1.0, 2.0, 3.0])
    lo = np.array([0.0, 0.0, 1.0, 3.0, 4.0])
    hi = np.array([2.0, 0.0, 1.0, 2.0, 2.0])
    check(lambda M, a, b, c: M.clamp(a, b, c), x, lo, hi)
    check(lambda M, a, b, c: M.clamp(a, b, c), x, np.full(5, 5.0), np.zeros(5))   # crossing
    check(lambda M, a, b: M.clamp(a, min=b), x, lo)
    check(lambda M, a, b: M.clamp(a, max=b), x, lo)
    check(lambda M, a, b: (M.clamp_min(a, b), M.clamp_max(a, b)), x, lo)
    nan = np.nan
    check(lambda M, a, b, c: M.clamp(a, b, c), np.array([nan, 1.0, 1.0]),
          np.array([0.0, nan, 0.0]), np.array([2.0, 2.0, nan]))
    check(lambda M, a, b, c: M.clamp(a, b, c), randn(3, 4), randn(4) - 1, randn(3, 1) + 1)
    check(lambda M, a, b: M.clamp(a, min=b), randint(-3, 3, 4), np.array(0.5))
    gradcheck(lambda M, a, b, c: M.clamp(a, b, c), randn(3, 4), randn(4) - 1, randn(3, 1) + 1,
              gradgrad=True)
    gradcheck(lambda M, a, b, c: M.clamp(a, b, c) * (a + b + c), randn(3, 4), randn(4) - 1,
              randn(3, 1) + 1, gradgrad=True)
    gradcheck(lambda M, a: M.clamp(a, -0.5, 0.5) * a, randn(5), gradgrad=True)


def test_clamp_errors():
    check_raises(lambda M, t: M.clamp(t), randn(3))
    check_raises(lambda M, t: t.clamp(), randn(3))
    check_raises(lambda M, t, lo: M.clamp(t, lo, 1), randn(3), randn(3))
    check_raises(lambda M, t, lo: M.clamp(t, min=lo), randn(2), randn(3))
    check_raises(lambda M, t: M.clamp(t, -1, 300), randint(0, 5, 3, dtype=np.uint8))
    check_raises(lambda M: M.clamp(2.0, 0, 1))


# --- arithmetic ------------------------------------------------------------------------------
def test_add_sub_alpha():
    a, b = randn(3, 4), randn(4)
    check(lambda M, x, y: (M.add(x, y, alpha=2), M.sub(x, y, alpha=-0.5), x.add(y, alpha=3),
                           x.sub(y, alpha=2), M.subtract(x, y), M.rsub(x, y, alpha=2)), a, b)
    check(lambda M, x: (M.add(x, 2, alpha=3), M.sub(x, 1.5, alpha=2), M.add(1, x)), a)
    i = randint(-5, 5, 4)
    check(lambda M, x, y: (M.add(x, y, alpha=2), M.sub(x, 2, alpha=3), M.rsub(x, 1, alpha=2),
                           M.add(x, 1.5, alpha=2)), i, randint(-5, 5, 4))
    check(lambda M, x: M.add(x, x, alpha=2), np.array([True, False]))
    check(lambda M, x: M.add(x, x, alpha=True), np.array([True, False]))
    check_raises(lambda M, x: M.add(x, x, alpha=2.5), i)
    check_raises(lambda M, x: M.sub(x, x, alpha=0.5), i)
    check_raises(lambda M, x: M.add(x, x, alpha=True), a)


def test_mul_div_rounding_modes():
    a = np.array([7.0, -7.0, 7.5, -7.5, 0.0, 3.0], np.float32)
    b = np.array([2.0, 2.0, -2.0, -2.0, 3.0, 0.0], np.float32)
    check(lambda M, x, y: (M.mul(x, y), M.div(x, y), M.divide(x, y), M.true_divide(x, y),
                           M.multiply(x, 2)), a, b)
    check(lambda M, x, y: (M.div(x, y, rounding_mode="trunc"),
                           M.div(x, y, rounding_mode="floor")), a, b)
    ia = np.array([7, -7, 7, -7, 0, 9])
    ib = np.array([2, 2, -2, -2, 3, 4])
    check(lambda M, x, y: (M.div(x, y), M.div(x, y, rounding_mode="trunc"),
                           M.div(x, y, rounding_mode="floor"), M.floor_divide(x, y), x // y,
                           x // 2.5, 7 // y, x.div(y, rounding_mode="trunc")), ia, ib)
    check(lambda M, x: (M.div(x, 0), x / 0), ia)
    check_raises(lambda M, x: M.div(x, 0, rounding_mode="floor"), ia)
    check_raises(lambda M, x: M.div(x, 0, rounding_mode="trunc"), ia)
    check_raises(lambda M, x: x // 0, ia)
    check_raises(lambda M, x: M.div(x, 2, rounding_mode="bad"), ia)
    check_raises(lambda M, x: M.floor_divide(x, x), np.array([True, False]))
    check(lambda M, x: M.div(x, x), np.array([True, False]))
    gradcheck(lambda M, x, y: M.div(x, y) * x, randn(3), randn(3) + 3, gradgrad=True)
    gradcheck(lambda M, x, y: M.mul(x, y) * x, randn(2, 3), randn(3), gradgrad=True)


def test_floor_divide_has_no_derivative():
    """Like torch: ``//`` has no derivative, div(rounding_mode=...) a zero one."""
    def f(M, x):
        (x // 2).sum().backward()
    check_raises(f, randn(3))
    check(lambda M, x: (M.div(x, 2, rounding_mode="floor"),
                        M.div(x, 2, rounding_mode="trunc")), randn(3))


def test_int_overflow_wraps_like_torch():
    u = np.array([1, 200, 255], np.uint8)
    check(lambda M, x: (x + 300, x * 3, x - 1, x + 1, x & 511), u)
    check(lambda M, x: (x * 100, x ** 5), np.array([3, -3, 100], np.int8))


# --- powers ----------------------------------------------------------------------------------
def test_pow_variants():
    x = rand(3, 4, low=0.5, high=2.0)
    check(lambda M, t: (M.pow(t, 2), t ** 3, t ** 0.5, t ** -1.5, t ** 0, t.pow(1)), x)
    check(lambda M, t: (2 ** t, 0.5 ** t, M.pow(3, t), M.pow(2.5, t)), x)
    check(lambda M, a, b: (a ** b, M.pow(a, b), a.pow(b)), x, randn(4))
    check(lambda M, t: (t ** 2, t ** 0, 2 ** t, t ** True, M.pow(t, t)), randint(0, 4, 5))
    check(lambda M, t: (t ** 2.0, t ** -1.0, 2.5 ** t), randint(1, 4, 5))
    ia = np.array([1, -1, 2, 0, -2, 3])
    ib = np.array([-1, -1, -1, -1, -3, 2])
    check(lambda M, a, b: (a ** b, 2 ** b, (-1) ** b, 1 ** b, 0 ** b), ia, ib)
    check(lambda M, t: (t ** 2, 2 ** t), np.array([True, False]))
    check(lambda M, t: t ** 5, np.array([3, -3, 2], np.int8))
    check(lambda M, t: M.square(t), np.array([-128, 3], np.int8))


def test_pow_special_gradients():
    check(lambda M, t: (t ** 2, t ** 0, t ** 0.5), np.array([0.0, 1.0, -2.0]))
    check(lambda M, t: (2 ** t, 0 ** t, (-2) ** t), np.array([0.0, 1.0, -2.0]))
    check(lambda M, a, b: a ** b, np.array([0.0, 0.0, 0.0, 2.0, -2.0, 0.0, 1.0]),
          np.array([0.0, 1.0, -1.0, 2.0, 2.0, 0.5, 0.0]))


def test_pow_gradcheck():
    x = rand(4, low=0.5, high=2.0, dtype=np.float64)
    gradcheck(lambda M, t: t ** 3, x, gradgrad=True)
    gradcheck(lambda M, t: t ** -1.5, x, gradgrad=True)
    gradcheck(lambda M, t: 2.5 ** t, x, gradgrad=True)
    gradcheck(lambda M, a, b: a ** b, x, randn(4, dtype=np.float64), gradgrad=True)
    gradcheck(lambda M, a, b: M.pow(a, b), rand(2, 3, low=0.5, high=2.0, dtype=np.float64),
              randn(3, dtype=np.float64), gradgrad=True)
    gradcheck(lambda M, t: M.square(t), x, gradgrad=True)
    gradcheck(lambda M, t: M.float_power(t, 2.5), x, gradgrad=True)


def test_pow_errors():
    i = randint(1, 4, 3)
    check_raises(lambda M, t: t ** -1, i)
    check_raises(lambda M, t: M.pow(t, -2), np.array([2, 3], np.uint8))
    check_raises(lambda M, t: M.pow(t, t), np.array([True, False]))
    check_raises(lambda M: M.pow(2, 3))
    check_raises(lambda M, t: t.pow_(2.0), i.astype(np.int32))


def test_float_power():
    x = rand(3, low=0.5, high=2.0)
    check(lambda M, t: (M.float_power(t, 2), M.float_power(t, 0.5), M.float_power(2, t),
                        t.float_power(t)), x)
    check(lambda M, t: (M.float_power(t, 2), M.float_power(2, t)), randint(-2, 3, 4))
    check_raises(lambda M, t: t.float_power_(2), x)
    check(lambda M, t: t.double().float_power_(2), x, grad=False)


# --- remainders ------------------------------------------------------------------------------
def test_fmod_remainder():
    a = np.array([5.0, -5.0, 5.5, -5.5, 4.0, -4.0], np.float32)
    b = np.array([3.0, 3.0, -2.0, -2.0, 2.0, -2.0], np.float32)
    check(lambda M, x, y: (M.fmod(x, y), M.remainder(x, y), x % y, x.fmod(y),
                           x.remainder(y)), a, b)
    check(lambda M, x: (M.fmod(x, 2.5), M.remainder(x, -2), 7 % x, M.remainder(3, x)), a,
          grad=False)
    check(lambda M, x: (M.fmod(x, 2.5), M.remainder(x, -2)), a)

    def number_dividend(M, x):               # torch defines no derivative for number % tensor
        (3 % x).sum().backward()
    check_raises(number_dividend, a)
    ia, ib = np.array([5, -5, 7, -7]), np.array([3, 3, -2, -2])
    check(lambda M, x, y: (M.fmod(x, y), M.remainder(x, y), x % y, x % 3, -3 % y,
                           M.fmod(x, -3)), ia, ib)
    check(lambda M, x: (M.fmod(x, 0.0), M.remainder(x, 0.0), x % 0.0), a)
    check(lambda M, x: (x % 0.0, M.fmod(x, 0.0)), ia)
    check_raises(lambda M, x: M.fmod(x, 0), ia)
    check_raises(lambda M, x: x % 0, ia)
    check_raises(lambda M, x: M.fmod(x, x), np.array([True, False]))
    check_raises(lambda M, x: M.remainder(x, x), np.array([True, False]))
    check_raises(lambda M, x: M.fmod(2, x), a)
    for name in ("fmod", "remainder"):
        gradcheck(lambda M, x, y, name=name: getattr(M, name)(x, y) * (x + y),
                  np.array([5.3, -5.2, 5.5]), np.array([3.1, 3.2, -2.1]), gradgrad=True)


# --- lerp, addcmul, addcdiv ------------------------------------------------------------------
def test_lerp():
    a, b = randn(3, 4), randn(4)
    check(lambda M, x, y: (M.lerp(x, y, 0.3), M.lerp(x, y, 0.75), x.lerp(y, 2.0),
                           M.lerp(x, y, 1)), a, b)
    check(lambda M, x, y, w: (M.lerp(x, y, w), x.lerp(y, w)), a, b, rand(3, 1))
    check(lambda M, x, y, w: M.lerp(x, y, w), a, b, np.array(0.5, np.float64))
    check(lambda M, x, y: M.lerp(x, y, 0.5), a.astype(np.float16), b.astype(np.float16),
          grad=False, rtol=1e-3, atol=1e-3)
    gradcheck(lambda M, x, y, w: M.lerp(x, y, w), randn(3, 2), randn(2), rand(3, 1),
              gradgrad=True)
    gradcheck(lambda M, x, y, w: M.lerp(x, y, w) * (x + y), randn(3, 2), randn(2), rand(3, 1),
              gradgrad=True)
    gradcheck(lambda M, x, y: M.lerp(x, y, 0.7) * x, randn(3), randn(3), gradgrad=True)
    check_raises(lambda M, x, y: M.lerp(x, y, 0.5), a, b.astype(np.float64))
    check_raises(lambda M, x, y, w: M.lerp(x, y, w), a, b, rand(4, dtype=np.float64))
    check_raises(lambda M, x, y, w: M.lerp(x, y, w), a, b, randint(0, 2, 4))
    check_raises(lambda M, x: M.lerp(x, x, 0.5), randint(0, 3, 3))
    check_raises(lambda M, x: M.lerp(x, 1.0, 0.5), a)
    check_raises(lambda M, x, y: M.lerp(x, y, 0.5), a, randn(3))


def test_addcmul_addcdiv():
    x, t1, t2 = randn(3, 4), randn(4), randn(3, 1) + 3
    check(lambda M, a, b, c: (M.addcmul(a, b, c), M.addcmul(a, b, c, value=0.5),
                              M.addcdiv(a, b, c), M.addcdiv(a, b, c, value=-2),
                              a.addcmul(b, c, value=2), a.addcdiv(b, c)), x, t1, t2)
    i = randint(-3, 3, 4)
    check(lambda M, a: (M.addcmul(a, a, a, value=2), M.addcmul(a, a, a, value=2.5)), i)
    check(lambda M, a, b: (M.addcmul(b, a, a, value=0.5), M.addcmul(a, b, b),
                           M.addcdiv(a, b, b + 5)), i, randn(4))
    check(lambda M, a: M.addcmul(a, a, a, value=True), randn(3))
    check_raises(lambda M, a: M.addcdiv(a, a, a), i)
    check_raises(lambda M, a, b: M.addcdiv(b, a, a), i, randn(4))
    check_raises(lambda M, a: M.addcmul(a, a, a), np.array([True]))
    check_raises(lambda M, a, b: M.addcmul(a, b, b), randn(3), randn(4))
    gradcheck(lambda M, a, b, c: M.addcmul(a, b, c, value=0.7) * a, randn(3, 2), randn(2),
              randn(3, 1), gradgrad=True)
    gradcheck(lambda M, a, b, c: M.addcdiv(a, b, c, value=0.7) * a, randn(3, 2), randn(2),
              randn(3, 1) + 3, gradgrad=True)


# --- two-input floating point functions ------------------------------------------------------
TWO_INPUT = ["atan2", "arctan2", "hypot", "copysign", "xlogy", "logaddexp", "logaddexp2",
             "maximum", "minimum", "fmax", "fmin"]


@pytest.mark.parametrize("name", TWO_INPUT)
def test_two_input_parity(name):
    a, b = randn(3, 4), randn(4)
    if name == "xlogy":
        b = np.abs(b) + 0.1
    check(lambda M, x, y: (getattr(M, name)(x, y), getattr(x, name)(y)), a, b)
    check(lambda M, x, y: getattr(M, name)(x, y), a.astype(np.float64), b.astype(np.float32))
    check(lambda M, x, y: getattr(M, name)(x, y), np.asarray(randn()), randn(0, 1))
    gradcheck(lambda M, x, y: getattr(M, name)(x, y), randn(2, 3), b[:3].astype(np.float64),
              gradgrad=True)
    gradcheck(lambda M, x, y: getattr(M, name)(x, y) * (x + y), randn(2, 3),
              b[:3].astype(np.float64), gradgrad=True)


@pytest.mark.parametrize("name", TWO_INPUT)
def test_two_input_int_and_scalar_args(name):
    """Same dtype as torch, or the same exception type (int inputs, number arguments)."""
    i, f = randint(1, 5, 4), rand(4, low=0.5, high=2)
    cases = [(i, i), (i, f), (np.array([True, False]), np.array([True, True]))]
    for a, b in cases:
        try:
            getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b))
        except Exception:
            check_raises(lambda M, x, y: getattr(M, name)(x, y), a, b)
        else:
            check(lambda M, x, y: getattr(M, name)(x, y), a, b)
    for s in (2, 2.5):
        for first in (True, False):
            def call(M, x, s=s, first=first):
                return getattr(M, name)(x, s) if first else getattr(M, name)(s, x)
            try:
                call(torch, torch.from_numpy(f))
            except Exception:
                check_raises(call, f)
            else:
                check(call, f)


def test_maximum_minimum_ties_and_nan():
    nan = np.nan
    a = np.array([1.0, 2.0, 3.0, nan, 1.0, nan, -0.0])
    b = np.array([1.0, 1.0, 4.0, 1.0, nan, nan, 0.0])
    check(lambda M, x, y: M.maximum(x, y), a, b)
    check(lambda M, x, y: M.minimum(x, y), a, b)
    check(lambda M, x, y: M.fmax(x, y), a, b)
    check(lambda M, x, y: M.fmin(x, y), a, b)
    check(lambda M, x, y: (M.maximum(x, y), M.minimum(x, y), M.fmax(x, y)),
          randint(0, 5, 6), randint(0, 5, 6))
    check(lambda M, x, y: M.maximum(x, y), np.array([True, False]), np.array([False, False]))
    check(lambda M, x, y: M.maximum(x, y), randint(0, 5, 3), np.array(2.5))
    check_raises(lambda M, x: M.maximum(x, 1), a)
    check_raises(lambda M, x, y: M.maximum(x, y), randn(2), randn(3))


def test_atan2_hypot_copysign_special_points():
    check(lambda M, x, y: (M.atan2(x, y), M.hypot(x, y)), np.array([0.0, 3.0, -1.0]),
          np.array([0.0, 4.0, 0.0]))
    check(lambda M, x, y: M.copysign(x, y), np.array([5.0, -5.0, 0.0, 2.0]),
          np.array([3.0, 3.0, -2.0, -0.0]))
    check(lambda M, x: (M.copysign(x, -1), M.copysign(x, 0.0)), randint(-3, 3, 4))
    check(lambda M, x, y: M.xlogy(x, y), np.array([0.0, 1.0, 0.0, 2.0]),
          np.array([0.0, 2.0, np.nan, 0.0]))
    check(lambda M, x: (M.xlogy(x, 2.0), M.xlogy(2, x)), rand(3, low=0.5, high=2.0))


# --- bitwise and logical ---------------------------------------------------------------------
INT_DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64]


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_bitwise(dtype):
    a = randint(-20, 120, 6).astype(dtype)
    b = randint(-20, 120, 6).astype(dtype)
    check(lambda M, x, y: (M.bitwise_and(x, y), M.bitwise_or(x, y), M.bitwise_xor(x, y),
                           M.bitwise_not(x), x & y, x | y, x ^ y, ~x, x.bitwise_and(y),
                           x.bitwise_not()), a, b)
    s = True if dtype is np.bool_ else 5
    check(lambda M, x: (x & s, s & x, x | s, s | x, x ^ s, s ^ x, M.bitwise_and(x, s),
                        M.bitwise_or(s, x)), a)


@pytest.mark.parametrize("dtype", INT_DTYPES[1:])
def test_shifts(dtype):
    a = randint(-20, 120, 6).astype(dtype)
    sh = np.array([0, 1, 3, 7, 2, 5]).astype(dtype)
    check(lambda M, x, y: (x << y, x >> y, M.bitwise_left_shift(x, y),
                           M.bitwise_right_shift(x, y), x << 2, x >> 1, 1 << y), a, sh)
    big = np.array([64, 70, 9, -1, 8, 16]).astype(dtype)
    check(lambda M, x, y: (x << y, x >> y), a, big)


def test_bitwise_mixed_and_errors():
    i = randint(-5, 5, 4)
    check(lambda M, x, y: (x & y, M.bitwise_or(x, y)), i, np.array([1, 3, 5, 7], np.uint8))
    check(lambda M, x: (x & True, x | 0), np.array([True, False]))
    check(lambda M, x: M.bitwise_and(x, -1), np.array([1, 255], np.uint8))
    f = randn(3)
    check_raises(lambda M, x: M.bitwise_and(x, x), f)
    check_raises(lambda M, x: x & x, f)
    check_raises(lambda M, x: M.bitwise_and(x, 1.5), i)
    check_raises(lambda M, x: M.bitwise_not(x), f)
    check_raises(lambda M, x: ~x, f)
    check_raises(lambda M, x: x << 1, f)
    check_raises(lambda M, x, y: x & y, i, randint(0, 3, 3))


def test_logical():
    a = np.array([1.5, 0.0, -2.0, np.nan, 0.0])
    b = np.array([1, 1, 0, 0, 0])
    check(lambda M, x, y: (M.logical_and(x, y), M.logical_or(x, y), M.logical_xor(x, y),
                           M.logical_not(x), x.logical_and(y), y.logical_not()), a, b)
    check(lambda M, x: (M.logical_not(x), M.logical_and(x, x)), np.array([True, False]))
    check(lambda M, x: M.logical_not(x), np.array([0, 3], np.uint8))
    check_raises(lambda M, x: M.logical_and(x, 1), a)
    check_raises(lambda M, x: M.logical_xor(x, 1.5), b)
    check(lambda M, x, y: M.logical_and(x, y, out=M.empty(5)), a, b)


# --- public API, out= ------------------------------------------------------------------------
def test_public_names_exist_in_torch():
    from ember.ops import elementwise
    for name in elementwise.__all__:
        assert hasattr(torch, name), name
        assert callable(getattr(ember, name)), name
    for name in elementwise.METHODS:
        assert hasattr(torch.Tensor, name), name
        assert hasattr(ember.Tensor, name), name


def test_out_argument():
    x, y = randn(3), rand(3, low=0.5, high=2)

    def f(M, a, b):
        outs = []
        for fn, args in ((M.exp, (a,)), (M.add, (a, b)), (M.mul, (a, b)), (M.div, (a, b)),
                         (M.pow, (b, 2)), (M.clamp, (a, -0.5, 0.5)), (M.maximum, (a, b)),
                         (M.sigmoid, (a,)), (M.round, (a,)), (M.atan2, (a, b)),
                         (M.lerp, (a, b, 0.5)), (M.floor_divide, (a, b))):
            o = M.empty(3)
            r = fn(*args, out=o)
            assert r is o
            outs.append(o)
        o = M.empty(3, dtype=M.float64)
        M.add(a, b, out=o)                         # out of another dtype: cast on copy
        outs.append(o)
        return tuple(outs)
    check(f, x, y, grad=False)


# --- errors ----------------------------------------------------------------------------------
def test_bool_subtraction_and_negation_errors():
    b, f, i = np.array([True, False]), randn(2), randint(0, 3, 2)
    check_raises(lambda M, x: x - x, b, match="two bool tensors")
    check_raises(lambda M, x: M.sub(x, x), b)
    check_raises(lambda M, x: x - True, b)
    check_raises(lambda M, x: True - x, b)
    check_raises(lambda M, x: x - 1, b, match="with a bool tensor")
    check_raises(lambda M, x: 1 - x, b)
    check_raises(lambda M, x: x - 1.5, b)
    check_raises(lambda M, x, y: x - y, f, b)
    check_raises(lambda M, x, y: y - x, f, b)
    check_raises(lambda M, x, y: x - y, i, b)
    check_raises(lambda M, x: x - True, f)
    check_raises(lambda M, x: -x, b)
    check_raises(lambda M, x: M.neg(x), b)
    check_raises(lambda M, x: +x, b)
    check_raises(lambda M, x: M.positive(x), b)
    check_raises(lambda M, x: x.sub_(x), b)
    check_raises(lambda M, x: x.neg_(), b)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "atan2", "fmod",
                                "remainder", "hypot", "logical_and", "bitwise_and"])
def test_broadcast_errors(op):
    a, b = randn(2, 3), randn(4)
    if op == "bitwise_and":
        a, b = randint(0, 3, 2, 3), randint(0, 3, 4)
    e, _ = check_raises(lambda M, x, y: getattr(M, op)(x, y), a, b)
    assert "3" in str(e) and "4" in str(e), str(e)


@pytest.mark.parametrize("name", ["exp", "abs", "sigmoid", "neg", "sin", "floor", "round",
                                  "relu", "logical_not", "bitwise_not", "nan_to_num", "sign",
                                  "square", "erf", "logit", "clamp"])
def test_number_instead_of_tensor(name):
    check_raises(lambda M: getattr(M, name)(2.0))


def test_numpy_scalars_are_numbers():
    x = rand(3, low=0.5, high=2)
    for s in (np.float16(0.5), np.float64(2.5), np.int32(2), np.bool_(True)):
        check(lambda M, t, s=s: (t ** s, t + s, t * s, M.pow(t, s), M.clamp(t, s)), x)


def test_operators_return_notimplemented_for_foreign_types():
    x = ember.tensor([1.0, 2.0])
    for f in (lambda: x + "a", lambda: "a" * x, lambda: x ** "a", lambda: x & "a",
              lambda: x / [1, 2]):
        with pytest.raises(TypeError):
            f()


# --- in-place variants -----------------------------------------------------------------------
INPLACE_UNARY = ["abs_", "neg_", "negative_", "exp_", "exp2_", "expm1_", "log_", "log1p_",
                 "log2_", "log10_", "sqrt_", "rsqrt_", "sin_", "cos_", "tan_", "asin_",
                 "arcsin_", "acos_", "arccos_", "atan_", "arctan_", "sinh_", "cosh_", "tanh_",
                 "asinh_", "arcsinh_", "acosh_", "arccosh_", "atanh_", "arctanh_", "sigmoid_",
                 "erf_", "erfc_", "erfinv_", "floor_", "ceil_", "round_", "trunc_", "fix_",
                 "frac_", "sign_", "sgn_", "reciprocal_", "relu_", "square_", "nan_to_num_",
                 "logit_", "deg2rad_", "rad2deg_", "absolute_", "bitwise_not_", "logical_not_"]


@pytest.mark.parametrize("name", INPLACE_UNARY)
def test_inplace_unary(name):
    base = name[:-1]
    x = _uniform(base, (2, 3), np.float32) if base in UNARY_FLOAT else randn(2, 3)
    if name == "acosh_" or name == "arccosh_":
        x = x + 1
    if name in ("bitwise_not_",):
        x = randint(-5, 5, 2, 3)

    def f(M, t):
        u = t.clone() if t.dtype != M.bool else t
        v0 = u._version
        r = getattr(u, name)()
        assert r is u
        assert u._version > v0
        return u
    check(f, x, grad=False)
    # functional in-place variants where torch has them
    if hasattr(torch, name):
        check(lambda M, t: getattr(M, name)(t.clone()), x, grad=False)


def test_inplace_unary_int_cast_errors():
    i = randint(1, 4, 3)
    for name in ("exp_", "sqrt_", "sigmoid_", "sin_", "reciprocal_", "erf_"):
        check_raises(lambda M, t, name=name: getattr(t, name)(), i)
    check(lambda M, t: (t.clone().abs_(), t.clone().neg_(), t.clone().floor_(),
                        t.clone().square_(), t.clone().sign_()), i, grad=False)
    check(lambda M, t: t.clone().logical_not_(), randn(3), grad=False)


INPLACE_BINARY = [("add_", 1.5), ("sub_", 2), ("mul_", 0.5), ("div_", 4.0), ("true_divide_", 3),
                  ("floor_divide_", 2), ("pow_", 2), ("fmod_", 1.5), ("remainder_", 1.5),
                  ("copysign_", -1.0), ("xlogy_", 2.0), ("clamp_min_", 0.0),
                  ("clamp_max_", 0.0), ("subtract_", 1), ("multiply_", 2), ("divide_", 2)]


@pytest.mark.parametrize("name,other", INPLACE_BINARY)
def test_inplace_binary(name, other):
    x, y = randn(3, 4), randn(4)

    def f(M, t, o):
        for arg in (other, o):
            u = t.clone()
            v0 = u._version
            assert getattr(u, name)(arg) is u
            assert u._version == v0 + 1
            yield u
    check(lambda M, t, o: tuple(f(M, t, o)), x, y, grad=False)


def test_inplace_binary_dtype_and_shape_errors():
    i = randint(1, 5, 3)
    check_raises(lambda M, t: t.add_(1.5), i)
    check_raises(lambda M, t: t.mul_(M.ones(3)), i)
    check_raises(lambda M, t: t.div_(2), i)
    check_raises(lambda M, t: t.div_(t), i)
    check_raises(lambda M, t: t.clamp_(0.5), i)
    check_raises(lambda M, t: t.atan2_(t), i)
    check_raises(lambda M, t: t.bitwise_and_(1.5), i)
    check_raises(lambda M, t: t.add_(M.ones(2, 3)), randn(3))
    check_raises(lambda M, t: t.mul_(M.ones(2)), randn(1))
    check_raises(lambda M, t: t.addcmul_(M.ones(2, 3), M.ones(3)), randn(3))
    check(lambda M, t: (t.clone().add_(M.tensor([1, 2, 3])), t.clone().floor_divide_(2),
                        t.clone().add_(1, alpha=2), t.clone().div_(2, rounding_mode="floor")),
          i, grad=False)
    check(lambda M, t: t.clone().add_(M.tensor([1, 2, 3])), randn(3), grad=False)


def test_inplace_operators():
    x = randn(3, 4)

    def f(M, t):
        outs = []
        for op in ("__iadd__", "__isub__", "__imul__", "__itruediv__", "__ipow__", "__imod__",
                   "__ifloordiv__"):
            u = t.clone() + 3
            v0 = u._version
            r = getattr(u, op)(2)
            assert r is u and u._version == v0 + 1
            outs.append(u)
        u = t.clone()
        u += t
        u *= t
        u -= 1
        u /= t + 5
        outs.append(u)
        return tuple(outs)
    check(f, x, grad=False)
    i = randint(0, 8, 5)

    def g(M, t):
        u = t.clone()
        u &= 6
        u |= 1
        u ^= 3
        u <<= 2
        u >>= 1
        return u
    check(g, i, grad=False)


@pytest.mark.parametrize("name,args", [("lerp_", ("y", 0.3)), ("addcmul_", ("y", "y")),
                                       ("addcdiv_", ("y", "z")), ("clamp_", (-0.5, 0.5)),
                                       ("clip_", (None, 0.2)), ("atan2_", ("y",)),
                                       ("hypot_", ("y",)), ("nan_to_num_", ()),
                                       ("round_", ()), ("logit_", ())])
def test_inplace_multi_arg(name, args):
    x, y, z = rand(3, 4, low=0.1, high=0.9), randn(4), rand(4, low=1, high=2)

    def f(M, t, a, b):
        u = t.clone()
        sub = {"y": a, "z": b}
        r = getattr(u, name)(*[sub.get(v, v) if isinstance(v, str) else v for v in args])
        assert r is u and u._version == 1
        return u
    check(f, x, y, z, grad=False)


def test_inplace_fused_with_value():
    x, y, z = randn(3, 4), randn(4), rand(4, low=1, high=2)
    check(lambda M, a, b, c: (a.clone().addcmul_(b, c, value=-0.1),
                              a.clone().addcdiv_(b, c, value=0.25),
                              a.clone().lerp_(b, M.full((3, 1), 0.7))), x, y, z, grad=False)


def test_inplace_in_graph_gradients():
    """In-place ops on non-leaf tensors inside a graph give torch's gradients."""
    def f(M, x, y):
        # only the last op of a chain may save its output (the next would modify it)
        u = (x * 1).mul_(y).add_(2).clamp_(0.2, 0.9).pow_(2).sigmoid_()
        v = (x * 1).addcmul_(y, y, value=0.5).lerp_(x, 0.25).div_(y + 3).exp_()
        w = (x + 2).abs_().clamp_min_(0.1).log_().tanh_()
        return u, v, w
    check(f, randn(3, 4), randn(4))

    def g(M, x):
        y = (x * 1).sqrt_()                   # saves its output ...
        y.add_(1)                             # ... which is then modified
        y.sum().backward()
    check_raises(g, rand(3, low=0.5, high=1.0))
    gradcheck(lambda M, x, y: (x * 1).mul_(y).addcdiv_(x, y * y + 1, value=2).sigmoid_(),
              randn(2, 3), randn(3), gradgrad=True)


def test_inplace_on_leaf_and_views():
    def f(M, x):
        x.requires_grad_()
        x.add_(1)
    check_raises(f, randn(3))                     # leaf requiring grad

    def f2(M, x):
        x.requires_grad_()
        x.exp_()
    check_raises(f2, randn(3))

    def g(M, x):
        y = x.detach().clone()
        v = y[0]
        v.mul_(2).add_(1)
        return y, v
    check(g, randn(2, 3), grad=False)


def test_inplace_fast_path_respects_no_grad_and_versions():
    x = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        for f in (lambda: x.mul_(0.9), lambda: x.add_(1), lambda: x.sqrt_(),
                  lambda: x.clamp_(0, 1.5), lambda: x.addcmul_(x, x, value=0.1),
                  lambda: x.relu_(), lambda: x.pow_(2), lambda: x.div_(2)):
            v0 = x._version
            assert f() is x
            assert x._version == v0 + 1
    t = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        t.mul_(0.9).add_(1).sqrt_().clamp_(0, 1.5).addcmul_(t, t, value=0.1).relu_().pow_(2)
        t.div_(2)
    np.testing.assert_allclose(x.detach().numpy(), t.detach().numpy(), rtol=1e-6)
    assert x.grad_fn is None and x.requires_grad


def test_saved_tensor_modified_in_place_is_detected():
    def f(M, x):
        y = x * 1
        z = y.sin()                # saves y
        y.mul_(2)                  # modifies it
        z.sum().backward()
    check_raises(f, randn(3))


# --- grad_fn names ---------------------------------------------------------------------------
def test_grad_fn_names():
    x = randn(3)
    cases = {"abs": lambda M, t: M.abs(t), "exp": lambda M, t: M.exp(t),
             "sigmoid": lambda M, t: M.sigmoid(t), "tanh": lambda M, t: M.tanh(t),
             "pow0": lambda M, t: t ** 2, "pow2": lambda M, t: 2 ** t,
             "pow1": lambda M, t: t ** t, "clamp1": lambda M, t: t.clamp(0, 1),
             "clampmin": lambda M, t: t.clamp_min(0), "maximum": lambda M, t: M.maximum(t, t),
             "log1p": lambda M, t: t.log1p(), "div2": lambda M, t: M.div(t, 2,
                                                                       rounding_mode="floor"),
             "lerp": lambda M, t: M.lerp(t, t, 0.5), "erf": lambda M, t: t.erf()}
    for k, f in cases.items():
        e = f(ember, ember.from_numpy(x.copy()).requires_grad_())
        t = f(torch, torch.from_numpy(x.copy()).requires_grad_())
        en = e.grad_fn.name()
        assert en == t.grad_fn.name(), (k, en, t.grad_fn.name())


# --- hypothesis: broadcasting ----------------------------------------------------------------
@st.composite
def broadcastable_shapes(draw):
    nd = draw(st.integers(0, 4))
    base = draw(st.lists(st.integers(0, 3), min_size=nd, max_size=nd))
    a, b = [], []
    for s in base:
        choice = draw(st.integers(0, 2))
        a.append(1 if choice == 1 else s)
        b.append(1 if choice == 2 else s)
    da, db = draw(st.integers(0, nd)), draw(st.integers(0, nd))
    return tuple(a[da:]), tuple(b[db:])


BCAST_OPS = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "atan2", "fmod",
             "remainder"]


@given(shapes=broadcastable_shapes(), op=st.sampled_from(BCAST_OPS), seed=st.integers(0, 99))
def test_hypothesis_broadcasting(shapes, op, seed):
    sa, sb = shapes
    a = rand(*sa, low=0.5, high=2.0, seed=seed)
    b = rand(*sb, low=0.5, high=2.0, seed=seed + 1)
    check(lambda M, x, y: getattr(M, op)(x, y), a, b)


@given(sa=st.lists(st.integers(1, 4), max_size=3), sb=st.lists(st.integers(1, 4), max_size=3))
def test_hypothesis_broadcast_failures(sa, sb):
    try:
        np.broadcast_shapes(tuple(sa), tuple(sb))
    except ValueError:
        check_raises(lambda M, x, y: x + y, randn(*sa), randn(*sb))
        check_raises(lambda M, x, y: M.maximum(x, y), randn(*sa), randn(*sb))
        check_raises(lambda M, x, y: x.add_(y), randn(*sa), randn(*sb))
    else:
        check(lambda M, x, y: x * y, randn(*sa), randn(*sb))


# --- hypothesis: type promotion --------------------------------------------------------------
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@st.composite
def operands(draw):
    kind = draw(st.sampled_from(["tensor", "tensor", "zero-dim", "int", "float", "bool"]))
    seed = draw(st.integers(0, 999))
    if kind in ("int", "float", "bool"):
        return kind, {"int": draw(st.integers(-4, 4)),
                      "float": draw(st.sampled_from([-2.5, 0.5, 1.5, 3.0])),
                      "bool": draw(st.booleans())}[kind]
    dt = draw(st.sampled_from(DTYPES))
    shape = () if kind == "zero-dim" else (3,)
    r = np.random.default_rng(seed)
    if dt == "bool":
        arr = r.integers(0, 2, shape).astype(np.bool_)
    elif dt == "uint8":
        arr = r.integers(0, 6, shape).astype(np.uint8)
    elif dt.startswith("int"):
        arr = r.integers(-5, 6, shape).astype(dt)
    else:
        arr = (r.standard_normal(shape) * 2).astype(dt)
    return kind, np.asarray(arr)


def _make(M, v):
    if isinstance(v, np.ndarray):
        return M.from_numpy(v.copy()) if v.ndim else M.tensor(
            v.item(), dtype=getattr(M, v.dtype.name if v.dtype != np.bool_ else "bool"))
    return v


PROMO_OPS = {"add": lambda M, a, b: M.add(a, b), "+": lambda M, a, b: a + b,
             "-": lambda M, a, b: a - b, "*": lambda M, a, b: a * b,
             "/": lambda M, a, b: a / b, "**": lambda M, a, b: a ** b,
             "mul": lambda M, a, b: M.mul(a, b), "div": lambda M, a, b: M.div(a, b),
             "pow": lambda M, a, b: M.pow(a, b), "maximum": lambda M, a, b: M.maximum(a, b),
             "sub": lambda M, a, b: M.sub(a, b)}


@given(a=operands(), b=operands(), op=st.sampled_from(sorted(PROMO_OPS)))
def test_hypothesis_type_promotion(a, b, op):
    (_, va), (_, vb) = a, b
    if not isinstance(va, np.ndarray) and not isinstance(vb, np.ndarray):
        return                                    # two Python numbers: not a tensor op
    f = PROMO_OPS[op]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # torch's own int-pow warnings, if any
        try:
            t = f(torch, _make(torch, va), _make(torch, vb))
        except Exception as ex:
            terr = ex
        else:
            terr = None
    if terr is not None:
        base = next(c for c in (NotImplementedError, TypeError, RuntimeError, ValueError,
                                ZeroDivisionError) if isinstance(terr, c))
        with pytest.raises(base):
            f(ember, _make(ember, va), _make(ember, vb))
        return
    e = f(ember, _make(ember, va), _make(ember, vb))
    assert str(e.dtype).replace("ember.", "") == str(t.dtype).replace("torch.", ""), \
        (op, va, vb, e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    en, tn = e.numpy(), t.numpy()
    if tn.dtype.kind == "f":
        tol = 2e-3 if tn.dtype == np.float16 else 1e-5
        np.testing.assert_allclose(en.astype(np.float64), tn.astype(np.float64), rtol=tol,
                                   atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(en, tn)


# --- performance smoke (the numbers are reported by the benchmark suite) ---------------------
def test_small_op_overhead_is_bounded():
    import timeit
    x = ember.randn(8) if hasattr(ember, "randn") else ember.from_numpy(randn(8))
    n = 2000
    t = min(timeit.repeat(lambda: x.exp(), number=n, repeat=3)) / n
    assert t < 50e-6, f"x.exp() on 8 elements takes {t * 1e6:.1f} us"
