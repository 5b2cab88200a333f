"""Matrix ops: products (``matmul``/``@``, ``mm``, ``bmm``, ``mv``, ``dot``, ``outer``,
``addmm`` and friends, ``einsum``, ``tensordot``, ``kron``), triangles and diagonals
(``tril``, ``triu``, ``diag``, ``diag_embed``, ``trace``) and inverses/determinants
(``inverse``, ``det``; ``ember.linalg`` re-exports the ``torch.linalg`` names).

Products call NumPy's BLAS-backed ``np.matmul`` directly on the operands' dtype (float32
stays float32, nothing is upcast or copied) and their gradients are matmuls too. Like
PyTorch, the matrix products do not promote types: mixed dtypes are an error.
"""
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _norm_dim
from ..autograd.grad_mode import _state
from ..autograd.saved import save_output
from ._dispatch import OUT, Op, apply, broadcast_error, inplace
from .reduction import _structseq, return_types

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm",
           "addmv", "addr", "baddbmm", "addbmm", "einsum", "tensordot", "kron", "cross",
           "trace", "tril", "triu", "diag", "diag_embed", "inverse", "det", "logdet",
           "slogdet", "chain_matmul", "svd", "qr", "cholesky", "pinverse", "cdist",
           "matrix_power", "cholesky_solve", "cholesky_inverse", "triangular_solve", "solve",
           "lstsq", "symeig", "eig", "matrix_rank"]


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (e.g. a singular matrix)."""


# --- helpers ---------------------------------------------------------------------------------
_CTYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
          "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
          "bool": "bool"}


def _ct(arr):
    """C++ type name of an array's dtype, as PyTorch's messages spell it."""
    return _CTYPE[arr.dtype.name]


def _lg(arr):
    """Legacy scalar-type name (``Float``, ``Double``, ``Long`` ...)."""
    return D._FROM_NP[arr.dtype]._legacy[:-6]


def _need_tensor(x, fname, argname, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _no_bool(arr, kernel="addmm_impl_cpu_"):
    if arr.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _out(result, out):
    """Write ``result`` into the ``out=`` tensor (resized when its shape differs)."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out._data.dtype != result._data.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {result.dtype}, but got "
                           f"{out.dtype} instead")
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    from .copy import copy_
    copy_(out, result)
    return out


def _dims_str(shape):
    return "x".join(str(s) for s in shape)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _expand_error(target, shape):
    """PyTorch's ``expand`` message for ``shape`` that cannot broadcast to ``target``."""
    lead = len(target) - len(shape)
    if lead < 0:
        return RuntimeError(f"expand: the number of sizes provided ({len(target)}) must be "
                            f"greater or equal to the number of dimensions in the tensor "
                            f"({len(shape)})")
    for i in range(len(target) - 1, lead - 1, -1):
        cur = shape[i - lead]
        if cur != 1 and cur != target[i]:
            return RuntimeError(
                f"The expanded size of the tensor ({target[i]}) must match the existing size "
                f"({cur}) at non-singleton dimension {i}.  Target sizes: {list(target)}.  "
                f"Tensor sizes: {list(shape)}")
    return RuntimeError(f"cannot expand {list(shape)} to {list(target)}")


def _check_expand(shape, target):
    lead = len(target) - len(shape)
    if lead < 0 or any(s != 1 and s != t for s, t in zip(shape, target[lead:])):
        raise _expand_error(target, shape)


# --- matrix products -------------------------------------------------------------------------
class Matmul(Op):
    """``np.matmul`` with PyTorch's 1-D/2-D/batched semantics; the base of mm/bmm/mv/dot."""

    save = (0, 1)
    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, b):
        if b.ndim == 2 and a.ndim > 2 and a.flags.c_contiguous:
            # fold the batch into the rows: one GEMM instead of a loop of small ones
            out = np.matmul(a.reshape(_prod(a.shape[:-1]), a.shape[-1]), b)
            return out.reshape(a.shape[:-1] + (b.shape[1],))
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return _matmul_grads(g, a, b, need[0], need[1])


class Mm(Matmul):
    node_name = "MmBackward0"


class Bmm(Matmul):
    node_name = "BmmBackward0"


class Mv(Matmul):
    node_name = "MvBackward0"


class Dot(Matmul):
    node_name = "DotBackward0"


_NOATTRS = {}


def _mm(x, y):
    """Product of two tensors whose shapes and dtypes were already checked."""
    na, nb = x._data.ndim, y._data.ndim
    if na == 2:
        op = Mm if nb == 2 else (Mv if nb == 1 else Matmul)
    elif na == 1 and nb == 1:
        op = Dot
    else:
        op = Matmul
    return apply(op, (x, y), _NOATTRS)


def _matmul_grads(g, a, b, need_a, need_b):
    """Gradients of ``matmul(a, b)`` for upstream ``g``, as matmuls (broadcast batch
    dimensions come back summed by the engine)."""
    na, nb = a._data.ndim, b._data.ndim
    ga = gb = None
    if na == 1 and nb == 1:
        if need_a:
            ga = g * b
        if need_b:
            gb = g * a
    elif nb == 1:                       # a (..., n, k) @ b (k,) -> g (..., n)
        if need_a:
            ga = g.unsqueeze(-1) * b
        if need_b:
            sa = a._data.shape
            gb = _mm(g.reshape(-1), a.reshape(_prod(sa[:-1]), sa[-1]))
    elif na == 1:                       # a (k,) @ b (..., k, m) -> g (..., m)
        if need_a:
            ga = _mm(b, g.unsqueeze(-1)).squeeze(-1) if nb > 2 else _mm(b, g)
        if need_b:
            gb = a.unsqueeze(-1) * g.unsqueeze(-2)
    else:
        if need_a:
            ga = _mm(g, b.mT)
        if need_b:
            if nb == 2 and na > 2:      # weight shared over the batch: one GEMM
                sa, m = a._data.shape, g._data.shape[-1]
                n = _prod(sa[:-1])
                gb = _mm(a.reshape(n, sa[-1]).mT, g.reshape(n, m))
            else:
                gb = _mm(a.mT, g)
    return ga, gb


def _check_dot(a, b, fname="dot"):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_lg(a)} and {_lg(b)}")
    _no_bool(a, fname)


def _check_mm(a, b):
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims_str(a.shape)} and "
                           f"{_dims_str(b.shape)})")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_ct(a)} != "
                           f"{_ct(b)}")
    _no_bool(a)


def _check_mv(a, b, rows=None):
    """``a`` (…, k) as a matrix times vector ``b``; ``rows`` is the folded row count."""
    if a.dtype != b.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_lg(b)}, "
                           f"{_lg(a)}, and {_lg(b)}")
    k = a.shape[-1]
    if k != b.shape[0]:
        n = a.shape[0] if rows is None else rows
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{k}), vec ({b.shape[0]})")
    _no_bool(a)


def _check_batched(a, b):
    """Batched product of ``a`` (…, n, k) and ``b`` (…, k, m) (1-D operands promoted)."""
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_lg(a)} but found {_lg(b)}")
    sa = a.shape if a.ndim > 1 else (1,) + a.shape
    sb = b.shape if b.ndim > 1 else b.shape + (1,)
    try:
        batch = np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise broadcast_error(sa[:-2], sb[:-2]) from None
    if sa[-1] != sb[-2]:
        nb = _prod(batch)
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{nb}, {sa[-1]}] but got: [{nb}, {sb[-2]}].")
    _no_bool(a)


def matmul(input, other, *, out=None):
    """Matrix product with PyTorch's rules: 1-D·1-D is a dot product, 2-D·1-D a
    matrix-vector product, 2-D·2-D a matrix product, and N-D operands are batches of
    matrices whose batch dimensions broadcast (a 1-D operand gets a dimension prepended or
    appended, removed afterwards). No type promotion: the dtypes must match.

    >>> import ember
    >>> a = ember.tensor([[1., 2.], [3., 4.]])
    >>> ember.matmul(a, ember.tensor([1., 1.]))
    tensor([3., 7.])
    >>> (a @ a).shape
    ember.Size([2, 2])
    """
    try:
        a, b = input._data, other._data
    except AttributeError:
        _need_tensor(input, "matmul", "input", 1)
        _need_tensor(other, "matmul", "other", 2)
    na, nb = a.ndim, b.ndim
    if na == 2 and nb == 2 and a.shape[1] == b.shape[0] and a.dtype is b.dtype and \
            a.dtype.kind == "f":           # the common case, checked cheaply
        r = apply(Mm, (input, other), _NOATTRS)
        return r if out is None else _out(r, out)
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{na}D and {nb}D")
    if nb == 1:
        if na == 1:
            _check_dot(a, b)
            op = Dot
        else:
            _check_mv(a, b, _prod(a.shape[:-1]))
            op = Mv if na == 2 else Matmul
    elif nb == 2 and na <= 2:
        sa = a.shape if na == 2 else (1, a.shape[0])
        if sa[1] != b.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims_str(sa)} and "
                               f"{_dims_str(b.shape)})")
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_ct(a)} != "
                               f"{_ct(b)}")
        _no_bool(a)
        op = Mm if na == 2 else Matmul
    elif nb == 2:
        if a.shape[-1] != b.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({_prod(a.shape[:-1])}x{a.shape[-1]} and "
                               f"{_dims_str(b.shape)})")
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_ct(a)} != "
                               f"{_ct(b)}")
        _no_bool(a)
        op = Matmul
    else:
        _check_batched(a, b)
        op = Matmul
    return _out(apply(op, (input, other), {}), out)


def mm(input, mat2, *, out=None):
    """Product of two matrices (2-D only; see :func:`matmul` for broadcasting).

    >>> import ember
    >>> ember.mm(ember.tensor([[1, 2]]), ember.tensor([[3], [4]]))
    tensor([[11]])
    """
    _need_tensor(input, "mm", "input", 1)
    _need_tensor(mat2, "mm", "mat2", 2)
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(a, b)
    return _out(apply(Mm, (input, mat2), {}), out)


def _check_bmm(a, b):
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, "
                           f"{b.shape[1]}].")


def bmm(input, mat2, *, out=None):
    """Batched matrix product of (b, n, k) and (b, k, m) tensors (no broadcasting)."""
    _need_tensor(input, "bmm", "input", 1)
    _need_tensor(mat2, "bmm", "mat2", 2)
    a, b = input._data, mat2._data
    _check_bmm(a, b)
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_lg(a)} but found {_lg(b)}")
    _no_bool(a, "bmm")
    return _out(apply(Bmm, (input, mat2), {}), out)


def mv(input, vec, *, out=None):
    """Matrix-vector product of an (n, k) matrix and a (k,) vector."""
    _need_tensor(input, "mv", "input", 1)
    _need_tensor(vec, "mv", "vec", 2)
    a, b = input._data, vec._data
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")
    _check_mv(a, b)
    return _out(apply(Mv, (input, vec), {}), out)


def dot(input, tensor, *, out=None):
    """Dot product of two 1-D tensors of the same dtype and length.

    >>> import ember
    >>> ember.dot(ember.tensor([2, 3]), ember.tensor([2, 1]))
    tensor(7)
    """
    _need_tensor(input, "dot", "input", 1)
    _need_tensor(tensor, "dot", "tensor", 2)
    _check_dot(input._data, tensor._data)
    return _out(apply(Dot, (input, tensor), {}), out)


def vdot(input, other, *, out=None):
    """Dot product conjugating the first argument (the same as :func:`dot` for real
    tensors)."""
    _need_tensor(input, "vdot", "input", 1)
    _need_tensor(other, "vdot", "other", 2)
    _check_dot(input._data, other._data, "vdot")
    return _out(apply(Dot, (input, other), {}), out)


def outer(input, vec2, *, out=None):
    """Outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]`` (types
    promote).

    >>> import ember
    >>> ember.outer(ember.tensor([1, 2]), ember.tensor([1, 10]))
    tensor([[ 1, 10],
            [ 2, 20]])
    """
    _need_tensor(input, "outer", "input", 1)
    _need_tensor(vec2, "outer", "vec2", 2)
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    return _out(input.unsqueeze(1) * vec2, out)


ger = outer


def inner(input, other, *, out=None):
    """Inner product over the last dimension: the result has shape
    ``input.shape[:-1] + other.shape[:-1]`` (a 0-d operand multiplies)."""
    _need_tensor(input, "inner", "input", 1)
    _need_tensor(other, "inner", "other", 2)
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        return _out(input * other, out)
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(a.shape)} and {list(b.shape)}")
    return _out(tensordot(input, other, dims=([-1], [-1])), out)


# --- products with an added term -------------------------------------------------------------
class Addmm(Op):
    """``beta * input + alpha * (a @ b)`` in one pass (the GEMM result is scaled and
    accumulated in place)."""

    save = (1, 2)

    @staticmethod
    def forward(ctx, c, a, b, beta=1, alpha=1):
        if a.dtype.kind in "iu":        # integer products take integer factors (truncated)
            beta, alpha = int(beta), int(alpha)
        ctx.beta, ctx.alpha = beta, alpha
        out = np.matmul(a, b)
        if alpha != 1:
            np.multiply(out, alpha, out=out, casting="unsafe")
        if beta != 0:
            if beta == 1:
                np.add(out, c, out=out, casting="unsafe")
            else:
                np.add(out, np.multiply(c, beta), out=out, casting="unsafe")
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        beta, alpha = ctx.beta, ctx.alpha
        gc = None
        if need[0]:
            gc = g if beta == 1 else g * beta
        if alpha != 1:
            g = g * alpha
        ga, gb = _matmul_grads(g, a, b, need[1], need[2])
        return gc, ga, gb


class Addmv(Addmm):
    pass


class Baddbmm(Addmm):
    pass


def _check_addmm(c, a, b):
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims_str(a.shape)} and "
                           f"{_dims_str(b.shape)})")
    if c.dtype != b.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_lg(c)} and "
                           f"{_lg(b)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_lg(a)} and "
                           f"{_lg(b)}")
    _no_bool(a)
    _check_expand(c.shape, (a.shape[0], b.shape[1]))


def _check_addmv(c, a, b):
    if a.ndim != 2 or b.ndim != 1 or c.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {c.ndim}, {a.ndim}, {b.ndim}")
    if a.shape[1] != b.shape[0] or (c.ndim == 1 and c.shape[0] not in (1, a.shape[0])):
        n = c.shape[0] if c.ndim else 1
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({_dims_str(a.shape)}), "
                           f"vec ({b.shape[0]})")
    if not (a.dtype == b.dtype == c.dtype):
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_lg(c)}, "
                           f"{_lg(a)}, and {_lg(b)}")
    _no_bool(a)


def _check_baddbmm(c, a, b):
    _check_bmm(a, b)
    if not (a.dtype == b.dtype == c.dtype):
        raise RuntimeError(f"Input dtypes must be the same, got: input {_ct(c)}, batch1: "
                           f"{_ct(a)}, batch2: {_ct(b)}")
    _no_bool(a, "bmm")
    _check_expand(c.shape, (a.shape[0], a.shape[1], b.shape[2]))


def _three(fname, input, m1, m2, names):
    _need_tensor(input, fname, "input", 1)
    _need_tensor(m1, fname, names[0], 2)
    _need_tensor(m2, fname, names[1], 3)
    return input._data, m1._data, m2._data


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product's
    shape (with ``beta=0`` it is ignored, NaNs included).

    >>> import ember
    >>> ember.addmm(ember.ones(2), ember.eye(2), ember.ones(2, 2), alpha=2)
    tensor([[3., 3.],
            [3., 3.]])
    """
    _check_addmm(*_three("addmm", input, mat1, mat2, ("mat1", "mat2")))
    return _out(apply(Addmm, (input, mat1, mat2), {"beta": beta, "alpha": alpha}), out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``."""
    _check_addmv(*_three("addmv", input, mat, vec, ("mat", "vec")))
    return _out(apply(Addmv, (input, mat, vec), {"beta": beta, "alpha": alpha}), out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * bmm(batch1, batch2)``; ``input`` broadcasts to (b, n, m)."""
    _check_baddbmm(*_three("baddbmm", input, batch1, batch2, ("batch1", "batch2")))
    return _out(apply(Baddbmm, (input, batch1, batch2), {"beta": beta, "alpha": alpha}), out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)`` (with ``beta=0`` ``input`` is
    ignored)."""
    r = outer(vec1, vec2)
    _check_expand(input._data.shape, r._data.shape)
    if alpha != 1:
        r = r * alpha
    if beta != 0:
        r = (input if beta == 1 else input * beta) + r
    return _out(r, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]`` (one GEMM over the
    concatenated batch)."""
    _, a, b = _three("addbmm", input, batch1, batch2, ("batch1", "batch2"))
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{a.shape[0]} and {b.shape[0]}")
    if a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({a.shape[1]}x{a.shape[2]} and "
                           f"{b.shape[1]}x{b.shape[2]})")
    nb, n, k = a.shape
    m = b.shape[2]
    m1 = batch1.permute(1, 0, 2).reshape(n, nb * k)
    m2 = batch2.reshape(nb * k, m)
    return addmm(input, m1, m2, beta=beta, alpha=alpha, out=out)


def _inplace_shape(self, shape):
    if self._data.shape != tuple(shape):
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                           f"broadcast shape {list(shape)}")


def _addmm_(self, mat1, mat2, *, beta=1, alpha=1):
    c, a, b = _three("addmm_", self, mat1, mat2, ("mat1", "mat2"))
    _check_addmm(c, a, b)
    _inplace_shape(self, (a.shape[0], b.shape[1]))
    return inplace(Addmm, self, mat1, mat2, beta=beta, alpha=alpha)


def _addmv_(self, mat, vec, *, beta=1, alpha=1):
    c, a, b = _three("addmv_", self, mat, vec, ("mat", "vec"))
    _check_addmv(c, a, b)
    _inplace_shape(self, (a.shape[0],))
    return inplace(Addmv, self, mat, vec, beta=beta, alpha=alpha)


def _baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    c, a, b = _three("baddbmm_", self, batch1, batch2, ("batch1", "batch2"))
    _check_baddbmm(c, a, b)
    _inplace_shape(self, (a.shape[0], a.shape[1], b.shape[2]))
    return inplace(Baddbmm, self, batch1, batch2, beta=beta, alpha=alpha)


def _addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    from .copy import copy_
    r = addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    _inplace_shape(self, r._data.shape)
    return copy_(self, r)


def _addr_(self, vec1, vec2, *, beta=1, alpha=1):
    from .copy import copy_
    r = addr(self, vec1, vec2, beta=beta, alpha=alpha)
    _inplace_shape(self, r._data.shape)
    return copy_(self, r)


def chain_matmul(*matrices, out=None):
    """Product of a chain of 2-D matrices (left to right)."""
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    r = matrices[0]
    for m in matrices[1:]:
        r = mm(r, m)
    return _out(r, out)


def multi_dot(tensors, *, out=None):
    """``ember.linalg.multi_dot``: the product of a list of matrices; the first may be
    1-D (a row vector) and the last 1-D (a column vector)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        nd = t._data.ndim
        if (i in (0, len(tensors) - 1) and nd not in (1, 2)) or \
                (0 < i < len(tensors) - 1 and nd != 2):
            what = "first" if i == 0 else ("last" if i == len(tensors) - 1 else None)
            if what:
                raise RuntimeError(f"multi_dot(): the {what} tensor must be 1D or 2D but got "
                                   f"{nd}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {nd}D")
    r = tensors[0]
    for t in tensors[1:]:
        r = matmul(r, t)
    return _out(r, out)


# --- tensordot, kron, cross ------------------------------------------------------------------
def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` dimensions: the last ``dims`` of ``a`` with the first ``dims`` of
    ``b`` (an int), or the listed dimensions (a pair of lists). Runs as one matmul."""
    _need_tensor(a, "tensordot", "a", 1)
    _need_tensor(b, "tensordot", "b", 2)
    sa, sb = a._data.shape, b._data.shape
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > len(sa) or dims > len(sb):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(len(sa) - dims, len(sa)))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError(f"both dimension lists should have same length, but got "
                               f"{len(da)} and {len(db)}")
        da = [_norm_dim(d, len(sa)) for d in da]
        db = [_norm_dim(d, len(sb)) for d in db]
    for x, y in zip(da, db):
        if sa[x] != sb[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{sa[x]} in dim {x - len(sa) if dims == 1 else x} and second "
                               f"has size {sb[y]} in dim {y}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {_lg(a._data)} but found {_lg(b._data)}")
    fa = [i for i in range(len(sa)) if i not in da]
    fb = [i for i in range(len(sb)) if i not in db]
    k = _prod(sa[i] for i in da)
    ma = a.permute(*(fa + da)).reshape(_prod(sa[i] for i in fa), k)
    mb = b.permute(*(db + fb)).reshape(k, _prod(sb[i] for i in fb))
    r = _mm(ma, mb).reshape(tuple([sa[i] for i in fa] + [sb[i] for i in fb]))
    return _out(r, out)


def kron(input, other, *, out=None):
    """Kronecker product (types promote); the result has the product of the shapes."""
    _need_tensor(input, "kron", "input", 1)
    _need_tensor(other, "kron", "other", 2)
    sa, sb = input._data.shape, other._data.shape
    n = max(len(sa), len(sb))
    sa = (1,) * (n - len(sa)) + sa
    sb = (1,) * (n - len(sb)) + sb
    ea, eb = [], []
    for x, y in zip(sa, sb):
        ea += [x, 1]
        eb += [1, y]
    r = input.reshape(tuple(ea)) * other.reshape(tuple(eb))
    return _out(r.reshape(tuple(x * y for x, y in zip(sa, sb))), out)


class Cross(Op):
    save = (0, 1)

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.dim = dim
        return np.cross(a, b, axisa=dim, axisb=dim, axisc=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = apply(Cross, (b, g), {"dim": ctx.dim}) if need[0] else None
        gb = apply(Cross, (g, a), {"dim": ctx.dim}) if need[1] else None
        return ga, gb



def _cross(input, other, dim):
    _need_tensor(input, "cross", "input", 1)
    _need_tensor(other, "cross", "other", 2)
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_lg(a)} but found {_lg(b)}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if dim is None:
        import warnings
        warnings.warn("Using ember.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use ember.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=3)
        for i, s in enumerate(shape):
            if s == 3:
                dim = i
                break
        else:
            raise RuntimeError("no dimension of size 3 in input")
    d = _norm_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    _no_bool(a, "cross")
    return apply(Cross, (input, other), {"dim": d - a.ndim})


def cross(input, other, dim=None, *, out=None):
    """Cross product of 3-vectors along ``dim`` (default: the first dimension of size 3)."""
    return _out(_cross(input, other, dim), out)


def linalg_cross(input, other, *, dim=-1, out=None):
    """``ember.linalg.cross``: cross product along ``dim`` (default the last)."""
    return _out(_cross(input, other, dim), out)


def vecdot(x, y, *, dim=-1, out=None):
    """``ember.linalg.vecdot``: dot product of vectors along ``dim`` (broadcasting)."""
    return _out((x * y).sum(dim), out)


# --- einsum ----------------------------------------------------------------------------------
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ELL = None  # marks an ellipsis in a parsed term


def _parse_term(term, offset, i, is_out=False):
    labels = []
    j = 0
    ell = False
    while j < len(term):
        c = term[j]
        if c == " ":
            j += 1
            continue
        if c == ".":
            if term[j:j + 3] != "..." or ell:
                where = "output" if is_out else f"operand {i}"
                raise RuntimeError(f"einsum(): found '.' for {where} that is not part of any "
                                   f"ellipsis")
            ell = True
            labels.append(_ELL)
            j += 3
            continue
        if c not in _LETTERS:
            raise RuntimeError(f"einsum(): invalid subscript given at index {offset + j} in the "
                               f"equation string, subscripts must be in [a-zA-Z]")
        labels.append(c)
        j += 1
    return labels


def _einsum_plan(equation, shapes):
    """Parse ``equation`` against the operands' ``shapes``: per-operand label strings
    (ellipses replaced by fresh letters), the output label string, and each label's size.
    Also returns, per operand, the dimensions of size 1 that broadcast (to squeeze)."""
    if "->" in equation:
        lhs, rhs = equation.split("->", 1)
    else:
        lhs, rhs = equation, None
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    parsed = []
    off = 0
    for i, term in enumerate(terms):
        parsed.append(_parse_term(term, off, i))
        off += len(term) + 1
    used = set(c for p in parsed for c in p if c is not None)
    n_ell = 0
    for i, (p, shape) in enumerate(zip(parsed, shapes)):
        nlab = sum(1 for c in p if c is not None)
        if _ELL in p:
            if nlab > len(shape):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({nlab}) "
                                   f"is more than the number of dimensions ({len(shape)}) for "
                                   f"operand {i}")
            n_ell = max(n_ell, len(shape) - nlab)
        elif nlab != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({nlab}) does "
                               f"not match the number of dimensions ({len(shape)}) for operand "
                               f"{i} and no ellipsis was given")
    out_labels = None
    if rhs is not None:
        out_labels = _parse_term(rhs, len(lhs) + 2, 0, is_out=True)
        used |= set(c for c in out_labels if c is not None)
    free = [c for c in _LETTERS if c not in used]
    if n_ell > len(free):
        raise RuntimeError("einsum(): too many dimensions (letters) in the equation")
    ell = free[:n_ell]
    free = free[n_ell:]
    subs = []
    for p, shape in zip(parsed, shapes):
        s = []
        for c in p:
            if c is None:
                ne = len(shape) - (len(p) - 1)
                s.extend(ell[n_ell - ne:])
            else:
                s.append(c)
        subs.append(s)
    # sizes, with broadcasting of size-1 dimensions
    sizes = {}
    for i, (s, shape) in enumerate(zip(subs, shapes)):
        seen = {}
        for c, n in zip(s, shape):
            if c in seen and seen[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {n} != {seen[c]}")
            seen[c] = n
        for c, n in seen.items():
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = n
            elif n != 1 and n != prev:
                what = "subscript " + c if c not in ell else "ellipsis dimension"
                raise RuntimeError(f"einsum(): {what} has size {n} for operand {i} which does "
                                   f"not broadcast with previously seen size {prev}")
    if out_labels is None:
        counts = {}
        for s in parsed:
            for c in s:
                if c is not None:
                    counts[c] = counts.get(c, 0) + 1
        out = ell + sorted((c for c, k in counts.items() if k == 1), key=_LETTERS.index)
    else:
        out = []
        seen_out = set()
        for c in out_labels:
            if c is None:
                out.extend(ell)
                continue
            if c in seen_out:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   f"the output")
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   f"equation for any input operand")
            seen_out.add(c)
            out.append(c)
    squeeze = []
    for s, shape in zip(subs, shapes):
        sq = tuple(d for d, (c, n) in enumerate(zip(s, shape)) if n == 1 and sizes[c] != 1)
        squeeze.append(sq)
    return subs, out, sizes, squeeze, free


def _pair_contract(a, b, sa, sb, out):
    """Contract two arrays (no repeated labels within an operand) with one batched
    matmul: batch dims, a-only dims, contracted dims, b-only dims."""
    so = set(out)
    # labels only in one operand and not in the output: sum them out first
    ra = [c for c in sa if c not in so and c not in sb]
    if ra:
        a = a.sum(axis=tuple(sa.index(c) for c in ra))
        sa = [c for c in sa if c not in ra]
    rb = [c for c in sb if c not in so and c not in sa]
    if rb:
        b = b.sum(axis=tuple(sb.index(c) for c in rb))
        sb = [c for c in sb if c not in rb]
    batch = [c for c in sa if c in sb and c in so]
    contr = [c for c in sa if c in sb and c not in so]
    left = [c for c in sa if c not in sb]
    right = [c for c in sb if c not in sa]
    dim = dict(zip(sa, a.shape))
    dim.update(zip(sb, b.shape))
    nb = _prod(dim[c] for c in batch)
    nl = _prod(dim[c] for c in left)
    nr = _prod(dim[c] for c in right)
    nc = _prod(dim[c] for c in contr)
    am = a.transpose([sa.index(c) for c in batch + left + contr]).reshape(nb, nl, nc)
    bm = b.transpose([sb.index(c) for c in batch + contr + right]).reshape(nb, nc, nr)
    r = np.matmul(am, bm).reshape([dim[c] for c in batch + left + right])
    order = batch + left + right
    return r.transpose([order.index(c) for c in out])


def _einsum_arrays(subs, out, arrays):
    if len(arrays) == 2 and all(len(set(s)) == len(s) for s in subs) and \
            arrays[0].size * arrays[1].size > 4096:
        r = _pair_contract(arrays[0], arrays[1], subs[0], subs[1], out)
    else:
        eq = ",".join("".join(s) for s in subs) + "->" + "".join(out)
        r = np.einsum(eq, *arrays, optimize=len(arrays) > 2)
    if not isinstance(r, np.ndarray):
        return np.asarray(r)
    if r.base is not None and any(np.may_share_memory(r, x) for x in arrays):
        r = r.copy()        # np.einsum returns views for transposes and diagonals
    return r


class Einsum(Op):
    node_name = "EinsumBackward0"

    @staticmethod
    def forward(ctx, *arrays, subs, out, sizes):
        ctx.subs, ctx.out, ctx.sizes = subs, out, sizes
        if len(arrays) == 1 and arrays[0].dtype.kind in "biu" and \
                any(c not in out for c in subs[0]):
            # one operand with a summed label is a sum: integers sum to int64 as in PyTorch
            eq = "".join(subs[0]) + "->" + "".join(out)
            return np.asarray(np.einsum(eq, arrays[0], dtype=np.int64))
        return _einsum_arrays(subs, out, arrays)

    @staticmethod
    def backward(ctx, g):
        ops = ctx.saved_tensors
        subs, out, sizes = ctx.subs, ctx.out, ctx.sizes
        need = ctx.needs_input_grad
        grads = []
        fresh = [c for c in _LETTERS if c not in sizes]
        for i, s in enumerate(subs):
            if not need[i]:
                grads.append(None)
                continue
            operands = [g] + [ops[j] for j in range(len(ops)) if j != i]
            osubs = [list(out)] + [list(subs[j]) for j in range(len(ops)) if j != i]
            target = []
            fi = 0
            seen = set()
            for c in s:
                if c in seen:       # repeated label: a diagonal; route through a delta
                    f = fresh[fi]
                    fi += 1
                    from .creation import eye
                    operands.append(eye(sizes[c], dtype=g.dtype))
                    osubs.append([c, f])
                    target.append(f)
                else:
                    seen.add(c)
                    target.append(c)
            avail = set(c for x in osubs for c in x)
            present = [c for c in target if c in avail]
            r = _einsum_apply(operands, osubs, present)
            if len(present) != len(target):
                for p, c in enumerate(target):
                    if c not in avail:
                        r = r.unsqueeze(p)
                from .creation import ones
                r = r * ones([sizes[c] for c in target], dtype=r.dtype)
            grads.append(r)
        return tuple(grads)


_EINSUM_OPS = {}


def _einsum_apply(operands, subs, out):
    n = len(operands)
    op = _EINSUM_OPS.get(n)
    if op is None:
        op = type(f"Einsum{n}", (Einsum,), {"save": tuple(range(n)), "opname": "einsum",
                                             "node_name": "EinsumBackward0"})
        _EINSUM_OPS[n] = op
    sizes = {}
    for t, s in zip(operands, subs):
        for c, k in zip(s, t._data.shape):
            if sizes.get(c, 1) == 1:
                sizes[c] = k
    return apply(op, tuple(operands), {"subs": tuple(tuple(s) for s in subs), "out": tuple(out),
                                       "sizes": sizes})


def einsum(*args):
    """Sum of products over the index labels of an equation, e.g. ``'ij,jk->ik'`` (matrix
    product), ``'ii->'`` (trace), ``'bij->bji'``; ``...`` stands for broadcast
    dimensions; without ``->`` the output holds the labels used once, in alphabetical
    order. Operands are given as arguments or as one list. Also accepts the sublist form
    ``einsum(op1, [0, 1], op2, [1, 2], [0, 2])``.

    >>> import ember
    >>> a = ember.tensor([[1., 2.], [3., 4.]])
    >>> ember.einsum('ii->', a)
    tensor(5.)
    >>> ember.einsum('ij,j->i', a, ember.tensor([1., 1.]))
    tensor([3., 7.])
    """
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, "
                        "or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation = args[0]
        operands = args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
    else:
        equation, operands = _sublist_equation(args)
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): argument 'tensors' must be tuple of Tensors, but found "
                            f"element of type {type(t).__name__} at pos {i}")
    dt = operands[0]._data.dtype
    for t in operands[1:]:
        if t._data.dtype != dt:
            raise RuntimeError(f"expected scalar type {_lg(operands[0]._data)} but found "
                               f"{_lg(t._data)}")
    shapes = [t._data.shape for t in operands]
    subs, out, sizes, squeeze, _ = _einsum_plan(equation, shapes)
    ops = list(operands)
    for i, sq in enumerate(squeeze):
        if sq:
            ops[i] = ops[i].squeeze(sq)
            subs[i] = [c for d, c in enumerate(subs[i]) if d not in sq]
    return _einsum_apply(ops, subs, out)


def _sublist_equation(args):
    args = list(args)
    operands = []
    terms = []

    def term(sub):
        s = ""
        for x in sub:
            if x is Ellipsis:
                s += "..."
            elif isinstance(x, int) and 0 <= x < 52:
                s += _LETTERS[26 + x] if x < 26 else _LETTERS[x - 26]
            else:
                raise RuntimeError(f"einsum(): expected subscript to be within the range [0, 52), "
                                   f"but got {x}")
        return s
    while len(args) >= 2 and isinstance(args[0], Tensor):
        operands.append(args.pop(0))
        terms.append(term(args.pop(0)))
    eq = ",".join(terms)
    if args:
        eq += "->" + term(args.pop(0))
    return eq, tuple(operands)


# --- triangles, diagonals, trace -------------------------------------------------------------
class Tril(Op):
    @staticmethod
    def forward(ctx, x, diagonal=0):
        ctx.k = diagonal
        return np.tril(x, diagonal)

    @staticmethod
    def backward(ctx, g):
        return apply(Tril, (g,), {"diagonal": ctx.k})


class Triu(Op):
    @staticmethod
    def forward(ctx, x, diagonal=0):
        ctx.k = diagonal
        return np.triu(x, diagonal)

    @staticmethod
    def backward(ctx, g):
        return apply(Triu, (g,), {"diagonal": ctx.k})


def _check_tri(input, name):
    _need_tensor(input, name, "input", 1)
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(input, diagonal=0, *, out=None):
    """The lower triangle of the last two dimensions (elements with ``j - i <= diagonal``);
    the rest is zero.

    >>> import ember
    >>> ember.tril(ember.ones(2, 2))
    tensor([[1., 0.],
            [1., 1.]])
    """
    _check_tri(input, "tril")
    return _out(apply(Tril, (input,), {"diagonal": int(diagonal)}), out)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle of the last two dimensions (elements with ``j - i >= diagonal``)."""
    _check_tri(input, "triu")
    return _out(apply(Triu, (input,), {"diagonal": int(diagonal)}), out)


def _tril_(self, diagonal=0):
    _check_tri(self, "tril")
    return inplace(Tril, self, diagonal=int(diagonal))


def _triu_(self, diagonal=0):
    _check_tri(self, "triu")
    return inplace(Triu, self, diagonal=int(diagonal))


def _diag_index(n1, n2, offset):
    """Row and column indices of diagonal ``offset`` of an (n1, n2) matrix."""
    if offset >= 0:
        L = max(min(n1, n2 - offset), 0)
        r = np.arange(L)
        return r, r + offset
    L = max(min(n1 + offset, n2), 0)
    r = np.arange(L)
    return r - offset, r


class DiagCopy(Op):
    """A copy of a diagonal (the last dimension of the result runs along it)."""

    opname = "diagonal_copy"
    node_name = "DiagonalBackward0_copy"

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.args = x.shape, (offset, dim1, dim2)
        return np.diagonal(x, offset, dim1, dim2).copy()

    @staticmethod
    def backward(ctx, g):
        offset, dim1, dim2 = ctx.args
        return apply(DiagEmbed, (g,), {"offset": offset, "dim1": dim1, "dim2": dim2,
                                       "shape": ctx.shape})


class DiagEmbed(Op):
    """Zeros of ``shape`` with the last dimension of the input written along a diagonal
    of dimensions ``dim1``, ``dim2``."""

    opname = "diag_embed"

    @staticmethod
    def forward(ctx, v, offset, dim1, dim2, shape):
        ctx.args = (offset, dim1, dim2)
        out = np.zeros(shape, v.dtype)
        o = np.moveaxis(out, (dim1, dim2), (-2, -1))
        r, c = _diag_index(o.shape[-2], o.shape[-1], offset)
        o[..., r, c] = v
        return out

    @staticmethod
    def backward(ctx, g):
        offset, dim1, dim2 = ctx.args
        return apply(DiagCopy, (g,), {"offset": offset, "dim1": dim1, "dim2": dim2})


def diag(input, diagonal=0, *, out=None):
    """A 1-D input gives a square matrix with it on diagonal ``diagonal``; a 2-D input
    gives (a copy of) that diagonal.

    >>> import ember
    >>> ember.diag(ember.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    >>> ember.diag(ember.tensor([[1, 2], [3, 4]]))
    tensor([1, 4])
    """
    _need_tensor(input, "diag", "input", 1)
    d = input._data
    k = int(diagonal)
    if d.ndim == 1:
        n = d.shape[0] + abs(k)
        r = apply(DiagEmbed, (input,), {"offset": k, "dim1": 0, "dim2": 1, "shape": (n, n)})
    elif d.ndim == 2:
        r = apply(DiagCopy, (input,), {"offset": k, "dim1": 0, "dim2": 1})
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {d.ndim}D")
    return _out(r, out)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Place the last dimension of ``input`` on diagonal ``offset`` of new dimensions
    ``dim1``, ``dim2`` (a batch of diagonal matrices by default)."""
    _need_tensor(input, "diag_embed", "input", 1)
    d = input._data
    nd = d.ndim + 1
    d1, d2 = _norm_dim(dim1, nd), _norm_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if d.ndim == 0:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got "
                         "-2)")
    n = d.shape[-1] + abs(int(offset))
    rest = list(d.shape[:-1])
    shape = []
    for i in range(nd):
        shape.append(n if i in (d1, d2) else rest.pop(0))
    return apply(DiagEmbed, (input,), {"offset": int(offset), "dim1": d1, "dim2": d2,
                                       "shape": tuple(shape)})


class Trace(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        dt = np.int64 if x.dtype.kind in "biu" else x.dtype
        return np.asarray(np.trace(x, dtype=dt))

    @staticmethod
    def backward(ctx, g):
        n, m = ctx.shape
        return apply(DiagEmbed, (g.expand(min(n, m)),), {"offset": 0, "dim1": 0, "dim2": 1,
                                                          "shape": ctx.shape})


def trace(input):
    """Sum of the main diagonal of a 2-D tensor (integers sum to int64).

    >>> import ember
    >>> ember.trace(ember.tensor([[1, 2], [3, 4]]))
    tensor(5)
    """
    _need_tensor(input, "trace", "input", 1)
    d = input._data
    if d.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {d.ndim}")
    _no_bool(d, "trace")
    return apply(Trace, (input,), {})


# --- inverse, determinant --------------------------------------------------------------------
def _check_square(input, fname):
    _need_tensor(input, fname, "input", 1)
    d = input._data
    if d.ndim < 2:
        raise RuntimeError(f"linalg.{fname}: The input tensor A must have at least 2 "
                           f"dimensions.")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"linalg.{fname}: A must be batches of square matrices, but they are "
                           f"{d.shape[-2]} by {d.shape[-1]} matrices")
    if d.dtype.kind != "f":
        raise RuntimeError(f"linalg.{fname}: Expected a floating point or complex tensor as "
                           f"input. Got {_lg(d)}")
    if d.dtype == np.float16:
        if fname == "inv":
            raise RuntimeError("linalg.inv: Low precision dtypes not supported. Got Half")
        raise NotImplementedError("\"lu_cpu\" not implemented for 'Half'")


def _singular(a, fname):
    i, k = _first_singular(a)
    where = f"(Batch element {i}): " if a.ndim > 2 else ""
    return LinAlgError(f"linalg.{fname}: {where}The diagonal element {k} is zero, the inversion "
                       f"could not be completed because the input matrix is singular.")


class Inverse(Op):
    save = (OUT,)
    opname = "inverse"
    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        try:
            return np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular(a, "inv") from None

    @staticmethod
    def backward(ctx, g):
        (inv,) = ctx.saved_tensors
        it = inv.mT
        return -_mm(it, _mm(g, it))


def inverse(input, *, out=None):
    """Inverse of a square matrix (or of each matrix in a batch); a singular matrix raises
    ``ember.linalg.LinAlgError`` (a ``RuntimeError``).

    >>> import ember
    >>> ember.inverse(ember.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    _check_square(input, "inv")
    return _out(apply(Inverse, (input,), {}), out)


def _cofactor(a):
    """Cofactor matrices (the gradient of det) of a batch of matrices, via SVD: defined
    for singular matrices too (NumPy arrays, no graph)."""
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    ones = np.ones(s.shape[:-1] + (1,), s.dtype)
    pre = np.cumprod(np.concatenate([ones, s[..., :n - 1]], -1), -1)
    suf = np.cumprod(np.concatenate([ones, s[..., :0:-1]], -1), -1)[..., ::-1]
    p = pre * suf
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return (sign[..., None, None] * np.matmul(u * p[..., None, :], vh)).astype(a.dtype)


class Det(Op):
    save = (0, OUT)
    opname = "det"
    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        return np.asarray(np.linalg.det(a))

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.saved_tensors
        ad = a._data
        if ad.shape[-1] == 0:
            return g.unsqueeze(-1).unsqueeze(-1) * a
        ok = False
        with np.errstate(all="ignore"):
            try:
                inv = np.linalg.inv(ad)
                ok = bool(np.all(np.isfinite(inv)))
            except np.linalg.LinAlgError:
                pass
        if ok:
            inv = apply(Inverse, (a,), {})
            return (g * d).unsqueeze(-1).unsqueeze(-1) * inv.mT
        from .._tensor import _wrap
        return g.unsqueeze(-1).unsqueeze(-1) * _wrap(_cofactor(ad))


def det(input):
    """Determinant of a square matrix (or of each matrix in a batch).

    >>> import ember
    >>> ember.det(ember.tensor([[1., 2.], [3., 4.]]))
    tensor(-2.)
    """
    _check_square(input, "det")
    return apply(Det, (input,), {})


def logdet(input):
    """Natural log of the determinant (NaN for a negative determinant, -inf for zero)."""
    _check_square(input, "det")
    return det(input).log()


class _SlogdetResult(tuple):
    """``(sign, logabsdet)`` with named fields."""

    __slots__ = ()

    def __new__(cls, sign, logabsdet):
        return tuple.__new__(cls, (sign, logabsdet))

    sign = property(lambda self: self[0])
    logabsdet = property(lambda self: self[1])

    def __repr__(self):
        return f"slogdet(sign={self[0]!r}, logabsdet={self[1]!r})"


def slogdet(input):
    """Sign and log of the absolute value of the determinant, as ``(sign, logabsdet)``."""
    _check_square(input, "slogdet")
    d = det(input)
    from .._tensor import _wrap
    sign = _wrap(np.asarray(np.sign(d._data)))
    return _SlogdetResult(sign, (d * sign).log())


# --- decompositions --------------------------------------------------------------------------
# Forward passes call NumPy's LAPACK wrappers (which work in double precision and hand back
# the input's dtype, so float32 stays float32); backward passes are written with ember ops on
# the saved factors, so they can be differentiated again. Ops with several outputs keep their
# outputs on the node with ``_keep_outputs`` (backward reads them from ``ctx.saved_tensors``).

for _name, _fields in (("linalg_qr", ("Q", "R")), ("qr", ("Q", "R")),
                       ("linalg_svd", ("U", "S", "Vh")), ("svd", ("U", "S", "V")),
                       ("linalg_eigh", ("eigenvalues", "eigenvectors")),
                       ("linalg_cholesky_ex", ("L", "info")),
                       ("linalg_lstsq", ("solution", "residuals", "rank", "singular_values")),
                       ("triangular_solve", ("solution", "cloned_coefficient"))):
    setattr(return_types, _name, _structseq(_name, _fields))


def _grad_needed(*ts):
    """Whether a call on ``ts`` will be recorded (grad mode on, some input requires grad)."""
    return _state.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in ts)


def _keep_outputs(outs):
    """Save all outputs of a multi-output op on its node (read back in backward)."""
    node = outs[0]._grad_fn
    if node is not None:
        node._saved = tuple(save_output(o, i) for i, o in enumerate(outs))
    return outs


def _zero(g):
    """Whether ``g`` is a zero gradient the engine made up for an unused output."""
    return g is None or (g._grad_fn is None and not g._data.any())


def _eye_like(t, n):
    from .creation import eye
    return eye(n, dtype=t.dtype)


def _offdiag_recip(e):
    """``1 / e`` off the diagonal and 0 on it (``e``: a batch of square matrices)."""
    eye = _eye_like(e, e._data.shape[-1])
    return (1 - eye) / (e + eye)


def _not_impl(d, kernel):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_lg(d)}'")


def _matrix(A, fname, tname, *, argname="A", square=False, half=None, ints=None):
    """Check that ``A`` is a (batch of) floating-point matrices and return its array.

    ``fname`` prefixes the messages (``linalg.qr``), ``tname`` names the function in a
    TypeError; ``half`` / ``ints`` name the kernel of PyTorch's NotImplementedError for
    float16 / non-float inputs (None: float16 passes, non-floats are a RuntimeError)."""
    _need_tensor(A, tname, argname, 1)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor {argname} must have at least 2 "
                           f"dimensions.")
    if square and d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are "
                           f"{d.shape[-2]} by {d.shape[-1]} matrices")
    if d.dtype.kind != "f":
        if ints:
            raise _not_impl(d, ints)
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. "
                           f"Got {_lg(d)}")
    if half and d.dtype == np.float16:
        raise _not_impl(d, half)
    return d


def _batch_where(bad, a):
    """``'(Batch element i): '`` naming the first flagged matrix of a batch (else '')."""
    if a.ndim <= 2:
        return ""
    idx = np.flatnonzero(np.asarray(bad).reshape(-1))
    return f"(Batch element {int(idx[0]) if idx.size else 0}): "


def _check_finite(a, fname):
    if not np.isfinite(a).all():
        bad = ~np.isfinite(a).reshape(a.shape[:-2] + (-1,)).all(-1)
        raise LinAlgError(f"{fname}: {_batch_where(bad, a)}The algorithm failed to converge "
                          f"because the input matrix contained non-finite values.")


def _swap(x):
    return np.swapaxes(x, -1, -2)


def _tuple_out(results, out, cls):
    """Copy ``results`` into the tensors of an ``out=`` tuple (or just wrap them)."""
    if out is None:
        return cls(*results)
    if not isinstance(out, (tuple, list)) or len(out) != len(results):
        raise TypeError(f"argument 'out' must be tuple of {len(results)} Tensors")
    return cls(*(_out(r, o) for r, o in zip(results, out)))


# QR ------------------------------------------------------------------------------------------
class Qr(Op):
    """``A = Q R`` (Householder QR through LAPACK); ``mode='r'`` leaves Q empty."""

    opname = "linalg_qr"
    node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, a, mode):
        ctx.mode = mode
        if mode == "r":
            return np.empty((0,), a.dtype), np.linalg.qr(a, mode="r")
        q, r = np.linalg.qr(a, mode=mode)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        q, r = ctx.saved_tensors
        m, n = q._data.shape[-2], r._data.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m == 0 or n == 0:
            from .creation import zeros
            return zeros(ctx._in_meta[0][0], dtype=q.dtype)
        if m >= n:
            return _qr_grad(q, r, gq, gr)
        # wide A = [X | Y]: X = Q U is a square QR and Y = Q V
        u, v = r[..., :m], r[..., m:]
        gu, gv = gr[..., :m], gr[..., m:]
        gx = _qr_grad(q, u, gq + _mm(_mm(q, v), gv.mT), gu)
        from .shape import cat
        return cat([gx, _mm(q, gv)], -1)


def _qr_grad(q, r, gq, gr):
    """Gradient of ``A = Q R`` for ``A`` with at least as many rows as columns:
    ``(gQ + Q sym(M)) R^-T`` with ``M = R gR^T - gQ^T Q`` symmetrised from its lower
    triangle (the part of ``M`` that the orthogonality of Q leaves free)."""
    mm = _mm(r, gr.mT) - _mm(gq.mT, q)
    b = gq + _mm(q, mm.tril() + mm.tril(-1).mT)
    return _solve_tri(r, b.mT, True).mT


def linalg_qr(A, mode="reduced", *, out=None):
    """``ember.linalg.qr``: ``A = Q R`` with orthonormal columns in ``Q`` and an upper
    triangular ``R``, as a named tuple ``(Q, R)``. ``mode='reduced'`` gives ``Q`` (m, k) and
    ``R`` (k, n) with ``k = min(m, n)``, ``'complete'`` a square ``Q`` (m, m) and ``R``
    (m, n), ``'r'`` only ``R`` (``Q`` is empty). Works on batches.

    >>> import ember
    >>> Q, R = ember.linalg.qr(ember.tensor([[3., 1.], [4., 2.]]))
    >>> (Q @ R).round(decimals=4)
    tensor([[3., 1.],
            [4., 2.]])
    """
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    _matrix(A, "linalg.qr", "linalg_qr", half="geqrf_cpu")
    outs = _keep_outputs(apply(Qr, (A,), {"mode": mode}))
    return _tuple_out(outs, out, return_types.linalg_qr)


def qr(input, some=True, *, out=None):
    """``ember.qr`` (the older API, deprecated in PyTorch): ``linalg.qr`` with
    ``mode='reduced'`` when ``some`` is true, else ``'complete'``."""
    import warnings
    warnings.warn("ember.qr is deprecated in favor of ember.linalg.qr and will be removed in a "
                  "future release.\nThe boolean parameter 'some' has been replaced with a string "
                  "parameter 'mode'.\nQ, R = ember.qr(A, some)\nshould be replaced with\nQ, R = "
                  "ember.linalg.qr(A, 'reduced' if some else 'complete')", UserWarning,
                  stacklevel=2)
    _matrix(input, "linalg.qr", "qr", argname="A", half="geqrf_cpu")
    outs = _keep_outputs(apply(Qr, (input,), {"mode": "reduced" if some else "complete"}))
    return _tuple_out(outs, out, return_types.qr)


# SVD -----------------------------------------------------------------------------------------
def _np_svd(a, full_matrices=True, compute_uv=True):
    _check_finite(a, "linalg.svd")
    try:
        return np.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.svd: The algorithm failed to converge because the input "
                          "matrix is ill-conditioned or has too many repeated singular "
                          "values.") from None


class Svd(Op):
    """``A = U diag(S) Vh`` with singular values in descending order."""

    opname = "linalg_svd"
    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a, full_matrices):
        u, s, vh = _np_svd(a, full_matrices)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        return _svd_grad(u, s, vh, gu, gs, gvh)


class Svdvals(Op):
    """Singular values only (the path without gradient; with one, ``Svd`` runs)."""

    opname = "linalg_svdvals"
    differentiable = False

    @staticmethod
    def forward(ctx, a):
        return _np_svd(a, compute_uv=False)


def _svd_grad(u, s, vh, gu, gs, gvh):
    """Gradient of the SVD for distinct non-zero singular values: with
    ``F_ij = 1 / (s_j^2 - s_i^2)`` (0 on the diagonal),
    ``U [diag(gS) + (F o (U^T gU - gU^T U)) S + S (F o (V^T gV - gV^T V))] Vh`` plus, for a
    tall (wide) ``A``, the part of ``gU`` (``gV``) outside the span of ``U`` (``V``) scaled by
    ``1/S``. Columns of a full ``U``/``Vh`` beyond ``min(m, n)`` get no gradient."""
    m, n, k = u._data.shape[-2], vh._data.shape[-1], s._data.shape[-1]
    if u._data.shape[-1] != k:
        u, gu = u[..., :k], gu[..., :k]
    if vh._data.shape[-2] != k:
        vh, gvh = vh[..., :k, :], gvh[..., :k, :]
    zu, zv = _zero(gu), _zero(gvh)
    if zu and zv:
        return _mm(u * gs.unsqueeze(-2), vh)
    s2 = s * s
    f = _offdiag_recip(s2.unsqueeze(-2) - s2.unsqueeze(-1))
    inner = diag_embed(gs)
    si = s.unsqueeze(-2)
    if not zu:
        utgu = _mm(u.mT, gu)
        inner = inner + f * (utgu - utgu.mT) * si
    if not zv:
        gv = gvh.mT
        vtgv = _mm(vh, gv)
        inner = inner + s.unsqueeze(-1) * (f * (vtgv - vtgv.mT))
    ga = _mm(_mm(u, inner), vh)
    if m > k and not zu:
        ga = ga + _mm((gu - _mm(u, utgu)) / si, vh)
    if n > k and not zv:
        ga = ga + _mm(u, ((gv - _mm(vh.mT, vtgv)) / si).mT)
    return ga


def _svd(A, full_matrices):
    return _keep_outputs(apply(Svd, (A,), {"full_matrices": bool(full_matrices)}))


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """``ember.linalg.svd``: ``A = U diag(S) Vh``, as a named tuple ``(U, S, Vh)``; ``S``
    descends. ``full_matrices=False`` gives the reduced factors (``U`` (m, k), ``Vh``
    (k, n), ``k = min(m, n)``). Works on batches. Gradients are defined for distinct
    singular values (and, for U/Vh, for losses that do not depend on their signs).

    >>> import ember
    >>> ember.linalg.svd(ember.tensor([[3., 0.], [0., -4.]])).S
    tensor([4., 3.])
    """
    _matrix(A, "linalg.svd", "linalg_svd", half="linalg_svd_cpu")
    _no_driver(driver)
    return _tuple_out(_svd(A, full_matrices), out, return_types.linalg_svd)


def _no_driver(driver):
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")


def svdvals(A, *, driver=None, out=None):
    """``ember.linalg.svdvals``: the singular values of (a batch of) matrices, descending.

    >>> import ember
    >>> ember.linalg.svdvals(ember.tensor([[0., 2.], [1., 0.]]))
    tensor([2., 1.])
    """
    _matrix(A, "linalg.svd", "linalg_svdvals", half="linalg_svd_cpu")
    _no_driver(driver)
    if _grad_needed(A):
        return _out(_svd(A, False)[1], out)
    return _out(apply(Svdvals, (A,), {}), out)


def svd(input, some=True, compute_uv=True, *, out=None):
    """``ember.svd`` (the older API): ``(U, S, V)`` with ``V`` (not ``Vh``); ``some=True``
    gives the reduced factors. With ``compute_uv=False``, ``U`` and ``V`` are zero
    matrices of full size."""
    _need_tensor(input, "svd", "input", 1)
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has {nd} "
                           f"dimensions instead")
    _matrix(input, "linalg.svd", "svd", half="linalg_svd_cpu")
    if compute_uv:
        u, s, vh = _svd(input, not some)
        return _tuple_out((u, s, vh.mT), out, return_types.svd)
    from .creation import zeros
    sh = input._data.shape
    s = svdvals(input)
    u = zeros(sh[:-1] + (sh[-2],), dtype=input.dtype)
    v = zeros(sh[:-2] + (sh[-1], sh[-1]), dtype=input.dtype)
    return _tuple_out((u, s, v), out, return_types.svd)


# symmetric eigendecomposition ----------------------------------------------------------------
def _np_eigh(a, uplo, vectors=True):
    try:
        return np.linalg.eigh(a, UPLO=uplo) if vectors else np.linalg.eigvalsh(a, UPLO=uplo)
    except np.linalg.LinAlgError:
        bad = ~np.isfinite(a).reshape(a.shape[:-2] + (-1,)).all(-1)
        raise LinAlgError(f"linalg.eigh: {_batch_where(bad, a)}The algorithm failed to "
                          f"converge because the input matrix is ill-conditioned or has too "
                          f"many repeated eigenvalues.") from None


class Eigh(Op):
    """``A = V diag(L) V^T`` of a symmetric matrix read from one triangle (``UPLO``)."""

    opname = "linalg_eigh"
    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, a, uplo):
        w, v = _np_eigh(a, uplo)
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        if _zero(gv):
            return _mm(v * gw.unsqueeze(-2), v.mT)
        # V (diag(gL) + F o skew(V^T gV)) V^T, F_ij = 1 / (L_j - L_i): symmetric, like A
        x = _mm(v.mT, gv)
        f = _offdiag_recip(w.unsqueeze(-2) - w.unsqueeze(-1))
        inner = diag_embed(gw) + f * (x - x.mT) * 0.5
        return _mm(_mm(v, inner), v.mT)


class Eigvalsh(Op):
    opname = "linalg_eigvalsh"
    differentiable = False

    @staticmethod
    def forward(ctx, a, uplo):
        return _np_eigh(a, uplo, False)


def _check_uplo(UPLO):
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


def eigh(A, UPLO="L", *, out=None):
    """``ember.linalg.eigh``: eigenvalues (ascending) and orthonormal eigenvectors of a
    symmetric matrix (or batch), as ``(eigenvalues, eigenvectors)``; only the lower
    (``UPLO='L'``) or upper (``'U'``) triangle is read. Gradients assume distinct
    eigenvalues and are symmetric matrices.

    >>> import ember
    >>> ember.linalg.eigh(ember.tensor([[2., 1.], [1., 2.]])).eigenvalues
    tensor([1., 3.])
    """
    _matrix(A, "linalg.eigh", "linalg_eigh", square=True, ints="linalg_eigh_cpu",
            half="linalg_eigh_cpu")
    uplo = _check_uplo(UPLO)
    outs = _keep_outputs(apply(Eigh, (A,), {"uplo": uplo}))
    return _tuple_out(outs, out, return_types.linalg_eigh)


def eigvalsh(A, UPLO="L", *, out=None):
    """``ember.linalg.eigvalsh``: the eigenvalues of a symmetric matrix, ascending."""
    _matrix(A, "linalg.eigh", "linalg_eigvalsh", square=True, ints="linalg_eigh_cpu",
            half="linalg_eigh_cpu")
    uplo = _check_uplo(UPLO)
    if _grad_needed(A):
        return _out(_keep_outputs(apply(Eigh, (A,), {"uplo": uplo}))[0], out)
    return _out(apply(Eigvalsh, (A,), {"uplo": uplo}), out)


# Cholesky ------------------------------------------------------------------------------------
def _cholesky_slow(a):
    """Column-by-column Cholesky of the lower triangles of a batch: the factors and, per
    matrix, the order of the first leading minor that is not positive-definite (0: none).
    Like LAPACK, a failed factor holds the columns done, the failing pivot, and the rest of
    the input's lower triangle."""
    n = a.shape[-1]
    flat = a.reshape((-1, n, n))
    lo = np.zeros_like(flat)
    info = np.zeros(flat.shape[0], np.int32)
    with np.errstate(all="ignore"):
        for j in range(n):
            row = lo[:, j, :j]
            d = flat[:, j, j] - np.einsum("bk,bk->b", row, row)
            failed = info != 0
            newly = ~failed & ~(d > 0)
            info[newly] = j + 1
            ok = info == 0
            dj = np.sqrt(np.where(ok, d, 1))
            lo[:, j, j] = np.where(ok, dj, np.where(newly, d, flat[:, j, j]))
            col = (flat[:, j + 1:, j] - np.einsum("bik,bk->bi", lo[:, j + 1:, :j], row))
            lo[:, j + 1:, j] = np.where(ok[:, None], col / dj[:, None], flat[:, j + 1:, j])
    return lo.reshape(a.shape), info.reshape(a.shape[:-2])


class CholeskyEx(Op):
    """``A = L L^T`` from the lower (or, ``upper=True``, upper) triangle; also the LAPACK-style
    ``info`` (0, or the order of the leading minor that is not positive-definite)."""

    opname = "linalg_cholesky_ex"
    node_name = "LinalgCholeskyExBackward0"
    save = (OUT,)

    @staticmethod
    def forward(ctx, a, upper, check, fname):
        ctx.upper = upper
        src = _swap(a) if upper else a
        info = None
        try:
            lo = np.linalg.cholesky(src)
            if not np.isfinite(lo).all():       # NaN input: LAPACK would stop, NumPy does not
                info = ()
        except np.linalg.LinAlgError:
            info = ()
        if info is None:
            info = np.zeros(a.shape[:-2], np.int32)
        else:
            lo, info = _cholesky_slow(src)
            if check and info.any():
                i = np.flatnonzero(info.reshape(-1))[0]
                raise LinAlgError(
                    f"{fname}: {_batch_where(info != 0, a)}The factorization could not be "
                    f"completed because the input is not positive-definite (the leading minor "
                    f"of order {int(info.reshape(-1)[i])} is not positive-definite).")
        if upper:
            lo = np.ascontiguousarray(_swap(lo))
        return lo, info

    @staticmethod
    def backward(ctx, gl, ginfo):
        (lo,) = ctx.saved_tensors
        if ctx.upper:
            lo, gl = lo.mT, gl.mT
        # with X = L^T gL and P = (tril(X) + tril(X, -1)^T) / 2: gA = L^-T P L^-1 (symmetric)
        x = _mm(lo.mT, gl)
        p = (x.tril() + x.tril(-1).mT) * 0.5
        y = _solve_tri(lo.mT, p, True)
        return _solve_tri(lo.mT, y.mT, True).mT


def _cholesky(A, upper, check, fname, tname, ints=None):
    _matrix(A, fname, tname, square=True, half="cholesky_cpu", ints=ints)
    return apply(CholeskyEx, (A,), {"upper": bool(upper), "check": check, "fname": fname})


def linalg_cholesky(A, *, upper=False, out=None):
    """``ember.linalg.cholesky``: the lower triangular ``L`` with ``A = L L^T`` of a
    symmetric positive-definite matrix (or batch; ``upper=True``: ``U`` with ``A = U^T U``).
    Not positive-definite: ``ember.linalg.LinAlgError``.

    >>> import ember
    >>> ember.linalg.cholesky(ember.tensor([[4., 2.], [2., 5.]]))
    tensor([[2., 0.],
            [1., 2.]])
    """
    return _out(_cholesky(A, upper, True, "linalg.cholesky", "linalg_cholesky")[0], out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """``ember.linalg.cholesky_ex``: ``(L, info)`` without raising on a matrix that is not
    positive-definite (``info`` > 0, int32, gives the failing leading minor's order)."""
    outs = _cholesky(A, upper, check_errors, "linalg.cholesky", "linalg_cholesky_ex")
    return _tuple_out(outs, out, return_types.linalg_cholesky_ex)


def cholesky(input, upper=False, *, out=None):
    """``ember.cholesky`` (deprecated in PyTorch in favour of ``ember.linalg.cholesky``)."""
    import warnings
    warnings.warn("ember.cholesky is deprecated in favor of ember.linalg.cholesky and will be "
                  "removed in a future release.\nL = ember.cholesky(A)\nshould be replaced "
                  "with\nL = ember.linalg.cholesky(A)", UserWarning, stacklevel=2)
    return _out(_cholesky(input, upper, True, "cholesky", "cholesky", ints="cholesky_cpu")[0],
                out)


# triangular and general solves ---------------------------------------------------------------
def _substitute(t, b, upper):
    """Forward/back substitution (for triangular systems LAPACK's LU rejects as singular:
    the zero pivots give inf/nan, as a triangular solve does)."""
    shape = np.broadcast_shapes(t.shape[:-2], b.shape[:-2])
    t = np.broadcast_to(t, shape + t.shape[-2:])
    x = np.array(np.broadcast_to(b, shape + b.shape[-2:]))
    n = t.shape[-1]
    for i in (range(n - 1, -1, -1) if upper else range(n)):
        if upper:
            acc = np.matmul(t[..., i:i + 1, i + 1:], x[..., i + 1:, :])[..., 0, :]
        else:
            acc = np.matmul(t[..., i:i + 1, :i], x[..., :i, :])[..., 0, :]
        x[..., i, :] = (x[..., i, :] - acc) / t[..., i, i, None]
    return x


class SolveTriangular(Op):
    """``X`` with ``A X = B`` for a triangular ``A`` (only its ``upper``/lower triangle is
    read; ``unit``: its diagonal is taken as ones)."""

    opname = "linalg_solve_triangular"
    node_name = "LinalgSolveTriangularBackward0"
    save = (0, OUT)

    @staticmethod
    def forward(ctx, a, b, upper, unit):
        ctx.upper, ctx.unit = upper, unit
        t = np.triu(a) if upper else np.tril(a)
        if unit:
            np.einsum("...ii->...i", t)[...] = 1
        with np.errstate(all="ignore"):
            try:
                return np.linalg.solve(t, b)
            except np.linalg.LinAlgError:
                return _substitute(t, b, upper)

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        upper, unit = ctx.upper, ctx.unit
        gb = apply(SolveTriangular, (a.mT, g), {"upper": not upper, "unit": unit})
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -_mm(gb, x.mT)
            ga = ga.triu(1 if unit else 0) if upper else ga.tril(-1 if unit else 0)
        return ga, (gb if ctx.needs_input_grad[1] else None)


def _solve_tri(a, b, upper, unit=False):
    return apply(SolveTriangular, (a, b), {"upper": upper, "unit": unit})


def _batch_shape(sa, sb):
    try:
        return np.broadcast_shapes(sa, sb)
    except ValueError:
        raise broadcast_error(sa, sb) from None


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """``ember.linalg.solve_triangular``: ``X`` with ``A X = B`` (``left=False``:
    ``X A = B``) for a triangular ``A`` (the other triangle is not read; ``unitriangular``:
    its diagonal is taken as ones). Batches broadcast; the result has ``A``'s dtype.

    >>> import ember
    >>> A = ember.tensor([[2., 1.], [0., 4.]])
    >>> ember.linalg.solve_triangular(A, ember.tensor([[3.], [4.]]), upper=True)
    tensor([[1.],
            [1.]])
    """
    fname = "linalg.solve_triangular"
    _need_tensor(A, "linalg_solve_triangular", "A", 1)
    _need_tensor(B, "linalg_solve_triangular", "B", 2)
    a, b = A._data, B._data
    for name, d in (("A", a), ("B", b)):
        if d.ndim < 2:
            raise RuntimeError(f"{fname}: The input tensor {name} must have at least 2 "
                               f"dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    for d in (a, b):
        if d.dtype.kind != "f" or d.dtype == np.float16:
            raise _not_impl(d, "triangular_solve_cpu")
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{fname}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {b.shape[-2]}x{b.shape[-1]})")
    _batch_shape(b.shape[:-2], a.shape[:-2])
    if b.dtype != a.dtype:
        B = B.to(A.dtype)
    if left:
        r = _solve_tri(A, B, bool(upper), bool(unitriangular))
    else:
        r = _solve_tri(A.mT, B.mT, not upper, bool(unitriangular)).mT
    return _out(r, out)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """``ember.triangular_solve`` (deprecated in PyTorch): ``(solution, cloned_coefficient)``
    of ``A X = b`` (``transpose``: ``A^T X = b``) for a triangular ``A``."""
    import warnings
    warnings.warn("ember.triangular_solve is deprecated in favor of "
                  "ember.linalg.solve_triangular and will be removed in a future release.\n"
                  "ember.linalg.solve_triangular has its arguments reversed and does not return "
                  "a copy of one of the inputs.\nX = ember.triangular_solve(B, A).solution\n"
                  "should be replaced with\nX = ember.linalg.solve_triangular(A, B).",
                  UserWarning, stacklevel=2)
    _need_tensor(b, "triangular_solve", "input", 1)
    _need_tensor(A, "triangular_solve", "A", 2)
    if b._data.ndim < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected b to have at least 2 dimensions, "
                           f"but it has {b._data.ndim} dimensions instead")
    if A._data.ndim < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected A to have at least 2 dimensions, "
                           f"but it has {A._data.ndim} dimensions instead")
    if transpose:
        x = solve_triangular(A.mT, b, upper=not upper, unitriangular=unitriangular)
    else:
        x = solve_triangular(A, b, upper=upper, unitriangular=unitriangular)
    batch = x._data.shape[:-2]
    coef = A.expand(batch + A._data.shape[-2:]).clone()
    return _tuple_out((x, coef), out, return_types.triangular_solve)


def _lu_zero_pivot(m):
    """1-based index of the first zero pivot of an LU factorisation with partial pivoting
    of one square matrix (None if there is none): what LAPACK reports for a singular one."""
    u = np.array(m, dtype=np.float64)
    n = u.shape[0]
    for j in range(n):
        p = j + int(np.argmax(np.abs(u[j:, j])))
        if u[p, j] == 0:
            return j + 1
        if p != j:
            u[[j, p]] = u[[p, j]]
        u[j + 1:, j:] -= np.outer(u[j + 1:, j] / u[j, j], u[j, j:])
    return None


def _first_singular(a):
    """Batch index and zero-pivot order of the first singular matrix of a batch."""
    n = a.shape[-1]
    flat = a.reshape((-1, n, n))
    for i in range(flat.shape[0]):
        k = _lu_zero_pivot(flat[i])
        if k is not None or not np.isfinite(flat[i]).all():
            return i, k or 1
    return 0, 1


class Solve(Op):
    """``X`` with ``A X = B`` (LU with partial pivoting); ``vec``: ``B`` is a (batch of)
    vector(s)."""

    opname = "linalg_solve"
    node_name = "LinalgSolveExBackward0"
    save = (0, OUT)

    @staticmethod
    def forward(ctx, a, b, vec):
        ctx.vec = vec
        try:
            x = np.linalg.solve(a, b[..., None] if vec else b)
        except np.linalg.LinAlgError:
            i, _ = _first_singular(np.broadcast_to(
                a, np.broadcast_shapes(a.shape[:-2], b.shape[:-1 if vec else -2]) + a.shape[-2:]))
            where = f"(Batch element {i}): " if a.ndim > 2 else ""
            raise LinAlgError(f"torch.linalg.solve: {where}The solver failed because the input "
                              f"matrix is singular.") from None
        return x[..., 0] if vec else x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = apply(Solve, (a.mT, g), {"vec": ctx.vec})
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -(gb.unsqueeze(-1) * x.unsqueeze(-2) if ctx.vec else _mm(gb, x.mT))
        return ga, (gb if ctx.needs_input_grad[1] else None)


def linalg_solve(A, B, *, left=True, out=None):
    """``ember.linalg.solve``: ``X`` with ``A X = B`` (``left=False``: ``X A = B``) for a
    square invertible ``A``; ``B`` is a vector / batch of vectors (shape ``A.shape[:-1]``)
    or a batch of matrices, batches broadcast. Singular ``A``: ``ember.linalg.LinAlgError``.

    >>> import ember
    >>> ember.linalg.solve(ember.tensor([[2., 0.], [0., 4.]]), ember.tensor([2., 2.]))
    tensor([1.0000, 0.5000])
    """
    fname = "linalg.solve"
    _need_tensor(A, "linalg_solve", "A", 1)
    _need_tensor(B, "linalg_solve", "B", 2)
    a, b = A._data, B._data
    if a.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if b.ndim < 1:
        raise RuntimeError(f"{fname}: The input tensor B must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    if a.dtype.kind != "f":
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. "
                           f"Got {_lg(a)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"{fname}: Expected A and B to have the same dtype, but found A of "
                           f"type {_lg(a)} and B of type {_lg(b)} instead")
    if a.dtype == np.float16:
        raise _not_impl(a, "lu_cpu")
    n = a.shape[-1]
    vec = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bm = b.shape + (1,) if vec else b.shape
    if (bm[-2] if left else bm[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{fname}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {bm[-2]}x{bm[-1]})")
    if vec and not left:
        raise RuntimeError(f"{fname}: Vector broadcasting of the left hand side is not "
                           f"supported for left=False. In this case linalg.solve is equivalent "
                           f"to B / A.squeeze(-1)")
    _batch_shape(bm[:-2], a.shape[:-2])
    if left:
        r = apply(Solve, (A, B), {"vec": vec})
    else:
        r = apply(Solve, (A.mT, B.mT), {"vec": False}).mT
    return _out(r, out)


def cholesky_solve(B, L, upper=False, *, out=None):
    """``X`` with ``A X = B`` where ``A = L L^T`` (``upper``: ``A = U^T U``) is given by its
    Cholesky factor; batches broadcast."""
    _need_tensor(B, "cholesky_solve", "input", 1)
    _need_tensor(L, "cholesky_solve", "input2", 2)
    b, lo = B._data, L._data
    if b.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {b.ndim} dimensions "
                           f"instead")
    if lo.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {lo.ndim} dimensions "
                           f"instead")
    if lo.shape[-1] != lo.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are {lo.shape[-2]} "
                           f"by {lo.shape[-1]} matrices")
    if b.dtype != lo.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_lg(b)} and A of type {_lg(lo)} instead.")
    if lo.dtype.kind != "f" or lo.dtype == np.float16:
        raise _not_impl(lo, "cholesky_solve_cpu")
    if b.shape[-2] != lo.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is "
                           f"{lo.shape[-1]} by {lo.shape[-1]} but each b matrix is "
                           f"{b.shape[-2]} by {b.shape[-1]}")
    _batch_shape(b.shape[:-2], lo.shape[:-2])
    return _out(apply(CholeskySolve, (B, L), {"upper": bool(upper)}), out)


class CholeskySolve(Op):
    """``X = (L L^T)^-1 B`` (``upper``: ``(U^T U)^-1 B``) by two triangular solves that read
    one triangle of the factor. As in PyTorch, its gradient treats the factor as a dense
    matrix in ``A = L L^T``: ``gL = -(gB X^T + X gB^T) L`` with ``gB = A^-1 gX``."""

    opname = "cholesky_solve"
    node_name = "CholeskySolveBackward0"
    save = (1, OUT)

    @staticmethod
    def forward(ctx, b, lo, upper):
        ctx.upper = upper
        if upper:
            lo = _swap(lo)
        t = np.tril(lo)
        with np.errstate(all="ignore"):
            try:
                y = np.linalg.solve(t, b)
                return np.linalg.solve(_swap(t), y)
            except np.linalg.LinAlgError:
                return _substitute(_swap(t), _substitute(t, b, False), True)

    @staticmethod
    def backward(ctx, g):
        lo, x = ctx.saved_tensors
        gb = apply(CholeskySolve, (g, lo), {"upper": ctx.upper})
        gl = None
        if ctx.needs_input_grad[1]:
            s = _mm(gb, x.mT)
            s = s + s.mT
            gl = -(_mm(lo, s) if ctx.upper else _mm(s, lo))
        return (gb if ctx.needs_input_grad[0] else None), gl


def cholesky_inverse(L, upper=False, *, out=None):
    """``A^-1`` for ``A = L L^T`` (``upper``: ``A = U^T U``) given its Cholesky factor."""
    _need_tensor(L, "cholesky_inverse", "input", 1)
    lo = L._data
    if lo.ndim < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 "
                           "dimensions.")
    if lo.shape[-1] != lo.shape[-2]:
        raise RuntimeError(f"cholesky_inverse: A must be batches of square matrices, but they "
                           f"are {lo.shape[-2]} by {lo.shape[-1]} matrices")
    if lo.dtype.kind != "f" or lo.dtype == np.float16:
        raise _not_impl(lo, "cholesky_inverse_out_cpu")
    eye = _eye_like(L, lo.shape[-1])
    return _out(apply(CholeskySolve, (eye, L), {"upper": bool(upper)}), out)


# pseudo-inverse, rank, least squares ---------------------------------------------------------
def _tolerances(A, atol, rtol, fname):
    """``(atol, rtol)`` as float64 arrays with PyTorch's defaults: ``atol`` 0, ``rtol``
    ``eps * max(m, n)`` when neither is given and 0 where a positive ``atol`` is."""
    d = A._data
    at = 0.0 if atol is None else (atol._data if isinstance(atol, Tensor) else float(atol))
    at = np.asarray(at, np.float64)
    if rtol is not None:
        rt = np.asarray(rtol._data if isinstance(rtol, Tensor) else float(rtol), np.float64)
    else:
        default = np.finfo(d.dtype).eps * max(d.shape[-1], d.shape[-2])
        rt = np.asarray(default) if atol is None else np.where(at > 0, 0.0, default)
    return at, rt


def _cutoff(vals, at, rt):
    """The threshold below which ``vals`` (..., k, magnitudes) count as zero."""
    top = vals.max(-1) if vals.shape[-1] else np.zeros(vals.shape[:-1], vals.dtype)
    return np.maximum(at, rt * top)[..., None]


class Pinv(Op):
    """Moore-Penrose pseudo-inverse through the SVD (``hermitian``: through ``eigh``)."""

    opname = "linalg_pinv"
    node_name = "LinalgPinvBackward0"
    save = (0, OUT)

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        with np.errstate(divide="ignore"):
            if hermitian:
                w, v = _np_eigh(a, "L")
                aw = np.abs(w)
                inv = np.where(aw > _cutoff(aw, atol, rtol), 1 / w, 0).astype(a.dtype)
                return np.matmul(v * inv[..., None, :], _swap(v))
            u, s, vh = _np_svd(a, False)
            inv = np.where(s > _cutoff(s, atol, rtol), 1 / s, 0).astype(a.dtype)
            return np.matmul(_swap(vh) * inv[..., None, :], _swap(u))

    @staticmethod
    def backward(ctx, g):
        # d(A+) = -A+ dA A+ + A+ A+^T dA^T (I - A A+) + (I - A+ A) dA^T A+^T A+
        a, p = ctx.saved_tensors
        pt, gt = p.mT, g.mT
        ga = -_mm(_mm(pt, g), pt)
        t2 = _mm(gt, _mm(p, pt))
        t3 = _mm(_mm(pt, p), gt)
        return ga + (t2 - _mm(a, _mm(p, t2))) + (t3 - _mm(_mm(t3, p), a))


def _pinv_check(A):
    _need_tensor(A, "linalg_pinv", "input", 1)
    d = A._data
    if d.ndim < 2 or d.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"linalg.pinv({_lg(d)}{{{list(d.shape)}}}): expected a tensor with "
                           f"2 or more dimensions of float, double, cfloat or cdouble types")


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """``ember.linalg.pinv``: the pseudo-inverse of (a batch of) matrices; singular values
    (``hermitian=True``: eigenvalue magnitudes, of a symmetric ``A``) at or below
    ``max(atol, rtol * largest)`` are treated as zero (``rtol`` defaults to
    ``eps * max(m, n)``; the older ``rcond`` is ``rtol``).

    >>> import ember
    >>> ember.linalg.pinv(ember.tensor([[2., 0.], [0., 0.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    _pinv_check(A)
    if rcond is not None:
        rtol = rcond
    if hermitian:
        _matrix(A, "linalg.eigh", "linalg_pinv", square=True)
    at, rt = _tolerances(A, atol, rtol, "linalg.pinv")
    return _out(apply(Pinv, (A,), {"atol": at, "rtol": rt, "hermitian": bool(hermitian)}), out)


def pinverse(input, rcond=1e-15):
    """``ember.pinverse``: :func:`pinv` with relative tolerance ``rcond``."""
    return pinv(input, rtol=rcond)


class MatrixRank(Op):
    opname = "linalg_matrix_rank"
    differentiable = False

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        s = np.abs(_np_eigh(a, "L", False)) if hermitian else _np_svd(a, compute_uv=False)
        return (s > _cutoff(s, atol, rtol)).sum(-1).astype(np.int64)


def linalg_matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """``ember.linalg.matrix_rank``: the number of singular values above
    ``max(atol, rtol * largest)`` (int64, per matrix of a batch); ``tol`` (older API) is an
    absolute tolerance.

    >>> import ember
    >>> ember.linalg.matrix_rank(ember.ones(3, 4))
    tensor(1)
    """
    _need_tensor(A, "linalg_matrix_rank", "input", 1)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at "
                           "least 2 dimensions.")
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = tol, 0.0
    if hermitian:
        _matrix(A, "linalg.eigh", "linalg_matrix_rank", square=True)
    at, rt = _tolerances(A, atol, rtol, "linalg.matrix_rank")
    return _out(apply(MatrixRank, (A,), {"atol": at, "rtol": rt, "hermitian": bool(hermitian)}),
                out)


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def linalg_lstsq(A, B, rcond=None, *, driver=None):
    """``ember.linalg.lstsq``: the least-squares solution ``X`` minimising ``|A X - B|``
    (the minimum-norm one where ``A`` is rank-deficient, singular values at or below
    ``rcond * largest`` counting as zero), as ``(solution, residuals, rank,
    singular_values)``. As with PyTorch's drivers: ``rank`` for all but ``'gels'``,
    ``singular_values`` for ``'gelsd'``/``'gelss'``, ``residuals`` (squared, per column)
    for a tall full-rank ``A`` with a driver other than the default ``'gelsy'``; the rest
    are empty. Gradients flow through ``solution``."""
    fname = "torch.linalg.lstsq"
    _need_tensor(A, "linalg_lstsq", "self", 1)
    _need_tensor(B, "linalg_lstsq", "b", 2)
    a, b = A._data, B._data
    if a.dtype not in (np.float32, np.float64) or b.dtype not in (np.float32, np.float64):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if a.dtype != b.dtype:
        raise RuntimeError(f"{fname}: Expected input and other to have the same dtype, but got "
                           f"input's dtype {_lg(a)} and other's dtype "
                           f"{_lg(b)}")
    if a.ndim < 2:
        raise RuntimeError(f"{fname}: input must have at least 2 dimensions.")
    if b.ndim < 1:
        raise RuntimeError(f"{fname}: other must have at least 1 dimension.")
    if not 0 <= a.ndim - b.ndim <= 1:
        raise RuntimeError(f"{fname}: input.dim() must be greater or equal to other.dim() and "
                           f"(input.dim() - other.dim()) <= 1")
    if driver is None:
        driver = "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError(f"{fname}: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           f"gelss)")
    vec = a.ndim - b.ndim == 1
    bm = b.shape + (1,) if vec else b.shape
    _batch_shape(a.shape[:-2], bm[:-2])
    if bm[-2] != a.shape[-2]:
        raise RuntimeError(f"{fname}: input.size(-2) should match other.size(-2)")
    m, n = a.shape[-2], a.shape[-1]
    eps_tol = np.finfo(a.dtype).eps * max(m, n)
    rt = eps_tol if rcond is None or rcond < 0 else float(rcond)
    Bm = B.unsqueeze(-1) if vec else B
    x = _mm(pinv(A, rtol=rt), Bm)
    from .creation import empty
    from ..autograd.grad_mode import no_grad
    with no_grad():
        rank = (linalg_matrix_rank(A, atol=0.0, rtol=rt) if driver != "gels" else
                empty(0, dtype=D.int64))
        sv = svdvals(A) if driver in ("gelsd", "gelss") else empty(0, dtype=A.dtype)
    full = driver == "gels" or bool((rank._data == min(m, n)).all())
    if m > n and driver != "gelsy" and full:
        res = (_mm(A, x) - Bm).square().sum(-2)      # differentiable, as in PyTorch
    else:
        res = empty(0, dtype=A.dtype)
    return return_types.linalg_lstsq(x.squeeze(-1) if vec else x, res, rank, sv)


# matrix functions built on the above -----------------------------------------------------------
class _PowZero(Op):
    """``A^0``: identity matrices shaped like ``A`` (zero gradient)."""

    opname = "linalg_matrix_power"
    node_name = "LinalgMatrixPowerBackward0"

    @staticmethod
    def forward(ctx, a):
        out = np.zeros(a.shape, a.dtype)
        np.einsum("...ii->...i", out)[...] = 1
        return out

    @staticmethod
    def backward(ctx, g):
        return g * 0


def matrix_power(A, n, *, out=None):
    """``ember.linalg.matrix_power``: ``A`` multiplied by itself ``n`` times (``n`` an int;
    0 gives identities, a negative ``n`` powers the inverse), by repeated squaring.

    >>> import ember
    >>> ember.linalg.matrix_power(ember.tensor([[1, 1], [0, 1]]), 3)
    tensor([[1, 3],
            [0, 1]])
    """
    _need_tensor(A, "linalg_matrix_power", "A", 1)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {d.shape[-2]} by {d.shape[-1]} matrices")
    n = int(n)
    if n == 0:
        return _out(apply(_PowZero, (A,), {}), out)
    if n < 0:
        A = inverse(A)
        n = -n
    if n == 1:
        return _out(A.clone(), out)
    result = None
    base = A
    while True:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if not n:
            break
        base = matmul(base, base)
    return _out(result, out)


def cond(A, p=None, *, out=None):
    """``ember.linalg.cond``: the condition number ``|A|_p |A^-1|_p``. ``p`` None or 2 /
    -2 use the singular values (any shape: ``s_max / s_min``); ``'fro'``, ``'nuc'``, 1, -1,
    ``inf``, ``-inf`` need square matrices (a singular one gives inf).

    >>> import ember
    >>> ember.linalg.cond(ember.tensor([[2., 0.], [0., 0.5]]))
    tensor(4.)
    """
    _need_tensor(A, "linalg_cond", "A", 1)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    inf = float("inf")
    if p not in (None, 2, -2, "fro", "nuc", 1, -1, inf, -inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if p not in (None, 2, -2) and d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices, but "
                           f"they are {d.shape[-2]} by {d.shape[-1]} matrices")
    if p in (None, 2, -2, "nuc"):
        s = svdvals(A)
        if s._data.shape[-1] == 0:
            from .creation import zeros
            return _out(zeros(s._data.shape[:-1], dtype=s.dtype), out)
        if p == "nuc":
            with np.errstate(all="ignore"):         # a singular matrix: 0 * inf = nan
                return _out(s.sum(-1) * s.reciprocal().sum(-1), out)
        big, small = s[..., 0], s[..., -1]
        return _out(small / big if p == -2 else big / small, out)
    _matrix(A, "linalg.cond", "linalg_cond", square=True)
    if d.shape[-1] == 0:
        from .creation import zeros
        return _out(zeros(d.shape[:-2], dtype=A.dtype), out)
    try:
        return _out(matrix_norm(A, p) * matrix_norm(inverse(A), p), out)
    except LinAlgError:
        pass
    n = d.shape[-1]
    bad = np.zeros(d.shape[:-2], bool)
    flat = bad.reshape(-1)
    for i, m in enumerate(d.reshape((-1, n, n))):
        flat[i] = _lu_zero_pivot(m) is not None
    from .._tensor import _wrap
    from .indexing import where
    mask = _wrap(bad)
    safe = where(mask[..., None, None], _eye_like(A, n), A)
    return _out((matrix_norm(safe, p) * matrix_norm(inverse(safe), p)).masked_fill(mask, inf),
                out)


# --- distances -------------------------------------------------------------------------------
_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


class Cdist(Op):
    """p-norm distances between the rows of ``x1`` (..., P, M) and ``x2`` (..., R, M)."""

    opname = "cdist"
    node_name = "CdistBackward0"
    save = (0, 1, OUT)

    @staticmethod
    def forward(ctx, x1, x2, p, mm):
        ctx.p = p
        if x1.shape[-1] == 0:
            shape = np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
            return np.zeros(shape + (x1.shape[-2], x2.shape[-2]), x1.dtype)
        if p == 2 and mm:
            # |a|^2 + |b|^2 - 2 a.b through one GEMM (clamped: the sum can go below zero)
            a2 = np.einsum("...i,...i->...", x1, x1)[..., :, None]
            b2 = np.einsum("...i,...i->...", x2, x2)[..., None, :]
            d = np.matmul(x1, _swap(x2))
            d *= -2
            d += a2
            d += b2
            np.maximum(d, 1e-30, out=d)
            return np.sqrt(d, out=d)
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        if p == 2:
            return np.sqrt(np.einsum("...i,...i->...", diff, diff))
        if p == 0:
            return np.count_nonzero(diff, axis=-1).astype(x1.dtype)
        diff = np.abs(diff, out=diff)
        if p == 1:
            return diff.sum(-1)
        if p == float("inf"):
            return diff.max(-1)
        return (diff ** p).sum(-1) ** (1 / p)

    @staticmethod
    def backward(ctx, g):
        x1, x2, d = ctx.saved_tensors
        p = ctx.p
        if p == 0 or x1._data.shape[-1] == 0:
            from .creation import zeros_like
            return zeros_like(x1), zeros_like(x2)
        zero = d == 0
        if p == 2:
            # sum_j g_ij / d_ij (x1_i - x2_j), without the (P, R, M) difference tensor
            r = (g / d.masked_fill(zero, 1)).masked_fill(zero, 0)
            g1 = x1 * r.sum(-1, keepdim=True) - _mm(r, x2)
            g2 = x2 * r.sum(-2).unsqueeze(-1) - _mm(r.mT, x1)
            return g1, g2
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        ge = g.unsqueeze(-1)
        if p == 1:
            gd = ge * diff.sign()
        elif p == float("inf"):
            gd = ge * diff.sign() * (diff.abs() == d.unsqueeze(-1))
        else:
            ad = diff.abs()
            scale = (g / d.masked_fill(zero, 1).pow(p - 1)).masked_fill(zero, 0).unsqueeze(-1)
            if p < 1:
                flat = ad == 0
                term = ad.masked_fill(flat, 1).pow(p - 1).masked_fill(flat, 0)
            else:
                term = ad.pow(p - 1)
            gd = scale * diff.sign() * term
        return gd.sum(-2), -gd.sum(-3)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """``ember.cdist``: the ``p``-norm distance between each row of ``x1`` (..., P, M) and
    each row of ``x2`` (..., R, M), shape (..., P, R); batch dimensions broadcast.
    ``p`` in ``[0, inf]``. For ``p=2`` with more than 25 rows (or
    ``compute_mode='use_mm_for_euclid_dist'``) the distances come from one matrix product.

    >>> import ember
    >>> ember.cdist(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.], [0., 1.]]))
    tensor([[5., 1.]])
    """
    _need_tensor(x1, "cdist", "x1", 1)
    _need_tensor(x2, "cdist", "x2", 2)
    a, b = x1._data, x2._data
    if a.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if b.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {b.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                           f"X2: {b.shape[-1]}")
    if a.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {_lg(a)}")
    if b.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X2 got: {_lg(b)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_lg(a)} but found {_lg(b)}")
    if a.dtype == np.float16:
        raise _not_impl(a, "cdist")
    p = float(p)
    if not p >= 0:
        raise RuntimeError("cdist only supports non-negative p values")
    mode = _CDIST_MODES.get(compute_mode) if compute_mode is not None else 0
    if mode is None:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    _batch_shape(a.shape[:-2], b.shape[:-2])
    mm = p == 2 and (mode == 1 or (mode == 0 and (a.shape[-2] > 25 or b.shape[-2] > 25)))
    return apply(Cdist, (x1, x2), {"p": p, "mm": mm})


# --- functions PyTorch removed (they raise, pointing at the replacement) ----------------------
def _removed(name, hint):
    def fn(*args, **kwargs):
        raise RuntimeError(f"This function was deprecated since version 1.9 and is now removed. "
                           f"{hint}")
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Removed from PyTorch (raises RuntimeError): {hint}"
    return fn


solve = _removed("solve", "`ember.solve` is deprecated in favor of `ember.linalg.solve`, which "
                 "has its arguments reversed: X = ember.linalg.solve(A, B).")
lstsq = _removed("lstsq", "`ember.lstsq` is deprecated in favor of `ember.linalg.lstsq`, "
                 "which has reversed arguments: X = ember.linalg.lstsq(A, B).solution.")
symeig = _removed("symeig", "Use ember.linalg.eigvalsh(A, UPLO='U' if upper else 'L') or "
                  "ember.linalg.eigh(A, UPLO='U' if upper else 'L') (the default triangle is "
                  "now the lower one).")
eig = _removed("eig", "Use ember.linalg.eigvals / ember.linalg.eig (complex results).")
matrix_rank = _removed("matrix_rank", "Please use the `ember.linalg.matrix_rank` function "
                       "instead. The parameter 'symmetric' was renamed in "
                       "`ember.linalg.matrix_rank()` to 'hermitian'.")


# --- norms (ember.linalg) --------------------------------------------------------------------
def _float_input(x, fname):
    _need_tensor(x, fname, "input", 1)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. Got "
                           f"{_lg(x._data)}")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """``ember.linalg.vector_norm``: the ``ord``-norm of ``x`` flattened, or over ``dim``
    (``ord``: any number, ``inf``, ``-inf``; 0 counts non-zeros).

    >>> import ember
    >>> ember.linalg.vector_norm(ember.tensor([3., -4.]), ord=1)
    tensor(7.)
    """
    from .reduction import VectorNorm
    _float_input(x, "linalg.vector_norm")
    if dtype is not None:
        x = x.to(dtype)
    if isinstance(dim, list):
        dim = tuple(dim)
    return _out(apply(VectorNorm, (x,), {"ord": float(ord), "dim": dim, "keepdim": keepdim}),
                out)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """``ember.linalg.matrix_norm``: Frobenius (``'fro'``), max column sum (``1``), max row
    sum (``inf``) or their minima (``-1``, ``-inf``) over the two dimensions ``dim``."""
    _float_input(A, "linalg.matrix_norm")
    nd = A._data.ndim
    if nd < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    d0, d1 = _norm_dim(dim[0], nd), _norm_dim(dim[1], nd)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return _out(vector_norm(A, 2, (d0, d1), keepdim), out)
    if ord in ("nuc", 2, -2):
        if A._data.dtype == np.float16:
            raise RuntimeError("linalg.matrix_norm: Low precision dtypes not supported. Got Half")
        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        if s._data.shape[-1] == 0:
            if ord == -2:
                raise IndexError("amin(): Expected reduction dim -1 to have non-zero size.")
            from .creation import zeros
            r = zeros(s._data.shape[:-1], dtype=s.dtype)
        else:
            r = s.amax(-1) if ord == 2 else (s.amin(-1) if ord == -2 else s.sum(-1))
        if keepdim:
            r = r.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return _out(r, out)
    if ord in (1, -1):
        red, pick = d0, d1
    elif ord in (float("inf"), -float("inf")):
        red, pick = d1, d0
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    s = A.abs().sum(dim=red, keepdim=True)
    r = s.amax(dim=pick, keepdim=True) if ord > 0 else s.amin(dim=pick, keepdim=True)
    if not keepdim:
        r = r.squeeze((d0, d1))
    return _out(r, out)


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """``ember.linalg.norm``: a vector norm (1-D input or an int ``dim``), a matrix norm
    (2-D input or a pair ``dim``), or with ``ord=None`` the 2-norm of everything."""
    _float_input(A, "linalg.norm")
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype, out=out)
    if dim is None:
        nd = A._data.ndim
        if nd == 1:
            return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
        if nd == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {nd}D.")
    if len(dim) == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.vector_norm: Order {ord} not supported.")
        return vector_norm(A, ord, dim, keepdim, dtype=dtype, out=out)
    return matrix_norm(A, ord, dim, keepdim, dtype=dtype, out=out)


# --- methods ---------------------------------------------------------------------------------
def _rmatmul(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


def _matmul_op(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    a, b = self._data, other._data
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0] and a.dtype is b.dtype and \
            a.dtype.kind == "f":
        return apply(Mm, (self, other), _NOATTRS)
    return matmul(self, other)


METHODS = {
    "matmul": matmul, "__matmul__": _matmul_op, "__rmatmul__": _rmatmul,
    "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "vdot": vdot, "inner": inner,
    "outer": outer, "ger": ger,
    "addmm": addmm, "addmm_": _addmm_, "addmv": addmv, "addmv_": _addmv_,
    "addr": addr, "addr_": _addr_, "baddbmm": baddbmm, "baddbmm_": _baddbmm_,
    "addbmm": addbmm, "addbmm_": _addbmm_,
    "kron": kron, "cross": cross, "tensordot": tensordot,
    "tril": tril, "tril_": _tril_, "triu": triu, "triu_": _triu_,
    "diag": diag, "diag_embed": diag_embed, "trace": trace,
    "inverse": inverse, "det": det, "logdet": logdet, "slogdet": slogdet,
    "svd": svd, "qr": qr, "cholesky": cholesky, "pinverse": pinverse,
    "matrix_power": matrix_power, "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse, "triangular_solve": triangular_solve,
    "solve": solve, "lstsq": lstsq, "symeig": symeig, "eig": eig,
}
