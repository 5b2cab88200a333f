"""Element-wise ops: arithmetic, powers, exponentials, trigonometry, activations, rounding,
clamping, bitwise and logical ops.

Each op is one class with ``forward`` on arrays and ``backward`` in ember ops; see
``ember/ops/_dispatch.py`` for the contract. Public functions check their arguments the way
PyTorch does (a Python number where a Tensor is required is a ``TypeError``, a dtype a kernel
does not support is a ``NotImplementedError``), then hand over to ``apply``/``binary``.

Floating point exceptions (``log(0)``, ``1 / 0``, ``exp(1000)``) give ``inf``/``nan``
silently as in PyTorch: forwards that produce them in ordinary use run under
:func:`_quiet`, which switches NumPy's warnings off for the call (~0.3 us; ``np.errstate``
costs ~1.7 us). ``+``, ``-`` and ``*`` stay unguarded to keep the hottest path short: they
only warn on overflow or ``inf * 0``.
"""
import math

import numpy as np

from .._dtype import _FROM_NP, _default, result_type, result_type_dtypes, scalar_category
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import _state
from ._dispatch import (COMMON, FLOAT, OUT, Op, _bump, _inplace_shape_error, _tracers, apply,
                        binary, inplace)

from ..backend.cpu import keep_where
from ..backend.cpu import quiet as _quiet

__all__ = [
    # arithmetic
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "neg", "negative", "positive", "abs", "absolute", "reciprocal", "square",
    "pow", "float_power", "fmod", "remainder", "lerp", "addcmul", "addcdiv",
    # exponentials and logarithms
    "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt",
    # trigonometric and hyperbolic
    "sin", "cos", "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "atan2",
    "arctan2", "sinh", "cosh", "tanh", "asinh", "arcsinh", "acosh", "arccosh", "atanh",
    "arctanh", "hypot", "deg2rad", "rad2deg",
    # activations and special functions
    "sigmoid", "logit", "relu", "erf", "erfc", "erfinv", "xlogy", "logaddexp", "logaddexp2",
    # rounding and sign
    "floor", "ceil", "round", "trunc", "fix", "frac", "sign", "sgn", "signbit", "copysign",
    "clamp", "clip", "clamp_min", "clamp_max", "nan_to_num",
    # comparisons that are element-wise arithmetic
    "maximum", "minimum", "fmax", "fmin",
    # bitwise and logical
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift", "logical_and", "logical_or", "logical_xor", "logical_not",
]

_E = {}                       # the shared empty attrs dict (apply never mutates it)
_NPBOOL = np.dtype(np.bool_)
_F16 = np.dtype(np.float16)
_F32 = np.dtype(np.float32)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)


# --- helpers ---------------------------------------------------------------------------------
def _tname(npdt):
    """PyTorch's scalar-type name of a NumPy dtype (``'Float'``, ``'Long'``, ``'Bool'`` ...)."""
    return _FROM_NP[npdt]._legacy[:-6]


_CNAME = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
          "int32": "int", "int64": "long int", "float16": "c10::Half", "float32": "float",
          "float64": "double"}


def _not_impl(kernel, arr):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_tname(arr.dtype)}\'')


def _type_error(fname, arg, pos, value):
    return TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not "
                     f"{type(value).__name__}")


def _need_tensor(x, fname, arg="input", pos=1):
    if not isinstance(x, Tensor):
        raise _type_error(fname, arg, pos, x)


def _out(result, out):
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    from .copy import copy_
    copy_(out, result)
    return out


def _zeros(g):
    """A zero gradient shaped like ``g`` (no history: the op's derivative is zero)."""
    return _wrap(np.zeros(g._data.shape, g._data.dtype))


def _int_scalar(s, arr):
    """A Python int as an array of ``arr``'s integer dtype, wrapping like PyTorch's cast
    (NumPy refuses out-of-range Python ints: ``uint8_array + 300``)."""
    if type(s) is int and isinstance(arr, np.ndarray) and arr.dtype.kind in "iu":
        try:
            return np.array(s).astype(arr.dtype)
        except OverflowError:
            raise RuntimeError(f"value cannot be converted to type {_CNAME[arr.dtype.name]} "
                               "without overflow") from None
    return s


def _wrapping(f, a, b):
    """``f(a, b)`` for a NumPy binary ufunc, retrying with wrapped Python ints."""
    try:
        return f(a, b)
    except OverflowError:
        return f(_int_scalar(a, b), _int_scalar(b, a))


def _fl(x):
    """Integer/bool arrays as the default float dtype (what ``promote = FLOAT`` does for one
    input, without the dispatcher's general promotion pass: ~2 us per call)."""
    return x if x.dtype.kind in "fc" else x.astype(_default[0].np)


def _half_up(x):
    """float16 arrays are computed in float32 (like PyTorch's CPU kernels) by composite
    forwards, so that only the final result is rounded to half."""
    return x.astype(_F32) if x.dtype is _F16 else x


class _Select(Op):
    """``x`` where ``keep`` (a constant NumPy bool mask), ``fill`` elsewhere; the gradient
    flows where ``keep``. Used inside backward formulas to zero (or NaN) special points
    without the ``0 * inf = nan`` of multiplying by a mask."""

    opname = "select_mask"

    @staticmethod
    def forward(ctx, x, keep, fill=0.0):
        ctx.keep = keep
        if fill == 0:
            return keep_where(x, keep)
        return np.where(keep, x, x.dtype.type(fill))

    @staticmethod
    def backward(ctx, g):
        return _select(g, ctx.keep)


def _select(x, keep, fill=0.0):
    return apply(_Select, (x,), {"keep": keep, "fill": fill})


def _unary_method(op):
    """``x.f()`` for a one-input op: straight to the dispatcher."""
    def f(self):
        return apply(op, (self,), _E)
    return f


def _unary_inplace(op):
    """``x.f_()``: :func:`inplace` (which writes with the op's ``ufunc1`` when it can)."""
    def f(self):
        return inplace(op, self)
    return f


def _binary_inplace(op):
    """``x.f_(other)`` / ``x op= other``: :func:`inplace` (which writes with the op's
    ``ufunc`` when it can: optimizer loops such as ``exp_avg.mul_(beta)``)."""
    def f(self, other):
        return inplace(op, self, other)
    return f


def _make_unary(op, name, doc):
    """The public function ``name(input, *, out=None)`` of a one-input op."""
    def fn(input, *, out=None):
        if not isinstance(input, Tensor):
            raise _type_error(name, "input", 1, input)
        r = apply(op, (input,), _E)
        return r if out is None else _out(r, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    fn.__module__ = __name__
    return fn


# --- arithmetic ------------------------------------------------------------------------------
class Add(Op):
    promote = COMMON
    ufunc = np.add
    complex_autograd = True

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a + b
        except OverflowError:
            return _wrapping(np.add, a, b)

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    promote = COMMON
    ufunc = np.subtract
    complex_autograd = True

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a - b
        except OverflowError:
            return _wrapping(np.subtract, a, b)

    @staticmethod
    def backward(ctx, g):
        return g, -g


def _cj(v):
    """The complex conjugate of a saved operand (a Tensor or a Python number); real values
    are returned as they are. The vector-Jacobian product of a holomorphic ``f`` is
    ``g * conj(f'(z))`` (PyTorch's convention for complex gradients)."""
    if isinstance(v, Tensor):
        return v.conj() if v._data.dtype.kind == "c" else v
    return v.conjugate() if type(v) is complex else v


class Mul(Op):
    promote = COMMON
    save = (0, 1)
    save_needs = (1, 0)
    ufunc = np.multiply
    complex_autograd = True

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a * b
        except OverflowError:
            return _wrapping(np.multiply, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (g * _cj(b) if n[0] else None), (g * _cj(a) if n[1] else None)


@_quiet
def _true_divide_inplace(a, b, out):
    if out.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_tname(out.dtype)}")
    return np.true_divide(a, b, out=out)


class Div(Op):
    promote = FLOAT
    save = (0, 1)
    save_needs = (1, None)
    ufunc = staticmethod(_true_divide_inplace)
    complex_autograd = True

    @staticmethod
    @_quiet
    def forward(ctx, a, b):
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        if g._data.dtype.kind == "c":
            cb = _cj(b)
            ga = g / cb if n[0] else None
            gb = -g * _cj(a) / (cb * cb) if n[1] else None
            return ga, gb
        ga = g / b if n[0] else None
        gb = -g * a / (b * b) if n[1] else None
        return ga, gb


def _check_int_div(b):
    if np.any(np.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")


class DivTrunc(Op):
    promote = COMMON
    opname = "div_trunc"
    node_name = "DivBackward1"

    @staticmethod
    @_quiet
    def forward(ctx, a, b):
        k = a.dtype.kind if isinstance(a, np.ndarray) else b.dtype.kind
        if k == "f":
            return np.trunc(a / b)
        if k == "b":
            raise NotImplementedError("\"div_trunc_cpu\" not implemented for 'Bool'")
        _check_int_div(b)
        b = _int_scalar(b, a)
        a = _int_scalar(a, b)
        q = np.floor_divide(a, b)
        # floor -> trunc: step back towards zero where the division was inexact and negative
        fix = (np.remainder(a, b) != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))
        return q + fix.astype(q.dtype)

    @staticmethod
    def backward(ctx, g):
        return _zeros(g), _zeros(g)


class DivFloor(Op):
    promote = COMMON
    opname = "div_floor"
    node_name = "DivBackward2"

    @staticmethod
    @_quiet
    def forward(ctx, a, b):
        k = a.dtype.kind if isinstance(a, np.ndarray) else b.dtype.kind
        if k == "b":
            raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")
        if k != "f":
            _check_int_div(b)
        return _wrapping(np.floor_divide, a, b)

    @staticmethod
    def backward(ctx, g):
        return _zeros(g), _zeros(g)


class FloorDivide(DivFloor):
    """``torch.floor_divide`` / ``//``: same values as ``div(rounding_mode='floor')``, but
    PyTorch defines no derivative for it."""

    opname = "floor_divide"

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class Neg(Op):
    ufunc1 = np.negative
    complex_autograd = True

    @staticmethod
    def forward(ctx, a):
        if a.dtype is _NPBOOL:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


def _is_bool(x):
    return x.__class__ is bool or (isinstance(x, Tensor) and x._data.dtype is _NPBOOL)


def _check_bool_sub(a, b):
    """PyTorch refuses ``-`` whenever a bool operand (tensor or Python bool) is involved."""
    ab, bb = _is_bool(a), _is_bool(b)
    if ab or bb:
        if ab and bb:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def _scaled(input, other, alpha):
    """``alpha * other`` with PyTorch's checks of ``alpha`` against the result dtype."""
    rt = result_type(input, other)
    if isinstance(alpha, bool):
        if rt.name != "bool":
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif isinstance(alpha, float) and not rt.is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if rt.name == "bool":
        return other if alpha else mul(other, False)
    if isinstance(other, Tensor):
        if other._data.dtype != rt.np:
            other = other.to(rt)          # scale in the result dtype, as PyTorch does
        return mul(other, alpha)
    return other * alpha


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch type promotion.

    >>> import ember
    >>> ember.add(ember.tensor([1, 2]), ember.tensor([3, 4]))
    tensor([4, 6])
    >>> ember.add(ember.tensor([1., 2.]), 1, alpha=2)
    tensor([3., 4.])
    """
    if alpha.__class__ is not int or alpha != 1:
        other = _scaled(input, other, alpha)
    r = binary(Add, input, other)
    if r is NotImplemented:
        raise TypeError(f"add(): unsupported operand types {type(input).__name__} and "
                        f"{type(other).__name__}")
    return r if out is None else _out(r, out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``.

    >>> import ember
    >>> ember.sub(ember.tensor([5, 6]), ember.tensor([1, 2]), alpha=2)
    tensor([3, 2])
    """
    _check_bool_sub(input, other)
    if alpha.__class__ is not int or alpha != 1:
        other = _scaled(input, other, alpha)
    r = binary(Sub, input, other)
    if r is NotImplemented:
        raise TypeError(f"sub(): unsupported operand types {type(input).__name__} and "
                        f"{type(other).__name__}")
    return r if out is None else _out(r, out)


def rsub(input, other, *, alpha=1):
    """``other - alpha * input`` (``sub`` with the operands swapped)."""
    _need_tensor(input, "rsub")
    return sub(other, input, alpha=alpha)


def mul(input, other, *, out=None):
    """Element-wise product with broadcasting.

    >>> import ember
    >>> ember.mul(ember.tensor([1., 2.]), 3)
    tensor([3., 6.])
    """
    r = binary(Mul, input, other)
    if r is NotImplemented:
        raise TypeError(f"mul(): unsupported operand types {type(input).__name__} and "
                        f"{type(other).__name__}")
    return r if out is None else _out(r, out)


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``; ``rounding_mode`` ``'trunc'`` or ``'floor'`` rounds the quotient
    (and keeps integer dtypes); without it integers give the default float dtype.

    >>> import ember
    >>> ember.div(ember.tensor([7, -7]), 2)
    tensor([ 3.5000, -3.5000])
    >>> ember.div(ember.tensor([7, -7]), 2, rounding_mode='floor')
    tensor([ 3, -4])
    """
    if rounding_mode is None:
        r = binary(Div, input, other)
    elif rounding_mode == "trunc":
        r = apply(DivTrunc, (input, other), _E)
    elif rounding_mode == "floor":
        r = apply(DivFloor, (input, other), _E)
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    if r is NotImplemented:
        raise TypeError(f"div(): unsupported operand types {type(input).__name__} and "
                        f"{type(other).__name__}")
    return r if out is None else _out(r, out)


def true_divide(input, other, *, out=None):
    """``input / other`` (same as :func:`div` without rounding)."""
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None):
    """``input // other``: the quotient rounded down (Python's ``//``).

    >>> import ember
    >>> ember.floor_divide(ember.tensor([7, -7]), 2)
    tensor([ 3, -4])
    """
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise _type_error("floor_divide", "input", 1, input)
    return _out(apply(FloorDivide, (input, other), _E), out)


def neg(input, *, out=None):
    """``-input``."""
    _need_tensor(input, "neg")
    return _out(apply(Neg, (input,), _E), out)


negative = neg
subtract = sub
multiply = mul
divide = div


def positive(input):
    """``+input``: the input itself (an error for bool tensors, as in PyTorch)."""
    _need_tensor(input, "positive")
    if input._data.dtype is _NPBOOL:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


class Abs(Op):
    save = (0,)
    ufunc1 = np.abs
    complex_autograd = True

    @staticmethod
    def forward(ctx, x):
        if x.dtype is _NPBOOL:
            raise _not_impl("abs_cpu", x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xd = x._data
        if xd.dtype.kind == "c":
            # d|z| = z / |z| (0 at z = 0): divide by |z| made 1 where z is 0
            nz = xd != 0
            return g * (x / _select(apply(Abs, (x,), _E), nz, 1.0))
        return g * x.sign()


abs = _make_unary(Abs, "abs", """Element-wise absolute value (integers keep their dtype).

    >>> import ember
    >>> ember.abs(ember.tensor([-1, 2]))
    tensor([1, 2])
    """)
absolute = _make_unary(Abs, "absolute", "Alias of :func:`abs`.")


class Reciprocal(Op):
    save = (OUT,)
    ufunc1 = np.reciprocal

    @staticmethod
    @_quiet
    def forward(ctx, x):
        return np.reciprocal(_fl(x))

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * -(y * y)


reciprocal = _make_unary(Reciprocal, "reciprocal",
                         "``1 / input`` element-wise (integers give the default float dtype).")


# --- powers ----------------------------------------------------------------------------------
def _int_pow(a, b):
    """Integer power with PyTorch's results for negative exponents (``1``, ``±1`` for a base
    of ``-1``, else ``0``) where NumPy refuses them."""
    a = _int_scalar(a, b)
    b = _int_scalar(b, a)
    bn = np.asarray(b)
    neg = bn < 0
    if not neg.any():
        return np.power(a, b)
    r = np.power(a, np.where(neg, 0, bn).astype(bn.dtype))
    an = np.asarray(a)
    special = np.where(an == 1, 1, np.where(an == -1, np.where(bn % 2 == 0, 1, -1), 0))
    return np.where(neg, special, r).astype(r.dtype)


class PowScalar(Op):
    """``tensor ** number``. Promotion is done here (a number never widens a float tensor):
    the dispatcher's general pass costs more than the power itself on small tensors."""

    save = (0,)
    opname = "pow"
    node_name = "PowBackward0"

    @staticmethod
    @_quiet
    def forward(ctx, x, e):
        ctx.e = e
        k = x.dtype.kind
        if k != "f":
            if e.__class__ is float:
                x = x.astype(_default[0].np)
            elif k == "b":
                if e.__class__ is bool:             # bool ** bool stays bool
                    return x.copy() if e else np.ones_like(x)
                x = x.astype(np.int64)
            if x.dtype.kind != "f" and e < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
        if e == 2:
            return np.square(x)
        return _wrapping(np.power, x, e)

    @staticmethod
    def backward(ctx, g):
        e = ctx.e
        if e == 0:
            return _zeros(g), None
        (x,) = ctx.saved_tensors
        return g * (x ** (e - 1) * e), None


class RPow(Op):
    """``number ** tensor``."""

    promote = COMMON
    save = (1, OUT)
    opname = "pow"
    node_name = "PowBackward2"

    @staticmethod
    @_quiet
    def forward(ctx, s, x):
        ctx.s = s
        k = x.dtype.kind
        if k == "b":
            raise _not_impl("pow", x)
        if k != "f":
            return _int_pow(s, x)
        return np.power(s, x)

    @staticmethod
    def backward(ctx, g):
        s = ctx.s
        x, y = ctx.saved_tensors
        if s == 0:
            # d/dx 0**x: 0 where x >= 0, -inf where x < 0 (PyTorch's convention)
            return None, _select(g * -math.inf, x._data < 0)
        return None, g * (y * (math.log(s) if s > 0 else math.nan))


class Pow(Op):
    """``tensor ** tensor``."""

    promote = COMMON
    save = (0, 1, OUT)
    node_name = "PowBackward1"

    @staticmethod
    @_quiet
    def forward(ctx, a, b):
        k = a.dtype.kind
        if k == "b":
            raise _not_impl("pow", a)
        if k != "f":
            return _int_pow(a, b)
        return np.power(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        n = ctx.needs_input_grad
        ga = gb = None
        if n[0]:
            ga = _select(g * (b * a ** (b - 1)), b._data != 0)
        if n[1]:
            ad, bd = a._data, b._data
            gb = _select(g * (y * a.log()), ~((ad == 0) & (bd >= 0)))
        return ga, gb


def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a number (not both).

    >>> import ember
    >>> ember.pow(ember.tensor([1, 2, 3]), 2)
    tensor([1, 4, 9])
    >>> ember.pow(2, ember.tensor([1., 2.]))
    tensor([2., 4.])
    """
    if isinstance(input, Tensor):
        r = _pow_method(input, exponent)
    elif isinstance(exponent, Tensor):
        r = binary(RPow, input, exponent)
    else:
        raise TypeError(f"pow() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(exponent).__name__})")
    if r is NotImplemented:
        raise TypeError(f"pow(): unsupported operand types {type(input).__name__} and "
                        f"{type(exponent).__name__}")
    return r if out is None else _out(r, out)


def _pow_method(self, exponent):
    if isinstance(exponent, Tensor):
        return binary(Pow, self, exponent)
    if not isinstance(exponent, (int, float)):
        if not isinstance(exponent, np.generic) or exponent.dtype.kind not in "biuf":
            return NotImplemented
        exponent = exponent.item()
    return binary(PowScalar, self, exponent)


def _rpow_method(self, other):
    return binary(RPow, other, self)


def _pow_(self, exponent):
    if isinstance(exponent, Tensor):
        return inplace(Pow, self, exponent)
    if exponent.__class__ is float or exponent.__class__ is int:
        sd = self._data
        if sd.dtype.kind == "f" and not _tracers and not (_state.enabled and self._requires_grad):
            if exponent == 2:
                np.square(sd, out=sd)
            else:
                np.power(sd, exponent, out=sd)
            _bump(self)
            return self
    return inplace(PowScalar, self, exponent)


def _f64(x):
    if isinstance(x, Tensor) and x._data.dtype != np.float64:
        return x.to(_FROM_NP[np.dtype(np.float64)])
    return x


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in double precision (the result is float64).

    >>> import ember
    >>> ember.float_power(ember.tensor([2, 3]), 2)
    tensor([4., 9.], dtype=ember.float64)
    """
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError(f"float_power() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(exponent).__name__})")
    if not isinstance(input, Tensor):
        input = float(input)
    if not isinstance(exponent, Tensor):
        exponent = float(exponent)
    return pow(_f64(input), _f64(exponent), out=out)


def _float_power_(self, exponent):
    if self._data.dtype != np.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {_tname(self._data.dtype)} "
                           "but the operation's result requires dtype Double")
    return _pow_(self, _f64(exponent) if isinstance(exponent, Tensor) else float(exponent))


def square(input, *, out=None):
    """``input * input`` (``pow(input, 2)``: bool gives int64, integers keep their dtype)."""
    _need_tensor(input, "square")
    return _out(binary(PowScalar, input, 2), out)


# --- remainders ------------------------------------------------------------------------------
class Fmod(Op):
    """C's ``fmod``: the remainder has the sign of the dividend."""

    promote = COMMON
    save = (0, 1)

    @staticmethod
    @_quiet
    def forward(ctx, a, b):
        k = a.dtype.kind
        if k == "b":
            raise _not_impl("fmod_cpu", a)
        if k != "f":
            _check_int_div(b)
        return _wrapping(np.fmod, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        return g, (g * -(a / b).trunc() if n[1] else None)


class Remainder(Op):
    """Python's ``%``: the remainder has the sign of the divisor."""

    promote = COMMON
    save = (0, 1)

    @staticmethod
    @_quiet
    def forward(ctx, a, b):
        k = a.dtype.kind if isinstance(a, np.ndarray) else b.dtype.kind
        if k == "b":
            raise _not_impl("remainder_cpu", a if isinstance(a, np.ndarray) else b)
        if k != "f":
            _check_int_div(b)
        return _wrapping(np.remainder, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        if n[1] and not isinstance(a, Tensor):
            raise RuntimeError("derivative for aten::remainder is not implemented")
        return (g if n[0] else None), (g * -(a / b).floor() if n[1] else None)


def fmod(input, other, *, out=None):
    """Remainder of ``input / other`` with the sign of ``input`` (C ``fmod``).

    >>> import ember
    >>> ember.fmod(ember.tensor([-3, 3]), 2)
    tensor([-1,  1])
    """
    _need_tensor(input, "fmod")
    return _out(binary(Fmod, input, other), out)


def remainder(input, other, *, out=None):
    """Python's modulus ``input % other`` (sign of ``other``); either side may be a number.

    >>> import ember
    >>> ember.remainder(ember.tensor([-3, 3]), 2)
    tensor([1, 1])
    """
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise _type_error("remainder", "input", 1, input)
    return _out(binary(Remainder, input, other), out)


# --- one-input floating point functions ------------------------------------------------------
def _float_op(name, ufunc, backward, save=(0,), node=None, quiet=True):
    """A unary op computed by one NumPy ufunc; integer/bool inputs give the default float
    dtype; ``backward(ctx, g)`` reads the saved input (or output) from ctx. ``quiet=False``
    for functions that never raise floating point exceptions."""
    def forward(ctx, x):
        return ufunc(_fl(x))
    attrs = {"save": save, "ufunc1": ufunc, "__module__": __name__,
             "forward": staticmethod(_quiet(forward) if quiet else forward),
             "backward": staticmethod(backward)}
    if node is not None:
        attrs["node_name"] = node
    return type(name, (Op,), attrs)


def _x(ctx):
    return ctx.saved_tensors[0]


class Exp(Op):
    save = (OUT,)
    ufunc1 = np.exp

    @staticmethod
    @_quiet
    def forward(ctx, x):
        return np.exp(_fl(x))

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Log(Op):
    save = (0,)
    ufunc1 = np.log

    @staticmethod
    @_quiet
    def forward(ctx, x):
        return np.log(_fl(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


Exp2 = _float_op("Exp2", np.exp2, lambda ctx, g: g * (_x(ctx) * _LN2), save=(OUT,))
Expm1 = _float_op("Expm1", np.expm1, lambda ctx, g: g * (_x(ctx) + 1), save=(OUT,))
Log1p = _float_op("Log1p", np.log1p, lambda ctx, g: g / (_x(ctx) + 1), node="Log1PBackward0")
Log2 = _float_op("Log2", np.log2, lambda ctx, g: g / (_x(ctx) * _LN2))
Log10 = _float_op("Log10", np.log10, lambda ctx, g: g / (_x(ctx) * _LN10))
Sqrt = _float_op("Sqrt", np.sqrt, lambda ctx, g: g / (_x(ctx) * 2), save=(OUT,))
Sin = _float_op("Sin", np.sin, lambda ctx, g: g * _x(ctx).cos())
Cos = _float_op("Cos", np.cos, lambda ctx, g: g * -_x(ctx).sin())
Tan = _float_op("Tan", np.tan, lambda ctx, g: g * (_x(ctx) * _x(ctx) + 1), save=(OUT,))
Asin = _float_op("Asin", np.arcsin, lambda ctx, g: g * (1 - _x(ctx) * _x(ctx)).rsqrt())
Acos = _float_op("Acos", np.arccos, lambda ctx, g: g * -(1 - _x(ctx) * _x(ctx)).rsqrt())
Atan = _float_op("Atan", np.arctan, lambda ctx, g: g / (_x(ctx) * _x(ctx) + 1), quiet=False)
Sinh = _float_op("Sinh", np.sinh, lambda ctx, g: g * _x(ctx).cosh())
Cosh = _float_op("Cosh", np.cosh, lambda ctx, g: g * _x(ctx).sinh())
Tanh = _float_op("Tanh", np.tanh, lambda ctx, g: g * (1 - _x(ctx) * _x(ctx)), save=(OUT,),
                quiet=False)
Asinh = _float_op("Asinh", np.arcsinh, lambda ctx, g: g * (_x(ctx) * _x(ctx) + 1).rsqrt(),
                 quiet=False)
Acosh = _float_op("Acosh", np.arccosh, lambda ctx, g: g * (_x(ctx) * _x(ctx) - 1).rsqrt())
Atanh = _float_op("Atanh", np.arctanh, lambda ctx, g: g / (1 - _x(ctx) * _x(ctx)))
Deg2rad = _float_op("Deg2rad", np.deg2rad, lambda ctx, g: g * (math.pi / 180), save=(),
                   quiet=False)
Rad2deg = _float_op("Rad2deg", np.rad2deg, lambda ctx, g: g * (180 / math.pi), save=(),
                   quiet=False)


class Rsqrt(Op):
    save = (OUT,)

    @staticmethod
    @_quiet
    def forward(ctx, x):
        x = _fl(x)
        if x.dtype is _F16:
            return (1.0 / np.sqrt(x.astype(_F32))).astype(_F16)
        return 1.0 / np.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * y * y * -0.5)


def _sigmoid_np(x):
    if x.dtype is _F16:
        return _sigmoid_np(x.astype(_F32)).astype(_F16)
    # 1 / (1 + exp(-x)): exp overflows to inf for very negative x, giving the correct 0
    t = np.exp(-x)
    if type(t) is np.ndarray:
        t += 1.0
        return np.reciprocal(t, out=t)
    return 1.0 / (t + 1.0)


class Sigmoid(Op):
    save = (OUT,)

    @staticmethod
    @_quiet
    def forward(ctx, x):
        return _sigmoid_np(_fl(x))

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * ((1 - y) * y)


class Logit(Op):
    save = (0,)

    @staticmethod
    @_quiet
    def forward(ctx, x, eps=None):
        ctx.eps = eps
        x = _fl(x)
        x16 = x.dtype is _F16
        z = _half_up(x)
        if eps is not None:
            z = np.minimum(np.maximum(z, eps), 1.0 - eps)
        r = np.log(z / (1.0 - z))
        return r.astype(_F16) if x16 else r

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        eps = ctx.eps
        xd = x._data
        if eps is None:
            # outside [0, 1] the derivative is NaN (as PyTorch's)
            return _select(g / (x * (1 - x)), (xd >= 0) & (xd <= 1), math.nan)
        return _select(g / (x * (1 - x)), (xd >= eps) & (xd <= 1 - eps))


class Relu(Op):
    save = (OUT,)
    ufunc = None

    @staticmethod
    def forward(ctx, x):
        if x.dtype is _NPBOOL:
            raise RuntimeError('"clamp_min_scalar_cpu" not implemented for \'Bool\'')
        return np.maximum(x, 0, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return _select(g, y._data > 0)


def _relu_(self):
    sd = self._data
    if sd.dtype.kind == "f" and not _tracers and not (_state.enabled and self._requires_grad):
        np.maximum(sd, 0, out=sd)
        _bump(self)
        return self
    return inplace(Relu, self)


# --- erf, erfc, erfinv -----------------------------------------------------------------------
# NumPy has no erf. Small arrays use math.erf/math.erfc element by element (the C library's,
# correctly rounded in practice); large ones a vectorised piecewise polynomial:
#   |x| < 1:  erf(x) = x * A(x*x)
#   |x| >= 1: erfc(|x|) = exp(-x*x) * t * B_k(s),  t = 1/|x|,  s = alpha_k * t + beta_k
# with t split into [1/2, 1], [1/4, 1/2], [1/8, 1/4], [1/28, 1/8] (beyond |x| = 28 erfc
# underflows). The coefficients are Chebyshev interpolants, computed with 50-digit mpmath, of
# erf(sqrt(u))/sqrt(u) on u in [0, 1] and of x*exp(x*x)*erfc(x) on each t interval, degree
# chosen for a relative error below 2.5e-16 (``*64``) or 5e-9 (``*32``, used for float32 and
# float16 inputs); listed highest degree first for Horner's rule. Measured against mpmath:
# erf to 2.3e-16 and erfc to 8.2e-16 relative over normal float64 numbers.
_ERF_A64 = (-7.795898827002142e-10, 1.3720064546777686e-08, -1.6208483801871705e-07,
            1.6447424703317362e-06, -1.492473690741966e-05, 0.00012055294904839707,
            -0.0008548325975389692, 0.0052239776071164225, -0.02686617064323777,
            0.11283791670945006, -0.37612638903183543, 1.1283791670955126)
_ERFC_B64 = (
    (0.5, 4.0, -3.0,
     (-2.4398315334080278e-12, 9.678493521670722e-12, -1.8850641424171484e-11,
      1.892899934285864e-12, 3.3564960827514737e-10, -2.7594328919444718e-09,
      1.5041376217890252e-08, -6.190463620076879e-08, 1.6981368810553445e-07,
      3.422973117966253e-08, -4.423080518138124e-06, 3.680539054988557e-05,
      -0.00019713177832962194, 0.0006295812459832145, 0.0012092420392931552, -0.04227024444636883,
      0.46817959203854037)),
    (0.25, 8.0, -3.0,
     (-1.1413656769305793e-12, -6.0633225427850955e-12, 9.142939754549204e-11,
      -5.193671541607116e-10, 1.26837800330256e-09, 8.114789490136181e-09, -1.2191974888101915e-07,
      7.486045101159973e-07, -1.1538109183295389e-06, -2.8389142216089188e-05,
      0.00034622662915365175, -0.0014381248079996852, -0.0189481911967695, 0.5308603493169751)),
    (0.125, 16.0, -3.0,
     (-5.028752354145749e-13, 2.4805537241609696e-12, 1.8015507782290927e-11,
      -3.6765859483795025e-10, 1.7813544753482125e-09, 2.0514155824698893e-08,
      -4.027017264399833e-07, 1.237995783781025e-06, 5.2213305759156475e-05,
      -0.0008157912375091989, -0.005993561956300757, 0.5547541131463941)),
    (0.03571428571428571, 22.4, -1.8,
     (1.448076117715583e-13, -4.163987494510378e-12, 5.6091175035673166e-12, 5.469329825291836e-10,
      -4.071075897764945e-09, -7.360583276112331e-08, 1.3132051573985925e-06,
      1.1182593702103397e-05, -0.0005308029494608011, -0.0019856722261145303, 0.5623853861121489)),
)
_ERF_A32 = (7.875875062685488e-05, -0.000801686428716587, 0.005189087423433974,
            -0.026854212010626412, 0.11283594715160218, -0.37612626666720334, 1.1283791658483509)
_ERFC_B32 = (
    (0.5, 4.0, -3.0,
     (-9.712742572999365e-08, -4.041074577363923e-06, 3.688894167781949e-05,
      -0.0001973788043026715, 0.0006295644205934195, 0.0012092921043897079, -0.04227024391990914,
      0.4681795904701846)),
    (0.25, 8.0, -3.0,
     (7.616546862041436e-07, -1.3641787400400856e-06, -2.83954937367002e-05,
      0.00034633135008755515, -0.0014381240213054028, -0.018948204267391733, 0.530860349316975)),
    (0.125, 16.0, -3.0,
     (-4.000001578743882e-07, 1.2681508570909954e-06, 5.221228956343031e-05,
      -0.0008158024802375536, -0.0059935618998154735, 0.5547541137703583)),
    (0.03571428571428571, 22.4, -1.8,
     (-7.279246001622533e-08, 1.307108257825773e-06, 1.1182289435540697e-05,
      -0.0005308006641686798, -0.001985672209218091, 0.5623853859851984)),
)
# float32/float16 erf (GELU's hot path): one rational function on the clamped input,
# erf(x) = x * P(x*x) / Q(x*x) for |x| <= 4 (float32 erf is 1 beyond 3.92), evaluated in
# float64; fitted with mpmath by iteratively reweighted least squares on the relative error
# (max 2.5e-9 on [0, 4], so the float32 result is within half an ulp or so).
_ERF_P32 = (-1.3618908219519484e-08, 4.7684050159056655e-06, 0.0003826560427030342,
            0.003853090832696855, 0.05436939242076349, 0.18505351494423128, 1.128379169957446)
_ERF_Q32 = (6.390792800575855e-05, 0.0013124131455538532, 0.015479382526760807,
            0.11396060979042784, 0.4973328389768632, 1.0)
_ERF_SMALL = 256      # below this many elements the scalar math.erf loop is faster


def _horner(c, s):
    r = c[0] * s
    r += c[1]
    for k in c[2:]:
        r *= s
        r += k
    return r


def _erf_vec(x, comp):
    """erf(x) (``comp`` False) or erfc(x) of a float array, as a float64 array."""
    f64 = x.dtype == np.float64
    A, B = (_ERF_A64, _ERFC_B64) if f64 else (_ERF_A32, _ERFC_B32)
    xd = x.astype(np.float64).reshape(-1)
    a = np.abs(xd)
    small = a < 1.0
    nsmall = int(np.count_nonzero(small))
    out = np.empty(xd.shape)
    if nsmall:
        xs = xd if nsmall == xd.size else xd[small]
        r = _horner(A, xs * xs)
        r *= xs
        if comp:
            r = 1.0 - r
        if nsmall == xd.size:
            return r
        out[small] = r
    big = ~small
    xb = xd[big]
    ab = np.minimum(np.abs(xb), 30.0)          # NaN stays NaN
    t = 1.0 / ab
    p = np.empty_like(t)
    rest = np.ones(t.shape, bool)
    for lo, al, be, c in B[:-1]:
        sel = (t >= lo) & rest
        rest &= ~sel
        p[sel] = _horner(c, t[sel] * al + be)
    _, al, be, c = B[-1]
    p[rest] = _horner(c, t[rest] * al + be)
    if f64:
        # exp(-x*x) without the rounding error of x*x: z has 24 significant bits, so z*z is
        # exact and x*x = z*z + (x - z)(x + z)
        z = ab.astype(np.float32).astype(np.float64)
        e = np.exp(-z * z) * np.exp((z - ab) * (z + ab))
    else:
        e = np.exp(-ab * ab)
    e *= t
    e *= p                                     # erfc(|x|)
    neg = xb < 0
    if comp:
        r = np.where(neg, 2.0 - e, e)
    else:
        r = 1.0 - e
        np.negative(r, out=r, where=neg)
    out[big] = r
    return out


def _erf_rational32(x):
    xc = np.minimum(np.maximum(x, -4.0), 4.0).astype(np.float64)   # NaN stays NaN
    u = xc * xc
    p = _horner(_ERF_P32, u)
    p *= xc
    p /= _horner(_ERF_Q32, u)
    return p


def _erf_np(x, comp=False):
    if x.size > _ERF_SMALL and not comp and x.dtype != np.float64:
        return _erf_rational32(x).astype(x.dtype)
    if x.size <= _ERF_SMALL:
        f = math.erfc if comp else math.erf
        r = np.array([f(v) for v in x.reshape(-1).tolist()], dtype=np.float64)
    else:
        r = _erf_vec(x, comp)
    return r.reshape(x.shape).astype(x.dtype, copy=False)


def _erfinv_np(x):
    """Inverse of erf: an initial guess good to ~2e-3, then Halley steps on erf (cubic
    convergence: three steps reach float64 precision)."""
    xd = x.astype(np.float64)
    out = np.full(xd.shape, np.nan)
    ax = np.abs(xd)
    inside = ax < 1.0
    out[ax == 1.0] = np.copysign(np.inf, xd[ax == 1.0])
    v = xd[inside]
    if v.size:
        av = np.abs(v)
        la = np.log1p(-av * av)
        c = 2.0 / (math.pi * 0.147) + 0.5 * la
        y = np.sqrt(np.sqrt(c * c - la / 0.147) - c)     # erfinv(|v|), rel. error < 2e-3
        one_minus = 1.0 - av                             # exact for |v| >= 0.5
        for _ in range(3):
            # f = erf(y) - |v|, written as (1 - |v|) - erfc(y) where erf(y) is close to 1
            f = np.where(y < 0.5, _erf_np(y) - av, one_minus - _erf_np(y, True))
            u = f / (_TWO_OVER_SQRTPI * np.exp(-y * y))
            y = y - u / (1.0 + y * u)
        out[inside] = np.copysign(y, v)
    return out.astype(x.dtype, copy=False)


class Erf(Op):
    save = (0,)

    @staticmethod
    def forward(ctx, x):
        return _erf_np(_fl(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((-(x * x)).exp() * _TWO_OVER_SQRTPI)


class Erfc(Op):
    save = (0,)

    @staticmethod
    def forward(ctx, x):
        return _erf_np(_fl(x), True)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((-(x * x)).exp() * -_TWO_OVER_SQRTPI)


class Erfinv(Op):
    save = (OUT,)

    @staticmethod
    def forward(ctx, x):
        return _erfinv_np(_fl(x))

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * ((y * y).exp() * (math.sqrt(math.pi) / 2))


# --- rounding and sign -----------------------------------------------------------------------
def _rounding_op(name, ufunc, kernel):
    """floor/ceil/trunc: integers are returned as they are (copied), bool is refused; the
    derivative is zero."""
    def forward(ctx, x):
        k = x.dtype.kind
        if k == "f":
            return ufunc(x)
        if k == "b":
            raise _not_impl(kernel, x)
        return x.copy()
    return type(name, (Op,), {"ufunc1": ufunc, "__module__": __name__,
                              "forward": staticmethod(forward),
                              "backward": staticmethod(lambda ctx, g: _zeros(g))})


Floor = _rounding_op("Floor", np.floor, "floor_vml_cpu")
Ceil = _rounding_op("Ceil", np.ceil, "ceil_vml_cpu")
Trunc = _rounding_op("Trunc", np.trunc, "trunc_vml_cpu")


class Round(Op):
    """Round half to even (like PyTorch's ``nearbyint``), optionally at ``decimals``."""

    node_name = "RoundBackward0"
    ufunc1 = np.rint

    @staticmethod
    @_quiet
    def forward(ctx, x, decimals=0):
        k = x.dtype.kind
        if k != "f":
            if k == "b":
                raise _not_impl("round_vml_cpu" if decimals == 0 else "round_cpu", x)
            if decimals != 0:
                raise _not_impl("round_cpu", x)
            return x.copy()
        if decimals == 0:
            return np.rint(x)
        if decimals > 0:
            s = x.dtype.type(10.0 ** decimals)
            return np.rint(x * s) / s
        s = x.dtype.type(10.0 ** -decimals)
        return np.rint(x / s) * s

    @staticmethod
    def backward(ctx, g):
        return _zeros(g)


class Frac(Op):
    @staticmethod
    @_quiet
    def forward(ctx, x):
        if x.dtype.kind != "f":
            raise _not_impl("frac_cpu", x)
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g


class Sign(Op):
    """-1, 0 or 1; PyTorch's sign of NaN (and of -0.0) is 0."""

    @staticmethod
    def forward(ctx, x):
        k = x.dtype.kind
        if k == "b":
            return x.copy()
        if k != "f":
            return np.sign(x)
        r = np.sign(x)
        return np.where(r == r, r + 0.0, x.dtype.type(0))

    @staticmethod
    def backward(ctx, g):
        return _zeros(g)


class Sgn(Sign):
    pass


def round(input, *, decimals=0, out=None):
    """Round to the nearest integer, halves to even, or to ``decimals`` decimal places.

    >>> import ember
    >>> ember.round(ember.tensor([0.5, 1.5, 2.5]))
    tensor([0., 2., 2.])
    >>> ember.round(ember.tensor([1.234, 5.678]), decimals=1)
    tensor([1.2000, 5.7000])
    """
    _need_tensor(input, "round")
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise TypeError(f"round() received an invalid combination of arguments - got (Tensor, "
                        f"decimals={type(decimals).__name__})")
    r = apply(Round, (input,), {"decimals": decimals} if decimals else _E)
    return r if out is None else _out(r, out)


def _round_method(self, *, decimals=0):
    return round(self, decimals=decimals)


_round_plain_ = _unary_inplace(Round)


def _round_(self, *, decimals=0):
    if decimals == 0:
        return _round_plain_(self)
    return inplace(Round, self, decimals=decimals)


def signbit(input, *, out=None):
    """Whether the sign bit is set (True for negative numbers and -0.0)."""
    _need_tensor(input, "signbit")
    d = input._data
    r = _wrap(np.signbit(d) if d.dtype.kind == "f" else (d < 0))
    return r if out is None else _out(r, out)


# --- clamping --------------------------------------------------------------------------------
def _bound(v, x):
    """A clamp bound ready for NumPy against array ``x``: a Python int must fit the integer
    dtype (an unsigned one also takes the signed range, wrapping, as PyTorch's cast does)."""
    if type(v) is int and x.dtype.kind in "iu":
        info = np.iinfo(x.dtype)
        lo = -(1 << (8 * x.dtype.itemsize - 1)) if x.dtype.kind == "u" else info.min
        if not lo <= v <= info.max:
            raise RuntimeError(f"value cannot be converted to type {x.dtype.name}_t without "
                               "overflow")
        return np.array(v).astype(x.dtype)
    return v


def _clamp_np(x, lo, hi):
    r = x
    if lo is not None:
        r = np.maximum(r, _bound(lo, x))
    if hi is not None:
        r = np.minimum(r, _bound(hi, x))
    if r is x:
        r = x.copy()
    return r


def _clamp_input(input, lo, hi):
    """``input`` promoted against number bounds (the dispatcher's pass, done cheaply: numbers
    never change a floating tensor's dtype)."""
    d = input._data
    if d.dtype.kind == "f":
        return input
    cats = [scalar_category(v) for v in (lo, hi) if v is not None]
    dt = input.dtype
    rt = result_type_dtypes([dt] if d.ndim else [], [] if d.ndim else [dt], cats)
    return input if rt is dt else input.to(rt)


class ClampScalar(Op):
    """Clamp between Python numbers (either may be None); the gradient flows where
    ``min <= x <= max``."""

    save = (0,)
    opname = "clamp"
    node_name = "ClampBackward1"

    kernel = "clamp_scalar_cpu"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        return _clamp_np(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xd, lo, hi = x._data, ctx.lo, ctx.hi
        if lo is None:
            keep = xd <= hi
        elif hi is None:
            keep = xd >= lo
        else:
            keep = (xd >= lo) & (xd <= hi)
        return _select(g, keep), None, None


class ClampMin(ClampScalar):
    opname = "clamp_min"
    node_name = "ClampMinBackward0"
    kernel = "clamp_min_scalar_cpu"


class ClampMax(ClampScalar):
    opname = "clamp_max"
    node_name = "ClampMaxBackward0"
    kernel = "clamp_max_scalar_cpu"


def _apply_clamp(op, input, lo, hi):
    x = _clamp_input(input, lo, hi)
    if x._data.dtype is _NPBOOL:
        raise _not_impl(op.kernel, x._data)
    return apply(op, (x, lo, hi), _E)


class ClampTensor(Op):
    """Clamp between tensors (either may be None): ``min(max(x, lo), hi)``; the gradient
    goes to whichever operand the result came from, nowhere where a NaN is involved."""

    promote = COMMON
    save = (0, 1, 2)
    opname = "clamp"
    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        if x.dtype is _NPBOOL and lo is not None and hi is not None:
            raise _not_impl("clamp_cpu", x)
        return _clamp_np(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        n = ctx.needs_input_grad
        xd = x._data
        ld = lo._data if lo is not None else None
        hd = hi._data if hi is not None else None
        if ld is None:
            kx, kl, kh = xd <= hd, None, xd > hd
        elif hd is None:
            kx, kl, kh = xd >= ld, xd < ld, None
        else:
            kx = (xd >= ld) & (xd <= hd)
            kl = (xd < ld) & (ld <= hd)
            kh = np.maximum(xd, ld) > hd
        return (_select(g, kx) if n[0] else None,
                _select(g, kl) if n[1] else None,
                _select(g, kh) if n[2] else None)


def clamp(input, min=None, max=None, *, out=None):
    """Limit ``input`` to ``[min, max]``; the bounds are numbers or tensors (not mixed), and
    either may be None.

    >>> import ember
    >>> ember.clamp(ember.tensor([-2., 0.5, 3.]), min=-1, max=1)
    tensor([-1.0000,  0.5000,  1.0000])
    """
    _need_tensor(input, "clamp")
    tmin, tmax = isinstance(min, Tensor), isinstance(max, Tensor)
    if tmin or tmax:
        if (min is not None and not tmin) or (max is not None and not tmax):
            raise TypeError(f"clamp() received an invalid combination of arguments - got "
                            f"(Tensor, min={type(min).__name__}, max={type(max).__name__}): "
                            "the bounds must both be Tensors or both be numbers")
        r = apply(ClampTensor, (input, min, max), _E)
    elif min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    else:
        r = _apply_clamp(ClampScalar, input, min, max)
    return r if out is None else _out(r, out)


clip = clamp


def clamp_min(input, min, *, out=None):
    """``max(input, min)`` element-wise (``clamp(input, min=min)``)."""
    _need_tensor(input, "clamp_min")
    if isinstance(min, Tensor):
        r = apply(ClampTensor, (input, min, None), _E)
    else:
        r = _apply_clamp(ClampMin, input, min, None)
    return r if out is None else _out(r, out)


def clamp_max(input, max, *, out=None):
    """``min(input, max)`` element-wise (``clamp(input, max=max)``)."""
    _need_tensor(input, "clamp_max")
    if isinstance(max, Tensor):
        r = apply(ClampTensor, (input, None, max), _E)
    else:
        r = _apply_clamp(ClampMax, input, None, max)
    return r if out is None else _out(r, out)


def _clamp_(self, min=None, max=None):
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        clamp(self, min, max)           # argument checks
        return inplace(ClampTensor, self, min, max)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    sd = self._data
    if sd.dtype.kind == "f" and not _tracers and not (_state.enabled and self._requires_grad) \
            and (min is None or type(min) is float or type(min) is int) \
            and (max is None or type(max) is float or type(max) is int):
        if min is not None:
            np.maximum(sd, min, out=sd)
        if max is not None:
            np.minimum(sd, max, out=sd)
        _bump(self)
        return self
    return inplace(ClampScalar, self, min, max)


def _clamp_min_(self, min):
    if isinstance(min, Tensor):
        return inplace(ClampTensor, self, min, None)
    return inplace(ClampMin, self, min, None)


def _clamp_max_(self, max):
    if isinstance(max, Tensor):
        return inplace(ClampTensor, self, None, max)
    return inplace(ClampMax, self, None, max)


class NanToNum(Op):
    save = (0,)

    @staticmethod
    def forward(ctx, x, nan=0.0, posinf=None, neginf=None):
        if x.dtype.kind != "f":
            return x.copy()
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _select(g, np.isfinite(x._data))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN, +inf and -inf by ``nan``, ``posinf`` and ``neginf`` (by default 0 and the
    dtype's largest and lowest finite values).

    >>> import ember
    >>> ember.nan_to_num(ember.tensor([float('nan'), 1.0]))
    tensor([0., 1.])
    """
    _need_tensor(input, "nan_to_num")
    r = apply(NanToNum, (input,), {"nan": nan, "posinf": posinf, "neginf": neginf})
    return r if out is None else _out(r, out)


def _nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return inplace(NanToNum, self, nan=nan, posinf=posinf, neginf=neginf)


# --- interpolation and fused multiply-adds ---------------------------------------------------
def _check_same_dtype(fname, input, other, what):
    if other._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected dtype {_CNAME[input._data.dtype.name]} for `{what}` but "
                           f"got dtype {_CNAME[other._data.dtype.name]}")


class Lerp(Op):
    """``start + weight * (end - start)``; near ``weight = 1`` computed from ``end`` (as
    PyTorch does) so that ``weight = 1`` gives ``end`` exactly."""

    save = (0, 1, 2)

    @staticmethod
    @_quiet
    def forward(ctx, a, b, w):
        if a.dtype.kind != "f":
            raise _not_impl("lerp_kernel_scalar" if not isinstance(w, np.ndarray)
                            else "lerp_kernel_tensor", a)
        dt = a.dtype
        a, b = _half_up(a), _half_up(b)
        d = b - a
        if isinstance(w, np.ndarray):
            w = w.astype(a.dtype, copy=False)
            r = np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))
        elif math.fabs(w) < 0.5:
            r = a + w * d
        else:
            r = b - d * (1 - w)
        return r.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        ga = g * (1 - w) if n[0] else None
        gb = g * w if n[1] else None
        gw = g * (b - a) if n[2] else None
        return ga, gb, gw


def lerp(input, end, weight, *, out=None):
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` is a number or a
    tensor, all broadcast together.

    >>> import ember
    >>> ember.lerp(ember.tensor([0., 10.]), ember.tensor([10., 20.]), 0.5)
    tensor([ 5., 15.])
    """
    _need_tensor(input, "lerp")
    _need_tensor(end, "lerp", "end", 2)
    _check_same_dtype("lerp", input, end, "end")
    if isinstance(weight, Tensor):
        if weight._data.ndim and weight._data.dtype != input._data.dtype:
            _check_same_dtype("lerp", input, weight, "weight")
    elif not isinstance(weight, (int, float)):
        raise TypeError(f"lerp(): argument 'weight' must be Number or Tensor, not "
                        f"{type(weight).__name__}")
    return _out(apply(Lerp, (input, end, weight), _E), out)


def _lerp_(self, end, weight):
    lerp(self, end, weight)             # argument checks (cheap next to the copy below)
    return inplace(Lerp, self, end, weight)


def _fma_value(x, value):
    """``value`` converted like PyTorch's scalar argument for the result dtype."""
    k = x.dtype.kind
    if k == "b":
        return bool(value)
    if k != "f" and isinstance(value, float):
        return int(value)
    return value


class Addcmul(Op):
    promote = COMMON
    save = (1, 2)

    @staticmethod
    def forward(ctx, x, t1, t2, value=1):
        if x.dtype is _NPBOOL:
            raise _not_impl("addcmul_cpu_out", x)
        value = _fma_value(x, value)
        ctx.value = value
        dt = x.dtype
        x, t1, t2 = _half_up(x), _half_up(t1), _half_up(t2)
        p = t1 * t2
        if value != 1:
            p = p * value
        return (x + p).astype(dt, copy=False)

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        n = ctx.needs_input_grad
        return (g,
                g * (t2 * v) if n[1] else None,
                g * (t1 * v) if n[2] else None)


class Addcdiv(Op):
    promote = COMMON
    save = (1, 2)

    @staticmethod
    @_quiet
    def forward(ctx, x, t1, t2, value=1):
        value = _fma_value(x, value)
        ctx.value = value
        dt = x.dtype
        x, t1, t2 = _half_up(x), _half_up(t1), _half_up(t2)
        q = t1 / t2
        if value != 1:
            q = q * value
        return (x + q).astype(dt, copy=False)

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        n = ctx.needs_input_grad
        return (g,
                g * (v / t2) if n[1] else None,
                g * (-v * t1 / (t2 * t2)) if n[2] else None)


def _fma_args(fname, input, tensor1, tensor2, value):
    _need_tensor(input, fname)
    _need_tensor(tensor1, fname, "tensor1", 2)
    _need_tensor(tensor2, fname, "tensor2", 3)
    if not isinstance(value, (int, float)):
        raise TypeError(f"{fname}(): argument 'value' must be Number, not {type(value).__name__}")
    if fname == "addcdiv" and tensor1._data.dtype.kind != "f" \
            and tensor2._data.dtype.kind != "f":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a "
                           "future release addcdiv will perform a true division of tensor1 and "
                           "tensor2. The historic addcdiv behavior can be implemented as "
                           "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) "
                           "for integer inputs and as (input + value * tensor1 / tensor2) for "
                           "float inputs. The future addcdiv behavior is just the latter "
                           "implementation: (input + value * tensor1 / tensor2), for all dtypes.")


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``.

    >>> import ember
    >>> ember.addcmul(ember.tensor([1., 1.]), ember.tensor([2., 3.]), ember.tensor([4., 5.]),
    ...               value=0.5)
    tensor([5.0000, 8.5000])
    """
    _fma_args("addcmul", input, tensor1, tensor2, value)
    return _out(apply(Addcmul, (input, tensor1, tensor2), {"value": value}), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2`` (at least one of the two must be floating).

    >>> import ember
    >>> ember.addcdiv(ember.tensor([1., 1.]), ember.tensor([2., 3.]), ember.tensor([4., 6.]))
    tensor([1.5000, 1.5000])
    """
    _fma_args("addcdiv", input, tensor1, tensor2, value)
    return _out(apply(Addcdiv, (input, tensor1, tensor2), {"value": value}), out)


def _fma_inplace(op, fname, ufunc):
    def f(self, tensor1, tensor2, *, value=1):
        _fma_args(fname, self, tensor1, tensor2, value)
        sd, a, b = self._data, tensor1._data, tensor2._data
        if (sd.dtype.kind == "f" and a.dtype is sd.dtype and b.dtype is sd.dtype
                and sd.dtype is not _F16 and not _tracers
                and not (_state.enabled and (self._requires_grad or tensor1._requires_grad
                                             or tensor2._requires_grad))):
            # the optimizers' hot path (Adam: exp_avg_sq.addcmul_(g, g, value=1 - beta2)):
            # one temporary, written into self
            p = np.asarray(ufunc(a, b))
            if value != 1:
                p *= value
            try:
                np.add(sd, p, out=sd)
            except ValueError:
                raise _inplace_shape_error(sd.shape, p.shape) from None
            _bump(self)
            return self
        return inplace(op, self, tensor1, tensor2, value=value)
    f.__name__ = fname + "_"
    return f


_addcmul_ = _fma_inplace(Addcmul, "addcmul", np.multiply)
_addcdiv_ = _fma_inplace(Addcdiv, "addcdiv", np.true_divide)


# --- two-input floating point functions ------------------------------------------------------
class Atan2(Op):
    promote = FLOAT
    save = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        d = a * a + b * b
        nz = d._data != 0
        return (_select(g * b / d, nz) if n[0] else None,
                _select(g * -a / d, nz) if n[1] else None)


class Hypot(Op):
    promote = COMMON
    save = (0, 1, OUT)

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind != "f":
            raise _not_impl("hypot_cpu", a)
        return np.hypot(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (g * a / y if n[0] else None), (g * b / y if n[1] else None)


class Copysign(Op):
    promote = FLOAT
    save = (0, OUT)

    @staticmethod
    def forward(ctx, a, b):
        return np.copysign(a, b)

    @staticmethod
    def backward(ctx, g):
        a, y = ctx.saved_tensors
        n = ctx.needs_input_grad
        ga = _select(g * (y / a), a._data != 0) if n[0] else None
        return ga, (_zeros(g) if n[1] else None)


class Xlogy(Op):
    """``x * log(y)``, 0 where ``x == 0`` (unless y is NaN)."""

    promote = FLOAT
    save = (0, 1)

    @staticmethod
    @_quiet
    def forward(ctx, x, y):
        if not isinstance(y, np.ndarray):
            y = np.asarray(y, x.dtype)          # keep a Python number weak
        r = x * np.log(y)
        z = np.asarray(x) == 0
        if z.any():
            r = np.where(z & ~np.isnan(y), 0, r).astype(r.dtype, copy=False)
        return r

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        n = ctx.needs_input_grad
        gx = gy = None
        if n[0]:
            xd = x._data if isinstance(x, Tensor) else np.asarray(x)
            yd = y._data if isinstance(y, Tensor) else np.asarray(y)
            gx = _select(g * (y.log() if isinstance(y, Tensor) else math.log(y)),
                         ~((xd == 0) & ~np.isnan(yd)))
        if n[1]:
            gy = g * x / y
        return gx, gy


class Logaddexp(Op):
    promote = COMMON
    save = (0, 1, OUT)

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind != "f":
            raise _not_impl("logaddexp_cpu", a)
        return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (g * (a - y).exp() if n[0] else None), (g * (b - y).exp() if n[1] else None)


class Logaddexp2(Op):
    promote = COMMON
    save = (0, 1, OUT)

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind != "f":
            raise _not_impl("logaddexp2_cpu", a)
        return np.logaddexp2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        n = ctx.needs_input_grad
        return ((g * ((a - y) * _LN2).exp() if n[0] else None),
                (g * ((b - y) * _LN2).exp() if n[1] else None))


def _tensor_pair(fname, input, other):
    _need_tensor(input, fname)
    _need_tensor(other, fname, "other", 2)


def atan2(input, other, *, out=None):
    """Angle of the point ``(other, input)``: ``atan(input / other)`` in the right quadrant.

    >>> import ember
    >>> ember.atan2(ember.tensor([1., -1.]), ember.tensor([0., 0.]))
    tensor([ 1.5708, -1.5708])
    """
    _tensor_pair("atan2", input, other)
    return _out(binary(Atan2, input, other), out)


arctan2 = atan2


def hypot(input, other, *, out=None):
    """``sqrt(input**2 + other**2)`` without intermediate overflow (floating inputs)."""
    _tensor_pair("hypot", input, other)
    return _out(binary(Hypot, input, other), out)


def copysign(input, other, *, out=None):
    """``|input|`` with the sign of ``other`` (a tensor or a number)."""
    _need_tensor(input, "copysign")
    return _out(binary(Copysign, input, other), out)


def xlogy(input, other, *, out=None):
    """``input * log(other)``, defined as 0 where ``input == 0``."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise _type_error("xlogy", "input", 1, input)
    return _out(binary(Xlogy, input, other), out)


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))`` computed without overflow."""
    _tensor_pair("logaddexp", input, other)
    return _out(binary(Logaddexp, input, other), out)


def logaddexp2(input, other, *, out=None):
    """``log2(2**input + 2**other)`` computed without overflow."""
    _tensor_pair("logaddexp2", input, other)
    return _out(binary(Logaddexp2, input, other), out)


# --- maximum / minimum -----------------------------------------------------------------------
def _tie_weights(ad, bd, lose, g):
    """Gradient share of ``a`` in maximum/minimum: 0 where it lost, 1/2 on ties, else 1
    (both operands get all of it where a NaN is involved, as in PyTorch)."""
    w = np.where(lose, 0.0, np.where(ad == bd, 0.5, 1.0)).astype(g._data.dtype)
    return _wrap(w)


class Maximum(Op):
    promote = COMMON
    save = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        ad, bd = a._data, b._data
        return (g * _tie_weights(ad, bd, ad < bd, g) if n[0] else None,
                g * _tie_weights(bd, ad, bd < ad, g) if n[1] else None)


class Minimum(Op):
    promote = COMMON
    save = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        ad, bd = a._data, b._data
        return (g * _tie_weights(ad, bd, ad > bd, g) if n[0] else None,
                g * _tie_weights(bd, ad, bd > ad, g) if n[1] else None)


class Fmax(Op):
    """Maximum ignoring NaN; the gradient goes to ``a`` where ``a >= b`` or ``b`` is NaN."""

    promote = COMMON
    save = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return np.fmax(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        ka = (a._data >= b._data) | np.isnan(b._data)
        return (_select(g, ka) if n[0] else None), (_select(g, ~ka) if n[1] else None)


class Fmin(Op):
    """Minimum ignoring NaN; the gradient goes to ``a`` where ``a <= b`` or ``b`` is NaN."""

    promote = COMMON
    save = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return np.fmin(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        ka = (a._data <= b._data) | np.isnan(b._data)
        return (_select(g, ka) if n[0] else None), (_select(g, ~ka) if n[1] else None)


def maximum(input, other, *, out=None):
    """Element-wise maximum (NaN propagates); ties split the gradient equally.

    >>> import ember
    >>> ember.maximum(ember.tensor([1, 5]), ember.tensor([3, 2]))
    tensor([3, 5])
    """
    _tensor_pair("maximum", input, other)
    return _out(binary(Maximum, input, other), out)


def minimum(input, other, *, out=None):
    """Element-wise minimum (NaN propagates); ties split the gradient equally."""
    _tensor_pair("minimum", input, other)
    return _out(binary(Minimum, input, other), out)


def fmax(input, other, *, out=None):
    """Element-wise maximum that ignores NaN (NaN only where both are NaN)."""
    _tensor_pair("fmax", input, other)
    return _out(binary(Fmax, input, other), out)


def fmin(input, other, *, out=None):
    """Element-wise minimum that ignores NaN (NaN only where both are NaN)."""
    _tensor_pair("fmin", input, other)
    return _out(binary(Fmin, input, other), out)


# --- bitwise and logical ---------------------------------------------------------------------
def _bitwise_op(name, ufunc, kernel):
    def forward(ctx, a, b):
        k = a.dtype.kind if isinstance(a, np.ndarray) else b.dtype.kind
        if k == "f":
            raise _not_impl(kernel, a if isinstance(a, np.ndarray) else b)
        return _wrapping(ufunc, a, b)
    return type(name, (Op,), {"promote": COMMON, "differentiable": False,
                              "__module__": __name__, "forward": staticmethod(forward)})


BitwiseAnd = _bitwise_op("BitwiseAnd", np.bitwise_and, "bitwise_and_cpu")
BitwiseOr = _bitwise_op("BitwiseOr", np.bitwise_or, "bitwise_or_cpu")
BitwiseXor = _bitwise_op("BitwiseXor", np.bitwise_xor, "bitwise_xor_cpu")


def _shift_np(a, b, left):
    """Shifts as PyTorch defines them: by a negative amount or by the bit width or more, a left
    shift gives 0 and a right shift the sign fill."""
    a = _int_scalar(a, b)
    b = _int_scalar(b, a)
    dt = (a if isinstance(a, np.ndarray) else b).dtype
    bits = dt.itemsize * 8
    an, bn = np.asarray(a, dtype=dt), np.asarray(b, dtype=dt)
    bad = (bn < 0) | (bn >= bits)
    sh = np.where(bad, 0, bn).astype(dt, copy=False)
    if left:
        r = np.left_shift(an, sh)
        return np.where(bad, dt.type(0), r) if bad.any() else r
    r = np.right_shift(an, sh)
    if bad.any():
        r = np.where(bad, np.where(an < 0, dt.type(-1) if dt.kind == "i" else dt.type(0),
                                   dt.type(0)), r)
    return r


class BitwiseLeftShift(Op):
    promote = COMMON
    differentiable = False
    opname = "bitwise_left_shift"

    @staticmethod
    def forward(ctx, a, b):
        k = a.dtype.kind if isinstance(a, np.ndarray) else b.dtype.kind
        if k in "fb":
            raise _not_impl("lshift_cpu", a if isinstance(a, np.ndarray) else b)
        return _shift_np(a, b, True)


class BitwiseRightShift(Op):
    promote = COMMON
    differentiable = False
    opname = "bitwise_right_shift"

    @staticmethod
    def forward(ctx, a, b):
        k = a.dtype.kind if isinstance(a, np.ndarray) else b.dtype.kind
        if k in "fb":
            raise _not_impl("rshift_cpu", a if isinstance(a, np.ndarray) else b)
        return _shift_np(a, b, False)


class BitwiseNot(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, x):
        k = x.dtype.kind
        if k == "b":
            return np.logical_not(x)
        if k == "f":
            raise _not_impl("bitwise_not_cpu", x)
        return np.invert(x)


def _logical_op(name, ufunc):
    return type(name, (Op,), {"differentiable": False, "__module__": __name__,
                              "forward": staticmethod(lambda ctx, a, b: ufunc(a, b))})


LogicalAnd = _logical_op("LogicalAnd", np.logical_and)
LogicalOr = _logical_op("LogicalOr", np.logical_or)
LogicalXor = _logical_op("LogicalXor", np.logical_xor)


class LogicalNot(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, x):
        return np.logical_not(x)


def _bitwise_fn(op, name):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise _type_error(name, "input", 1, input)
        r = binary(op, input, other)
        if r is NotImplemented:
            raise TypeError(f"{name}(): unsupported operand types {type(input).__name__} and "
                            f"{type(other).__name__}")
        return r if out is None else _out(r, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = __name__
    return fn


bitwise_and = _bitwise_fn(BitwiseAnd, "bitwise_and")
bitwise_and.__doc__ = """Bitwise AND of integer or bool tensors (``&``).

    >>> import ember
    >>> ember.bitwise_and(ember.tensor([12, 10]), 6)
    tensor([4, 2])
    """
bitwise_or = _bitwise_fn(BitwiseOr, "bitwise_or")
bitwise_or.__doc__ = "Bitwise OR of integer or bool tensors (``|``)."
bitwise_xor = _bitwise_fn(BitwiseXor, "bitwise_xor")
bitwise_xor.__doc__ = "Bitwise XOR of integer or bool tensors (``^``)."
bitwise_left_shift = _bitwise_fn(BitwiseLeftShift, "bitwise_left_shift")
bitwise_left_shift.__doc__ = "``input << other`` for integer tensors."
bitwise_right_shift = _bitwise_fn(BitwiseRightShift, "bitwise_right_shift")
bitwise_right_shift.__doc__ = "``input >> other`` for integer tensors (arithmetic shift)."
bitwise_not = _make_unary(BitwiseNot, "bitwise_not",
                          "Bitwise NOT (``~``) of an integer tensor; logical NOT of a bool one.")


def _logical_fn(op, name):
    def fn(input, other, *, out=None):
        _tensor_pair(name, input, other)
        r = apply(op, (input, other), _E)
        return r if out is None else _out(r, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = __name__
    return fn


logical_and = _logical_fn(LogicalAnd, "logical_and")
logical_and.__doc__ = """Element-wise logical AND (nonzero is True); the result is bool.

    >>> import ember
    >>> ember.logical_and(ember.tensor([1., 0., 2.]), ember.tensor([1, 1, 0]))
    tensor([ True, False, False])
    """
logical_or = _logical_fn(LogicalOr, "logical_or")
logical_or.__doc__ = "Element-wise logical OR (nonzero is True); the result is bool."
logical_xor = _logical_fn(LogicalXor, "logical_xor")
logical_xor.__doc__ = "Element-wise logical XOR (nonzero is True); the result is bool."
logical_not = _make_unary(LogicalNot, "logical_not",
                          "Element-wise logical NOT (zero is True); the result is bool.")


def _invert(self):
    if self._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return apply(BitwiseNot, (self,), _E)


def _bitwise_method(op):
    def f(self, other):
        return binary(op, self, other)
    return f


def _rbitwise_method(op):
    def f(self, other):
        return binary(op, other, self)
    return f


def _iop(op):
    def f(self, other):
        return inplace(op, self, other)
    return f


def _logical_inplace(op, name):
    def f(self, other):
        _tensor_pair(name, self, other)
        return inplace(op, self, other)
    return f


# --- public one-input functions --------------------------------------------------------------
exp = _make_unary(Exp, "exp", """Element-wise ``e ** input`` (integers give the default
    float dtype).

    >>> import ember
    >>> ember.exp(ember.tensor([0., 1.]))
    tensor([1.0000, 2.7183])
    """)
exp2 = _make_unary(Exp2, "exp2", "Element-wise ``2 ** input``.")
expm1 = _make_unary(Expm1, "expm1", "``exp(input) - 1``, accurate for small inputs.")
log = _make_unary(Log, "log", """Element-wise natural logarithm (``log(0) = -inf``, negative
    inputs give NaN).

    >>> import ember
    >>> ember.log(ember.tensor([1., 0.]))
    tensor([0., -inf])
    """)
log1p = _make_unary(Log1p, "log1p", "``log(1 + input)``, accurate for small inputs.")
log2 = _make_unary(Log2, "log2", "Element-wise base-2 logarithm.")
log10 = _make_unary(Log10, "log10", "Element-wise base-10 logarithm.")
sqrt = _make_unary(Sqrt, "sqrt", """Element-wise square root (NaN for negative inputs).

    >>> import ember
    >>> ember.sqrt(ember.tensor([4, 9]))
    tensor([2., 3.])
    """)
rsqrt = _make_unary(Rsqrt, "rsqrt", "``1 / sqrt(input)`` element-wise.")
sin = _make_unary(Sin, "sin", "Element-wise sine (radians).")
cos = _make_unary(Cos, "cos", "Element-wise cosine (radians).")
tan = _make_unary(Tan, "tan", "Element-wise tangent (radians).")
asin = _make_unary(Asin, "asin", "Element-wise arcsine (NaN outside [-1, 1]).")
acos = _make_unary(Acos, "acos", "Element-wise arccosine (NaN outside [-1, 1]).")
atan = _make_unary(Atan, "atan", "Element-wise arctangent.")
sinh = _make_unary(Sinh, "sinh", "Element-wise hyperbolic sine.")
cosh = _make_unary(Cosh, "cosh", "Element-wise hyperbolic cosine.")
tanh = _make_unary(Tanh, "tanh", """Element-wise hyperbolic tangent.

    >>> import ember
    >>> ember.tanh(ember.tensor([0.]))
    tensor([0.])
    """)
asinh = _make_unary(Asinh, "asinh", "Element-wise inverse hyperbolic sine.")
acosh = _make_unary(Acosh, "acosh", "Element-wise inverse hyperbolic cosine (NaN below 1).")
atanh = _make_unary(Atanh, "atanh", "Element-wise inverse hyperbolic tangent (inf at ±1).")
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
deg2rad = _make_unary(Deg2rad, "deg2rad", "Degrees to radians.")
rad2deg = _make_unary(Rad2deg, "rad2deg", "Radians to degrees.")
sigmoid = _make_unary(Sigmoid, "sigmoid", """The logistic function ``1 / (1 + exp(-input))``.

    >>> import ember
    >>> ember.sigmoid(ember.tensor([0.]))
    tensor([0.5000])
    """)
erf = _make_unary(Erf, "erf", """The error function, to float64 precision.

    >>> import ember
    >>> ember.erf(ember.tensor([0., 1.]))
    tensor([0.0000, 0.8427])
    """)
erfc = _make_unary(Erfc, "erfc", "The complementary error function ``1 - erf(input)``, "
                                 "accurate where it is tiny.")
erfinv = _make_unary(Erfinv, "erfinv", "The inverse error function (±inf at ±1, NaN outside).")
floor = _make_unary(Floor, "floor", """Round down (integers are returned unchanged).

    >>> import ember
    >>> ember.floor(ember.tensor([-1.5, 1.5]))
    tensor([-2.,  1.])
    """)
ceil = _make_unary(Ceil, "ceil", "Round up (integers are returned unchanged).")
trunc = _make_unary(Trunc, "trunc", "Round towards zero (integers are returned unchanged).")
fix = _make_unary(Trunc, "fix", "Alias of :func:`trunc`.")
frac = _make_unary(Frac, "frac", "The fractional part ``input - trunc(input)``.")
sign = _make_unary(Sign, "sign", """-1, 0 or 1 by the sign of each element (0 for NaN).

    >>> import ember
    >>> ember.sign(ember.tensor([-2., 0., 3.]))
    tensor([-1.,  0.,  1.])
    """)
sgn = _make_unary(Sgn, "sgn", "The sign (for real tensors the same as :func:`sign`).")


def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``; with ``eps`` the input is first clamped to ``[eps, 1 - eps]``.

    >>> import ember
    >>> ember.logit(ember.tensor([0.5]))
    tensor([0.])
    """
    _need_tensor(input, "logit")
    r = apply(Logit, (input,), {"eps": eps} if eps is not None else _E)
    return r if out is None else _out(r, out)


def relu(input):
    """``max(input, 0)`` element-wise.

    >>> import ember
    >>> ember.relu(ember.tensor([-1., 2.]))
    tensor([0., 2.])
    """
    _need_tensor(input, "relu")
    return apply(Relu, (input,), _E)


# --- methods and operators -------------------------------------------------------------------
def _add(self, other):
    return binary(Add, self, other)


def _radd(self, other):
    return binary(Add, other, self)


def _sub(self, other):
    if self._data.dtype is _NPBOOL or other.__class__ is bool or (
            isinstance(other, Tensor) and other._data.dtype is _NPBOOL):
        _check_bool_sub(self, other)
    return binary(Sub, self, other)


class Rsub(Sub):
    """``number - tensor``: Sub with the operands as written, named as PyTorch names it."""
    node_name = "RsubBackward1"


def _rsub(self, other):
    _check_bool_sub(other, self)
    return binary(Rsub, other, self)


def _mul(self, other):
    return binary(Mul, self, other)


def _rmul(self, other):
    return binary(Mul, other, self)


def _truediv(self, other):
    return binary(Div, self, other)


def _rtruediv(self, other):
    return binary(Div, other, self)


def _floordiv(self, other):
    return binary(FloorDivide, self, other)


def _rfloordiv(self, other):
    return binary(FloorDivide, other, self)


def _mod(self, other):
    return binary(Remainder, self, other)


def _rmod(self, other):
    return binary(Remainder, other, self)


_iadd = _binary_inplace(Add)
_isub_plain = _binary_inplace(Sub)
_imul = _binary_inplace(Mul)
_idiv = _binary_inplace(Div)


def _add_(self, other, *, alpha=1):
    if alpha.__class__ is not int or alpha != 1:
        return inplace(Add, self, _scaled(self, other, alpha))
    return _iadd(self, other)


def _sub_(self, other, *, alpha=1):
    _check_bool_sub(self, other)
    if alpha.__class__ is not int or alpha != 1:
        return inplace(Sub, self, _scaled(self, other, alpha))
    return _isub_plain(self, other)


def _div_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return _idiv(self, other)
    if rounding_mode == "trunc":
        return inplace(DivTrunc, self, other)
    if rounding_mode == "floor":
        return inplace(DivFloor, self, other)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


def _positive_method(self):
    return positive(self)


def _logit_method(self, eps=None):
    return apply(Logit, (self,), {"eps": eps} if eps is not None else _E)


def _logit_(self, eps=None):
    return inplace(Logit, self, **({"eps": eps} if eps is not None else _E))


def _clamp_method(self, min=None, max=None):
    return clamp(self, min, max)


def _one_tensor_method(fn):
    def f(self, other):
        return fn(self, other)
    f.__name__ = fn.__name__
    return f


def _checked_inplace(op, fname, pair=True):
    """``x.f_(other)`` for ops whose ``other`` must be a Tensor."""
    def f(self, other):
        if pair:
            _tensor_pair(fname, self, other)
        return inplace(op, self, other)
    return f


_UNARY = {
    "exp": Exp, "exp2": Exp2, "expm1": Expm1, "log": Log, "log1p": Log1p, "log2": Log2,
    "log10": Log10, "sqrt": Sqrt, "rsqrt": Rsqrt, "sin": Sin, "cos": Cos, "tan": Tan,
    "asin": Asin, "arcsin": Asin, "acos": Acos, "arccos": Acos, "atan": Atan, "arctan": Atan,
    "sinh": Sinh, "cosh": Cosh, "tanh": Tanh, "asinh": Asinh, "arcsinh": Asinh,
    "acosh": Acosh, "arccosh": Acosh, "atanh": Atanh, "arctanh": Atanh, "deg2rad": Deg2rad,
    "rad2deg": Rad2deg, "sigmoid": Sigmoid, "erf": Erf, "erfc": Erfc, "erfinv": Erfinv,
    "abs": Abs, "absolute": Abs, "neg": Neg, "negative": Neg, "reciprocal": Reciprocal,
    "floor": Floor, "ceil": Ceil, "trunc": Trunc, "fix": Trunc, "frac": Frac, "sign": Sign,
    "sgn": Sgn, "relu": Relu,
}

METHODS = {
    "__add__": _add, "__radd__": _radd, "__iadd__": _iadd,
    "__sub__": _sub, "__rsub__": _rsub, "__isub__": _sub_,
    "__mul__": _mul, "__rmul__": _rmul,
    "__imul__": _imul,
    "__truediv__": _truediv, "__rtruediv__": _rtruediv, "__itruediv__": _idiv,
    "__floordiv__": _floordiv, "__rfloordiv__": _rfloordiv, "__ifloordiv__": _iop(FloorDivide),
    "__mod__": _mod, "__rmod__": _rmod, "__imod__": _iop(Remainder),
    "__pow__": _pow_method, "__rpow__": _rpow_method, "__ipow__": _pow_,
    "__neg__": _unary_method(Neg), "__pos__": _positive_method, "__abs__": _unary_method(Abs),
    "__and__": _bitwise_method(BitwiseAnd), "__rand__": _rbitwise_method(BitwiseAnd),
    "__iand__": _iop(BitwiseAnd),
    "__or__": _bitwise_method(BitwiseOr), "__ror__": _rbitwise_method(BitwiseOr),
    "__ior__": _iop(BitwiseOr),
    "__xor__": _bitwise_method(BitwiseXor), "__rxor__": _rbitwise_method(BitwiseXor),
    "__ixor__": _iop(BitwiseXor),
    "__lshift__": _bitwise_method(BitwiseLeftShift),
    "__rlshift__": _rbitwise_method(BitwiseLeftShift),
    "__ilshift__": _iop(BitwiseLeftShift),
    "__rshift__": _bitwise_method(BitwiseRightShift),
    "__rrshift__": _rbitwise_method(BitwiseRightShift),
    "__irshift__": _iop(BitwiseRightShift),
    "__invert__": _invert,
    # arithmetic
    "add": add, "add_": _add_, "sub": sub, "sub_": _sub_, "subtract": sub,
    "subtract_": _sub_, "mul": mul, "mul_": _imul, "multiply": mul, "multiply_": _imul,
    "div": div, "div_": _div_, "divide": div, "divide_": _div_, "true_divide": true_divide,
    "true_divide_": _idiv, "floor_divide": floor_divide, "floor_divide_": _iop(FloorDivide),
    "positive": _positive_method, "square": square,
    "square_": lambda self: inplace(PowScalar, self, 2),
    "pow": _pow_method, "pow_": _pow_, "float_power": float_power,
    "float_power_": _float_power_,
    "fmod": fmod, "fmod_": _iop(Fmod), "remainder": remainder, "remainder_": _iop(Remainder),
    "lerp": lerp, "lerp_": _lerp_, "addcmul": addcmul, "addcmul_": _addcmul_,
    "addcdiv": addcdiv, "addcdiv_": _addcdiv_,
    # two-input functions
    "atan2": atan2, "atan2_": _checked_inplace(Atan2, "atan2"), "arctan2": atan2,
    "arctan2_": _checked_inplace(Atan2, "arctan2"), "hypot": hypot,
    "hypot_": _checked_inplace(Hypot, "hypot"), "copysign": copysign,
    "copysign_": _iop(Copysign), "xlogy": xlogy, "xlogy_": _iop(Xlogy),
    "logaddexp": logaddexp, "logaddexp2": logaddexp2,
    "maximum": maximum, "minimum": minimum, "fmax": fmax, "fmin": fmin,
    # special functions, rounding, clamping
    "logit": _logit_method, "logit_": _logit_, "round": _round_method, "round_": _round_,
    "signbit": signbit,
    "clamp": _clamp_method, "clamp_": _clamp_, "clip": _clamp_method, "clip_": _clamp_,
    "clamp_min": clamp_min, "clamp_min_": _clamp_min_, "clamp_max": clamp_max,
    "clamp_max_": _clamp_max_, "nan_to_num": nan_to_num, "nan_to_num_": _nan_to_num_,
    # bitwise and logical
    "bitwise_and": _bitwise_method(BitwiseAnd), "bitwise_and_": _iop(BitwiseAnd),
    "bitwise_or": _bitwise_method(BitwiseOr), "bitwise_or_": _iop(BitwiseOr),
    "bitwise_xor": _bitwise_method(BitwiseXor), "bitwise_xor_": _iop(BitwiseXor),
    "bitwise_left_shift": _bitwise_method(BitwiseLeftShift),
    "bitwise_left_shift_": _iop(BitwiseLeftShift),
    "bitwise_right_shift": _bitwise_method(BitwiseRightShift),
    "bitwise_right_shift_": _iop(BitwiseRightShift),
    "bitwise_not": _unary_method(BitwiseNot), "bitwise_not_": _unary_inplace(BitwiseNot),
    "logical_and": logical_and, "logical_and_": _logical_inplace(LogicalAnd, "logical_and"),
    "logical_or": logical_or, "logical_or_": _logical_inplace(LogicalOr, "logical_or"),
    "logical_xor": logical_xor, "logical_xor_": _logical_inplace(LogicalXor, "logical_xor"),
    "logical_not": _unary_method(LogicalNot), "logical_not_": _unary_inplace(LogicalNot),
}
for _name, _op in _UNARY.items():
    METHODS[_name] = _unary_method(_op)
    METHODS[_name + "_"] = _unary_inplace(_op)
METHODS["relu_"] = _relu_
del _name, _op

# Backward formulas meet inf/nan at special points (0 * inf in d/dx x**0 at x = 0, inf - inf
# when gradients of 1/x meet): run every backward of this module with NumPy's warnings off.
for _op in [v for v in globals().values()
            if isinstance(v, type) and issubclass(v, Op) and v.__module__ == __name__]:
    _bw = _op.__dict__.get("backward")
    if isinstance(_bw, staticmethod):
        _op.backward = staticmethod(_quiet(_bw.__func__))
del _op, _bw

# PyTorch's in-place functions in the torch namespace (torch.relu_(x), torch.clamp_(x, 0) ...)
_INPLACE_FUNCTIONS = ("abs_", "neg_", "negative_", "exp_", "exp2_", "expm1_",
                      "log_", "log1p_", "log2_", "log10_", "sqrt_", "rsqrt_", "sin_", "cos_",
                      "tan_", "asin_", "arcsin_", "acos_", "arccos_", "atan_", "arctan_",
                      "sinh_", "cosh_", "tanh_", "asinh_", "arcsinh_", "acosh_", "arccosh_",
                      "atanh_", "arctanh_", "deg2rad_", "rad2deg_", "sigmoid_", "erf_", "erfc_",
                      "floor_", "ceil_", "trunc_", "fix_", "frac_", "round_", "reciprocal_",
                      "relu_", "square_", "clamp_", "clip_", "clamp_min_", "clamp_max_",
                      "nan_to_num_", "logit_", "xlogy_")
for _name in _INPLACE_FUNCTIONS:
    globals()[_name] = METHODS[_name]
__all__ += list(_INPLACE_FUNCTIONS)
del _name
