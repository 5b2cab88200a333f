"""Element-wise ops: arithmetic, powers, exponentials, trigonometry, activations, rounding.

Each op is one class with ``forward`` on arrays and ``backward`` in ember ops; see
``ember/ops/_dispatch.py`` for the contract.
"""
import numpy as np

from .._tensor import Tensor
from ._dispatch import COMMON, FLOAT, OUT, Op, apply, binary, inplace

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg",
           "negative", "exp", "log", "relu"]


# --- arithmetic ------------------------------------------------------------------------------
class Add(Op):
    promote = COMMON
    ufunc = np.add

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    promote = COMMON
    ufunc = np.subtract

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Op):
    promote = COMMON
    save = (0, 1)
    ufunc = np.multiply

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (g * b if n[0] else None), (g * a if n[1] else None)


class Div(Op):
    promote = FLOAT
    save = (0, 1)
    ufunc = np.true_divide

    @staticmethod
    def forward(ctx, a, b):
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = ctx.needs_input_grad
        ga = g / b if n[0] else None
        gb = -g * a / (b * b) if n[1] else None
        return ga, gb


class Neg(Op):
    ufunc = None

    @staticmethod
    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


def _check_bool_sub(a, b):
    if (isinstance(a, Tensor) and a._data.dtype == np.bool_
            and (not isinstance(b, Tensor) or b._data.dtype == np.bool_)
            and (isinstance(b, Tensor) or isinstance(b, bool))):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch type promotion.

    >>> import ember
    >>> ember.add(ember.tensor([1, 2]), ember.tensor([3, 4]))
    tensor([4, 6])
    """
    if alpha != 1:
        other = mul(other, alpha)
    return _out(binary(Add, input, other), out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    _check_bool_sub(input, other)
    if alpha != 1:
        other = mul(other, alpha)
    return _out(binary(Sub, input, other), out)


def mul(input, other, *, out=None):
    """Element-wise product with broadcasting."""
    return _out(binary(Mul, input, other), out)


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient."""
    if rounding_mode is None:
        r = binary(Div, input, other)
    elif rounding_mode == "trunc":
        r = apply(DivTrunc, (input, other), {})
    elif rounding_mode == "floor":
        r = apply(FloorDivide, (input, other), {})
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return _out(r, out)


class DivTrunc(Op):
    promote = COMMON
    opname = "div_trunc"
    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind == "f":
            return np.trunc(a / b)
        _check_int_div(b)
        q = np.abs(a) // np.abs(b)
        return np.where((a < 0) != (b < 0), -q, q).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * 0, g * 0


class FloorDivide(Op):
    promote = COMMON
    opname = "floor_divide"
    node_name = "DivBackward2"

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind != "f":
            _check_int_div(b)
        return np.floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        return g * 0, g * 0


def _check_int_div(b):
    if np.any(np.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")


def neg(input, *, out=None):
    """``-input``."""
    return _out(apply(Neg, (input,), {}), out)


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


subtract = sub
multiply = mul
divide = div
negative = neg


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


# --- unary ------------------------------------------------------------------------------------
class Exp(Op):
    promote = FLOAT
    save = (OUT,)

    @staticmethod
    def forward(ctx, x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Log(Op):
    promote = FLOAT
    save = (0,)

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Relu(Op):
    save = (OUT,)

    @staticmethod
    def forward(ctx, x):
        if x.dtype == np.bool_:
            raise RuntimeError('"clamp_min_scalar_cpu" not implemented for \'Bool\'')
        return np.maximum(x, 0, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y > 0)


def exp(input, *, out=None):
    """Element-wise ``e ** input`` (integers give the default float dtype)."""
    return _out(apply(Exp, (input,), {}), out)


def log(input, *, out=None):
    """Element-wise natural logarithm."""
    return _out(apply(Log, (input,), {}), out)


def relu(input):
    """``max(input, 0)`` element-wise."""
    return apply(Relu, (input,), {})


# --- methods and operators -------------------------------------------------------------------
def _rsub(self, other):
    _check_bool_sub(other, self)
    return binary(Sub, other, self)


def _iop(op):
    def f(self, other):
        return inplace(op, self, other)
    return f


def _add_(self, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return inplace(Add, self, other)


def _sub_(self, other, *, alpha=1):
    _check_bool_sub(self, other)
    if alpha != 1:
        other = mul(other, alpha)
    return inplace(Sub, self, other)


def _div_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return inplace(Div, self, other)
    return inplace(DivTrunc if rounding_mode == "trunc" else FloorDivide, self, other)


def _unary_(op):
    def f(self):
        return inplace(op, self)
    return f


METHODS = {
    "__add__": lambda self, other: binary(Add, self, other),
    "__radd__": lambda self, other: binary(Add, other, self),
    "__iadd__": _iop(Add),
    "__sub__": lambda self, other: (_check_bool_sub(self, other), binary(Sub, self, other))[1],
    "__rsub__": _rsub,
    "__isub__": _sub_,
    "__mul__": lambda self, other: binary(Mul, self, other),
    "__rmul__": lambda self, other: binary(Mul, other, self),
    "__imul__": _iop(Mul),
    "__truediv__": lambda self, other: binary(Div, self, other),
    "__rtruediv__": lambda self, other: binary(Div, other, self),
    "__itruediv__": _iop(Div),
    "__floordiv__": lambda self, other: apply(FloorDivide, (self, other), {}),
    "__rfloordiv__": lambda self, other: apply(FloorDivide, (other, self), {}),
    "__ifloordiv__": _iop(FloorDivide),
    "__neg__": lambda self: apply(Neg, (self,), {}),
    "__pos__": lambda self: self,
    "add": add, "add_": _add_, "sub": sub, "sub_": _sub_, "subtract": sub,
    "mul": mul, "mul_": _iop(Mul), "multiply": mul,
    "div": div, "div_": _div_, "divide": div, "true_divide": true_divide,
    "neg": neg, "neg_": _unary_(Neg), "negative": neg,
    "exp": exp, "exp_": _unary_(Exp), "log": log, "log_": _unary_(Log),
    "relu": relu, "relu_": _unary_(Relu),
}
