"""``nn.functional``: stateless layers, activations and losses, PyTorch's signatures.

Built from ember ops; softmax and log_softmax are dedicated ops (their composed backward
is slower and less accurate), taken from ``ember.ops.nn`` when that module provides them.
"""
import math
import warnings

import numpy as np

import ember as E

from ..autograd.grad_mode import no_grad
from ..ops import ctc as _ctc
from ..ops import norm as _norm
from ..ops._dispatch import OUT, Op, apply

__all__ = [
    "linear", "bilinear", "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu",
    "elu_", "selu", "celu", "gelu", "silu", "mish", "sigmoid", "tanh", "hardtanh",
    "hardtanh_", "hardsigmoid", "hardswish", "softplus", "softsign", "threshold",
    "threshold_", "glu", "prelu", "logsigmoid", "tanhshrink", "softshrink", "hardshrink",
    "softmax", "log_softmax", "softmin", "dropout", "dropout1d", "dropout2d", "dropout3d",
    "one_hot", "pad", "embedding", "normalize", "cosine_similarity", "pairwise_distance",
    "layer_norm", "group_norm", "batch_norm", "instance_norm", "local_response_norm",
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss",
    "poisson_nll_loss", "gaussian_nll_loss", "hinge_embedding_loss", "soft_margin_loss",
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "max_pool1d",
    "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_max_pool2d", "scaled_dot_product_attention", "pixel_shuffle",
    "pixel_unshuffle", "interpolate", "upsample", "unfold", "fold", "max_unpool2d",
    "multi_margin_loss", "multilabel_soft_margin_loss", "rrelu", "alpha_dropout",
    "embedding_bag", "ctc_loss",
]


def _kernels():
    try:
        from ..ops import nn as K
    except ImportError:
        return None
    return K


# ---- linear ---------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``.

    >>> import ember
    >>> linear(ember.ones(1, 2), ember.ones(3, 2))
    tensor([[2., 2., 2.]])
    """
    if input.dim() == 2 and bias is not None:
        return E.addmm(bias, input, weight.t())
    out = input.matmul(weight.t())
    return out if bias is None else out + bias


def bilinear(input1, input2, weight, bias=None):
    """``y_k = x1 @ W_k @ x2 + b_k`` for each output feature k."""
    o, i, j = weight.shape
    if input1.shape[-1] != i or input2.shape[-1] != j:
        raise RuntimeError(f"bilinear: input1 {tuple(input1.shape)} and input2 "
                           f"{tuple(input2.shape)} do not match weight {tuple(weight.shape)}")
    tmp = input1.matmul(weight.permute(1, 0, 2).reshape(i, o * j))
    out = (tmp.reshape(*tmp.shape[:-1], o, j) * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias


# ---- activations ----------------------------------------------------------------------
def _inplace(input, out):
    return input.copy_(out)


def relu(input, inplace=False):
    """max(x, 0)."""
    return input.relu_() if inplace else E.relu(input)


def relu_(input):
    return input.relu_()


def _interior(input, lo, hi):
    return E.where((input > lo) & (input < hi), input, input.clamp(lo, hi).detach())


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val) with zero gradient at and beyond the limits (one op:
    ``ember.ops.nn.hardtanh``)."""
    from ..ops import nn as K
    return K.hardtanh(input, min_val, max_val, inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, else negative_slope·x."""
    if inplace:
        return _inplace(input, leaky_relu(input.clone(), negative_slope))
    out = E.where(input > 0, input, input * negative_slope)
    return out


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, else alpha·(exp(x) - 1)."""
    if inplace:
        return _inplace(input, elu(input.clone(), alpha))
    out = E.where(input > 0, input, alpha * E.expm1(input.clamp(max=0)))
    return out


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale·elu(x, alpha) with the self-normalising constants."""
    if inplace:
        return _inplace(input, selu(input.clone()))
    out = _SELU_SCALE * elu(input, _SELU_ALPHA)
    return out


def celu(input, alpha=1.0, inplace=False):
    """x for x > 0, else alpha·(exp(x/alpha) - 1)."""
    if inplace:
        return _inplace(input, celu(input.clone(), alpha))
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    out = E.where(input > 0, input, alpha * E.expm1(input.clamp(max=0) / alpha))
    return out


def gelu(input, approximate="none"):
    """x·Φ(x); ``approximate='tanh'`` uses the tanh formula."""
    if approximate == "none":
        return 0.5 * input * (1.0 + E.erf(input * (1.0 / math.sqrt(2.0))))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1.0 + E.tanh(inner))
    raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate}")


def silu(input, inplace=False):
    """x·sigmoid(x)."""
    if inplace:
        return _inplace(input, silu(input.clone()))
    out = input * E.sigmoid(input)
    return out


def mish(input, inplace=False):
    """x·tanh(softplus(x))."""
    if inplace:
        return _inplace(input, mish(input.clone()))
    out = input * E.tanh(softplus(input))
    return out


def sigmoid(input):
    return E.sigmoid(input)


def tanh(input):
    return E.tanh(input)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    if inplace:
        return _inplace(input, hardsigmoid(input.clone()))
    out = _interior(input + 3.0, 0.0, 6.0) / 6.0
    return out


def hardswish(input, inplace=False):
    """x·relu6(x + 3) / 6."""
    if inplace:
        return _inplace(input, hardswish(input.clone()))
    out = input * (_interior(input + 3.0, 0.0, 6.0) / 6.0)
    return out


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta·x)) / beta, linear above ``threshold``."""
    bx = input * beta if beta != 1 else input
    soft = E.log1p(E.exp(bx.clamp(max=threshold)))
    if beta != 1:
        soft = soft / beta
    return E.where(bx > threshold, input, soft)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (1 + input.abs())


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value."""
    if inplace:
        return _inplace(input, threshold(input.clone(), threshold, value))
    out = E.where(input > threshold, input, E.full_like(input, value))
    return out


def threshold_(input, threshold_, value):
    return threshold(input, threshold_, value, True)


def glu(input, dim=-1):
    """a·sigmoid(b) where a, b are the halves of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.dim()} "
                           f"is size {n}")
    a, b = input.chunk(2, dim)
    return a * E.sigmoid(b)


def prelu(input, weight):
    """x for x > 0, else weight·x (weight per channel, dim 1)."""
    w = weight
    if input.dim() >= 2 and weight.numel() != 1:
        if weight.numel() != input.shape[1]:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{input.shape[1]}.")
        w = weight.reshape((-1,) + (1,) * (input.dim() - 2))
    elif weight.numel() == 1:
        w = weight.reshape(())
    return E.where(input > 0, input, w * input)


def logsigmoid(input):
    """log(sigmoid(x)), computed stably."""
    return input.clamp(max=0) - E.log1p(E.exp(-input.abs()))


def tanhshrink(input):
    return input - E.tanh(input)


def softshrink(input, lambd=0.5):
    return E.where(input > lambd, input - lambd,
                   E.where(input < -lambd, input + lambd, input * 0))


def hardshrink(input, lambd=0.5):
    return E.where((input > lambd) | (input < -lambd), input, input * 0)


# ---- softmax family -------------------------------------------------------------------
class _Softmax(Op):
    save = (OUT,)

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        return e

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * gy.sum(ctx.dim, keepdim=True)


class _LogSoftmax(Op):
    save = (OUT,)

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        s = x - x.max(axis=dim, keepdims=True)
        s -= np.log(np.exp(s).sum(axis=dim, keepdims=True))
        return s

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - E.exp(y) * g.sum(ctx.dim, keepdim=True)


def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_prep(name, input, dim, dtype):
    if dim is None:
        dim = _softmax_dim(name, input.dim())
    if dtype is not None:
        input = input.to(dtype)
    if not input.is_floating_point():
        raise RuntimeError(f'"{name}_lastdim_kernel_impl" not implemented for '
                           f"'{_torch_type_name(input.dtype)}'")
    nd = max(input.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}]"
                         f", but got {dim})")
    return input, dim % nd if input.dim() else None


def _torch_type_name(dt):
    n = str(dt).split(".")[-1]
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(n, n)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``.

    >>> import ember
    >>> softmax(ember.tensor([0., 0.]), dim=0)
    tensor([0.5000, 0.5000])
    """
    K = _kernels()
    if K is not None and hasattr(K, "softmax"):
        return K.softmax(input, dim, _stacklevel, dtype)
    input, d = _softmax_prep("softmax", input, dim, dtype)
    if d is None:
        return apply(_Softmax, (input.reshape(1),), {"dim": 0}).reshape(())
    return apply(_Softmax, (input,), {"dim": d})


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably."""
    K = _kernels()
    if K is not None and hasattr(K, "log_softmax"):
        return K.log_softmax(input, dim, _stacklevel, dtype)
    input, d = _softmax_prep("log_softmax", input, dim, dtype)
    if d is None:
        return apply(_LogSoftmax, (input.reshape(1),), {"dim": 0}).reshape(())
    return apply(_LogSoftmax, (input,), {"dim": d})


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


# ---- dropout --------------------------------------------------------------------------
def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_mask(input, shape, p):
    mask = E.empty(shape, dtype=input.dtype)
    if p == 1:
        return mask.zero_()
    mask.bernoulli_(1 - p)
    return mask.mul_(1.0 / (1 - p))


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (training)."""
    if inplace:
        return _inplace(input, dropout(input.clone(), p, training))
    _check_p(p)
    if not training or p == 0:
        return input
    out = input * _dropout_mask(input, tuple(input.shape), p)
    return out


def _feature_dropout(input, p, training, inplace, nd, name):
    if inplace:
        return _inplace(input, _feature_dropout(input.clone(), p, training, False, nd, name))
    _check_p(p)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D input, but received a "
                           f"{input.dim()}D input")
    if not training or p == 0:
        return input
    lead = input.dim() - nd
    shape = tuple(input.shape[:lead]) + (1,) * nd
    out = input * _dropout_mask(input, shape, p)
    return out


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (N, C, L) with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (N, C, H, W) with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (N, C, D, H, W) with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")


# ---- sparse / shape -------------------------------------------------------------------
def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding with a new last dimension of size ``num_classes``."""
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if a.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(a.shape + (num_classes,), np.int64)
    np.put_along_axis(out, a[..., None], 1, axis=-1)
    return E.from_numpy(out)


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left_last, right_last, left_prev, ...)``.
    Modes: constant (negative pads crop), reflect, replicate, circular."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = input.dim()
    if len(pad) // 2 > nd:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of "
                           f"dimension {nd}")
    if mode != "constant" and value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    out = input
    for k in range(len(pad) // 2):
        d = nd - 1 - k
        lo, hi = int(pad[2 * k]), int(pad[2 * k + 1])
        n = out.shape[d]
        if mode == "constant":
            if lo < 0:
                out = out.narrow(d, -lo, n + lo)
                n += lo
                lo = 0
            if hi < 0:
                out = out.narrow(d, 0, n + hi)
                hi = 0
            if lo or hi:
                parts = []
                fill = 0.0 if value is None else value
                for w in (lo, hi):
                    s = list(out.shape)
                    s[d] = w
                    parts.append(E.full(s, fill, dtype=out.dtype))
                out = E.cat([parts[0], out, parts[1]], d)
            continue
        npmode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}.get(mode)
        if npmode is None:
            raise NotImplementedError(f"Unrecognised padding mode {mode}")
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension {d} "
                               f"of input {list(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and n == 0:
            raise RuntimeError("padding size should be greater than 0 for replicate mode")
        if lo < 0 or hi < 0:
            raise RuntimeError(f"negative padding is not supported in {mode} mode")
        idx = np.pad(np.arange(n), (lo, hi), mode=npmode)
        out = out.index_select(d, E.from_numpy(idx.astype(np.int64)))
    return out


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` at the indices in ``input``; ``padding_idx``'s row gets no
    gradient."""
    if input.dtype not in (E.int64, E.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.dtype} instead "
                           "(while checking arguments for embedding)")
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx += n
    flat = input.reshape(-1)
    if flat.numel() and (int(flat.max()) >= n or int(flat.min()) < 0):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        with no_grad():
            rows = np.unique(flat._data)
            w = weight._data
            norms = np.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
            scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
            w[rows] = (w[rows] * scale[:, None]).astype(w.dtype)
    out = weight.index_select(0, flat).reshape(*input.shape, weight.shape[1])
    if scale_grad_by_freq and out.requires_grad:
        # same values; each row's gradient divided by how often its index occurs
        ids = flat._data
        freq = np.bincount(ids, minlength=n)[ids] if ids.size else np.ones(0)
        scale = E.from_numpy((1.0 / freq).astype(weight._data.dtype).reshape(*input.shape, 1))
        det = out.detach()
        out = det + (out - det) * scale
    if padding_idx is not None and out.requires_grad:
        mask = (input == padding_idx).unsqueeze(-1)
        out = E.where(mask, out.detach(), out)
    return out


# ---- distances and normalisation ------------------------------------------------------
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along ``dim``."""
    return input / input.norm(p, dim, keepdim=True).clamp(min=eps).expand_as(input)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along ``dim``."""
    n1 = x1.norm(2, dim, keepdim=True).clamp(min=eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim."""
    d = max(x1.dim(), x2.dim())
    return (x1 - x2 + eps).norm(p, d - 1 if d else None, keepdim=keepdim)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    ns = tuple(normalized_shape)
    k = len(ns)
    if tuple(input.shape[input.dim() - k:]) != ns or k > input.dim():
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in ns)}], but got input of size"
                           f"{list(input.shape)}")
    dims = tuple(range(input.dim() - k, input.dim()))
    mean = input.mean(dims, keepdim=True)
    xc = input - mean
    var = (xc * xc).mean(dims, keepdim=True)
    out = xc * E.rsqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def _channel(t, ndim):
    return t.reshape((-1,) + (1,) * (ndim - 2))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each group of channels over its channels and spatial positions."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    N, C = input.shape[0], input.shape[1]
    if C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    x = input.reshape(N, num_groups, -1)
    mean = x.mean(-1, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(-1, keepdim=True)
    out = (xc * E.rsqrt(var + eps)).reshape(input.shape)
    if weight is not None:
        out = out * _channel(weight, input.dim())
    if bias is not None:
        out = out + _channel(bias, input.dim())
    return out


def _update_running(running, value, momentum):
    with no_grad():
        running.mul_(1 - momentum).add_(value.detach().to(running.dtype), alpha=momentum)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) by batch statistics (training) or running ones."""
    nd = input.dim()
    if training:
        count = input.numel() // max(input.shape[1], 1) if nd > 1 else input.numel()
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
        out, mean, var = _norm.batch_norm(input, weight, bias, None, None, True, eps)
        if running_mean is not None:
            _update_running(running_mean, mean, momentum)
        if running_var is not None:
            _update_running(running_var, var * (count / (count - 1)), momentum)
        return out
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    return _norm.batch_norm(input, weight, bias, running_mean, running_var, False, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) over its spatial positions."""
    nd = input.dim()
    dims = tuple(range(2, nd))
    if use_input_stats:
        count = 1
        for s in input.shape[2:]:
            count *= s
        if count <= 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {input.shape}")
        mean = input.mean(dims, keepdim=True)
        xc = input - mean
        var = (xc * xc).mean(dims, keepdim=True)
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(input.shape[0], -1).mean(0), momentum)
        if running_var is not None:
            uv = var.reshape(input.shape[0], -1) * (count / (count - 1))
            _update_running(running_var, uv.mean(0), momentum)
        out = xc * E.rsqrt(var + eps)
    else:
        out = (input - _channel(running_mean, nd)) * E.rsqrt(_channel(running_var, nd) + eps)
    if weight is not None:
        out = out * _channel(weight, nd)
    if bias is not None:
        out = out + _channel(bias, nd)
    return out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha·mean of x² over ``size`` neighbouring channels)^beta."""
    if input.dim() < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.dim()} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    sq = input * input
    C = input.shape[1]
    lo, hi = size // 2, (size - 1) // 2
    padded = pad(sq.movedim(1, -1), (lo + 1, hi))
    cs = padded.cumsum(-1)
    win = (cs.narrow(-1, size, C) - cs.narrow(-1, 0, C)).movedim(-1, 1)
    div = (win * (alpha / size) + k) ** beta
    return input / div


# ---- losses ---------------------------------------------------------------------------
def _legacy_reduction(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _pointwise(input, target, name):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _pointwise(input, target, "mse_loss")
    d = input - target
    loss = d * d
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _pointwise(input, target, "l1_loss")
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5·d²/beta where |d| < beta, else |d| - 0.5·beta."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _pointwise(input, target, "smooth_l1_loss")
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction)
    loss = E.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5·d² where |d| < delta, else delta·(|d| - 0.5·delta)."""
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _pointwise(input, target, "huber_loss")
    d = (input - target).abs()
    loss = E.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist temporal classification loss.

    ``log_probs`` (T, N, C) (or (T, C) unbatched) are per-step log-probabilities (usually a
    ``log_softmax`` output), ``targets`` padded (N, S) or concatenated (sum(target_lengths),),
    ``input_lengths`` and ``target_lengths`` tensors or tuples of ints. ``'mean'`` divides
    each loss by its target length (at least 1) and averages over the batch; impossible
    alignments give ``inf`` (0, gradient included, with ``zero_infinity=True``).

    >>> import ember
    >>> lp = ember.full((2, 1, 2), 0.5, dtype=ember.float64).log()   # T=2, N=1, C=2
    >>> ctc_loss(lp, ember.tensor([[1]]), (2,), (1,), reduction='none')  # -log(3/4)
    tensor([0.2877], dtype=ember.float64)
    """
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=2)
        reduction = "mean"
    if not isinstance(reduction, str) or reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _ctc.reduced_loss(log_probs, targets, input_lengths, target_lengths, blank,
                             reduction, zero_infinity)


def _check_nll(input, target):
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() == 1:
        if target.dim() != 0:
            raise RuntimeError(f"Expected input batch_size (1) to match target batch_size "
                               f"({target.shape[0] if target.dim() else 1}).")
    elif target.shape[0] != input.shape[0] or \
            tuple(target.shape[1:]) != tuple(input.shape[2:]):
        if target.shape[:1] != input.shape[:1]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({target.shape[0] if target.dim() else 1}).")
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: "
                           f"{list(target.shape)})")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of ``target`` classes under log-probabilities ``input``
    (class dim 1, or 0 for unbatched input)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_nll(input, target)
    if target.dtype not in (E.int64, E.uint8, E.int32):
        raise RuntimeError(f"expected scalar type Long but found {_torch_type_name(target.dtype)}")
    cdim = 0 if input.dim() == 1 else 1
    C = input.shape[cdim]
    t = target._data
    ignored = t == ignore_index
    valid = t[~ignored]
    if valid.size and (valid.min() < 0 or valid.max() >= C):
        bad = valid[(valid < 0) | (valid >= C)][0]
        raise IndexError(f"Target {bad} is out of bounds.")
    safe = np.where(ignored, 0, t).astype(np.int64)
    if weight is not None:
        w = weight._data[safe] * ~ignored
    else:
        w = (~ignored).astype(input._data.dtype)
    w = np.asarray(w, dtype=input._data.dtype)
    return _norm.nll_loss(input, np.expand_dims(safe, cdim), w, cdim, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """log_softmax then nll_loss; ``target`` holds class indices or class probabilities
    (same shape as ``input``), with optional ``label_smoothing``.

    >>> import ember
    >>> cross_entropy(ember.zeros(1, 2), ember.tensor([0]))
    tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    cdim = 0 if input.dim() == 1 else 1
    logp = log_softmax(input, cdim)
    C = input.shape[cdim]
    wshape = (C,) + (1,) * (input.dim() - cdim - 1)
    if target.is_floating_point():
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError(f"Expected target size {list(input.shape)}, got "
                               f"{list(target.shape)}")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / C
        prod = logp * target
        if weight is not None:
            prod = prod * weight.reshape(wshape)
        loss = -prod.sum(cdim)
        if reduction == "mean":
            n = input.numel() // C if C else 0
            return loss.sum() / n
        return _reduce(loss, reduction)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0:
        return nll
    ignored = E.from_numpy(np.asarray(target._data == ignore_index))
    lw = logp if weight is None else logp * weight.reshape(wshape)
    smooth = -lw.sum(cdim)
    smooth = E.where(ignored, smooth * 0, smooth)
    if reduction == "sum":
        smooth = smooth.sum()
    elif reduction == "mean":
        if weight is None:
            smooth = smooth.sum() / int((~ignored._data).sum())
        else:
            safe = np.where(ignored._data, 0, target._data).astype(np.int64)
            wsum = (weight._data[safe] * ~ignored._data).sum()
            smooth = smooth.sum() / float(wsum)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / C)


def _same_size(input, target):
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-(t·log(x) + (1 - t)·log(1 - x)), logs clamped at -100."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _same_size(input, target)
    a = input._data
    if a.size and (a.min() < 0 or a.max() > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = -(target * E.log(input).clamp(min=-100)
             + (1 - target) * E.log(1 - input).clamp(min=-100))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Sigmoid then binary cross-entropy, computed stably; ``pos_weight`` scales the
    positive term."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    sp = E.log1p(E.exp(-input.abs())) + (-input).clamp(min=0)   # softplus(-x)
    if pos_weight is not None:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * sp
    else:
        loss = (1 - target) * input + sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL(target || exp(input)) pointwise; ``reduction='batchmean'`` divides by the batch."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if log_target:
        loss = E.exp(target) * (target - input)
    else:
        loss = E.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) for target 1, max(0, cos - margin) for target -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    d = input1.dim() - 1
    eps = 1e-12
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + eps
    m2 = (input2 * input2).sum(d) + eps
    cos = prod / E.sqrt(m1 * m2)
    zeros = cos * 0
    loss = E.where(target == 1, 1 - cos, zeros) + \
        E.where(target == -1, (cos - margin).clamp(min=0), zeros)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target·(x1 - x2) + margin)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not (input1.dim() == input2.dim() == target.dim()):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same "
                           f"dimension but got sizes: input1: {input1.shape}, input2: "
                           f"{input2.shape}, target: {target.shape} ")
    loss = (-target * (input1 - input2) + margin).clamp(min=0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(d(a, p) - d(a, n) + margin, 0) with the p-norm distance."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    dp = pairwise_distance(anchor, positive, p, eps)
    dn = pairwise_distance(anchor, negative, p, eps)
    if swap:
        ds = pairwise_distance(positive, negative, p, eps)
        dn = E.minimum(dn, ds)
    loss = (margin + dp - dn).clamp(min=0)
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Poisson negative log-likelihood (``log_input``: input is log-rate)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = E.exp(input) - target * input
    else:
        loss = input - target * E.log(input + eps)
    if full:
        big = target > 1
        t = E.where(big, target, E.ones_like(target))
        st = t * E.log(t) - t + 0.5 * E.log(2 * math.pi * t)
        loss = loss + E.where(big, st, st * 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log-likelihood with predicted variance ``var``."""
    if isinstance(var, (int, float)):
        var = E.full_like(input, float(var))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    _check_reduction(reduction)
    if bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    # clamp the values, not the gradient path (PyTorch clamps a clone under no_grad)
    var = var + (var.clamp(min=eps) - var).detach()
    d = input - target
    loss = 0.5 * (E.log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """x for target 1, max(0, margin - x) for target -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    zeros = input * 0
    loss = E.where(target != 1, (margin - input).clamp(min=0), zeros) + \
        E.where(target != -1, input, zeros)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target·x))."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return _reduce(softplus(-target * input), reduction)


# ---- convolution and pooling (kernels in ember.ops.nn) ---------------------------------
def _k(name):
    K = _kernels()
    if K is None or not hasattr(K, name):
        raise NotImplementedError(f"{name} needs ember.ops.nn, which is not available")
    return getattr(K, name)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _k("conv1d")(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _k("conv2d")(input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _k("conv3d")(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _k("conv_transpose1d")(input, weight, bias, stride, padding, output_padding, groups,
                                  dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _k("conv_transpose2d")(input, weight, bias, stride, padding, output_padding, groups,
                                  dilation)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _k("max_pool1d")(input, kernel_size, stride, padding, dilation,
                            ceil_mode=ceil_mode, return_indices=return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _k("max_pool2d")(input, kernel_size, stride, padding, dilation,
                            ceil_mode=ceil_mode, return_indices=return_indices)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    return _k("avg_pool1d")(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return _k("avg_pool2d")(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                            divisor_override)


def adaptive_avg_pool1d(input, output_size):
    return _k("adaptive_avg_pool1d")(input, output_size)


def adaptive_avg_pool2d(input, output_size):
    return _k("adaptive_avg_pool2d")(input, output_size)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _k("adaptive_max_pool2d")(input, output_size, return_indices)


# ---- attention ------------------------------------------------------------------------
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(Q Kᵀ · scale + mask) V over the last two dims; a bool ``attn_mask`` marks
    the positions that may be attended to, a float one is added to the scores."""
    L, S = query.shape[-2], key.shape[-2]
    sc = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, -3)
        value = value.repeat_interleave(rep, -3)
    scores = query.matmul(key.transpose(-2, -1)) * sc
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not "
                               "be set when is_causal=True")
        attn_mask = E.from_numpy(np.tril(np.ones((L, S), dtype=bool)))
    if attn_mask is not None:
        if attn_mask.dtype == E.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    w = softmax(scores, -1)
    if dropout_p > 0.0:
        w = dropout(w, dropout_p, True)
    return w.matmul(value)


# ---- resampling -----------------------------------------------------------------------
def pixel_shuffle(input, upscale_factor):
    """(*, C·r², H, W) -> (*, C, H·r, W·r)."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    *lead, C, H, W = input.shape
    if C % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{C} is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, C // (r * r), r, r, H, W)
    perm = list(range(n)) + [n, n + 3, n + 1, n + 4, n + 2]
    return x.permute(*perm).reshape(*lead, C // (r * r), H * r, W * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H·r, W·r) -> (*, C·r², H, W)."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    *lead, C, H, W = input.shape
    if H % r or W % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but got {H}x{W} and {r}")
    n = len(lead)
    x = input.reshape(*lead, C, H // r, r, W // r, r)
    perm = list(range(n)) + [n, n + 2, n + 4, n + 1, n + 3]
    return x.permute(*perm).reshape(*lead, C * r * r, H // r, W // r)


def _interp_sizes(input, size, scale_factor, nd):
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    in_sz = tuple(input.shape[2:])
    if size is not None:
        out = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(out) != nd:
            raise ValueError(f"Input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(in_sz)} and output size of {list(out)}. Please provide "
                             "input tensor in (N, C, d1, d2, ...,dK) format and output size "
                             "in (o1, o2, ...,oK) format.")
        scales = [None] * nd
    else:
        sf = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) \
            else (scale_factor,) * nd
        out = tuple(int(math.floor(i * s)) for i, s in zip(in_sz, sf))
        scales = list(sf)
    return in_sz, out, scales


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims (after N, C) by ``mode`` 'nearest', 'nearest-exact', 'area',
    'linear', 'bilinear', 'bicubic', 'trilinear' or 'lanczos' (``antialias=True`` only);
    ``antialias=True`` (4-D 'bilinear' / 'bicubic') widens the filter when downscaling.

    >>> import ember
    >>> x = ember.tensor([[[[0., 1.], [2., 3.]]]])
    >>> interpolate(x, scale_factor=2, mode='bicubic', align_corners=True)[0, 0, 0]
    tensor([0.0000, 0.3148, 0.6852, 1.0000])
    """
    nd = input.dim() - 2
    if nd < 1:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.dim()}D, shape {list(input.shape)})")
    linear_modes = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2, "lanczos": 2}
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif mode not in linear_modes:
        raise NotImplementedError(f"interpolate mode {mode!r} is not supported")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    in_sz, out_sz, scales = _interp_sizes(input, size, scale_factor, nd)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and nd == 2):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         f"modes and requires a 4-D tensor as input (got mode={mode!r} and a "
                         f"{input.dim()}-D tensor)")
    if mode in linear_modes and linear_modes[mode] != nd:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{linear_modes[mode] + 2}D input")
    if recompute_scale_factor:
        scales = [None] * nd
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if mode in ("bicubic", "lanczos") or antialias or (
            mode == "bilinear" and input._data.dtype == np.uint8):
        return _resample2d(input, in_sz, out_sz, scales, mode, bool(align_corners), antialias)
    x = input
    for k in range(nd):
        d = 2 + k
        i, o = in_sz[k], out_sz[k]
        sc = (1.0 / scales[k]) if scales[k] else (i / o if o else 0.0)
        dst = np.arange(o, dtype=np.float64)
        if mode == "area":
            x = _adaptive_avg_1d(x, d, o)
            continue
        if mode == "nearest":
            if o == i and nd == 2:    # PyTorch's 2-D kernel copies an unchanged axis
                continue
            idx = np.minimum(np.floor(dst * sc).astype(np.int64), i - 1)
            x = x.index_select(d, E.from_numpy(idx))
            continue
        if mode == "nearest-exact":
            idx = np.minimum(np.floor((dst + 0.5) * sc).astype(np.int64), i - 1)
            x = x.index_select(d, E.from_numpy(idx))
            continue
        if o == i:                # PyTorch copies an axis whose size does not change
            continue
        if align_corners:
            src = dst * ((i - 1) / (o - 1)) if o > 1 else dst * 0
        else:
            src = np.maximum((dst + 0.5) * sc - 0.5, 0.0)
        i0 = np.minimum(np.floor(src).astype(np.int64), i - 1)
        i1 = np.minimum(i0 + 1, i - 1)
        lam = (src - i0).astype(input._data.dtype)
        shape = [1] * x.dim()
        shape[d] = o
        lt = E.from_numpy(lam.reshape(shape))
        x0 = x.index_select(d, E.from_numpy(i0))
        x1 = x.index_select(d, E.from_numpy(i1))
        x = x0 + (x1 - x0) * lt
    return x


# ---- bicubic and antialiased resampling: per-axis weights -------------------------------
def _cubic(x, a):
    """The cubic convolution kernel (Keys) with parameter ``a``, at distances ``x``."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = (((x - 5) * x + 8) * x - 4) * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0)).astype(x.dtype, copy=False)


def _sinc(x):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(x == 0, 1.0, np.sin(np.pi * x) / (np.pi * x))


_AA_FILTERS = {   # mode: (support at scale 1, filter)
    "bilinear": (1.0, lambda x: np.maximum(1.0 - np.abs(x), 0.0)),
    "bicubic": (2.0, lambda x: _cubic(x, -0.5)),
    "lanczos": (3.0, lambda x: np.where(np.abs(x) < 3, _sinc(x) * _sinc(x / 3), 0.0)),
}


def _axis_scale(i, o, scale_factor, align_corners):
    if align_corners:
        return (i - 1) / (o - 1) if o > 1 else 0.0
    return 1.0 / scale_factor if scale_factor else i / o


def _cubic_taps(i, o, scale_factor, align_corners, dt):
    """PyTorch's bicubic along one axis: 4 taps per output (A = -0.75, indices clamped to
    the border), computed in ``dt`` as PyTorch does. Returns (index, weight, used)."""
    scale = np.asarray(_axis_scale(i, o, scale_factor, align_corners), dt)
    dst = np.arange(o, dtype=dt)
    src = dst * scale if align_corners else (dst + dt.type(0.5)) * scale - dt.type(0.5)
    f = np.floor(src)
    t = (src - f)[:, None]
    w = _cubic(np.concatenate([t + 1, t, 1 - t, 2 - t], 1), dt.type(-0.75))
    idx = np.clip(f.astype(np.int64)[:, None] + np.arange(-1, 3), 0, i - 1)
    return idx, w, np.ones(idx.shape, bool)


def _aa_taps(i, o, scale_factor, align_corners, mode):
    """PyTorch's antialiased filter along one axis: when downscaling, the filter's support
    grows with the scale; the weights inside the image are normalised to sum to 1."""
    scale = _axis_scale(i, o, scale_factor, align_corners)
    support, filt = _AA_FILTERS[mode]
    if scale >= 1.0:
        support, inv = support * scale, 1.0 / scale
    else:
        inv = 1.0
    center = scale * (np.arange(o) + 0.5)
    lo = np.maximum(np.trunc(center - support + 0.5), 0).astype(np.int64)
    hi = np.minimum(np.trunc(center + support + 0.5), i).astype(np.int64)
    k = np.arange(max(int((hi - lo).max()), 1))
    idx = lo[:, None] + k
    used = idx < hi[:, None]
    w = np.where(used, filt((idx - center[:, None] + 0.5) * inv), 0.0)
    tot = w.sum(1, keepdims=True)
    w = np.where(tot != 0, w / np.where(tot != 0, tot, 1.0), w)
    return np.minimum(idx, i - 1), w, used


def _dense(taps, i):
    """The (out, in) matrix of one axis' taps."""
    idx, w, used = taps
    o = idx.shape[0]
    m = np.bincount((np.arange(o)[:, None] * i + idx)[used], weights=w[used],
                    minlength=o * i).reshape(o, i)
    return m


class _Resample2d(Op):
    """``x`` (..., H, W) to (..., oh, ow) through per-axis weights: the W axis, then the H
    axis (as PyTorch's kernels go). ``mats`` = (Wh, Ww) dense (out, in) matrices (None: the
    axis is kept); ``taps`` the same weights as taps, used instead of the matmuls when
    ``x`` holds inf or nan (so that they reach only the outputs whose taps read them, as in
    PyTorch); uint8 goes through PyTorch's fixed-point arithmetic; ``transpose`` applies the
    transposed weights (the gradient)."""

    node_name = "UpsampleBicubic2DBackward0"

    @staticmethod
    def forward(ctx, x, mats=None, taps=None, transpose=False):
        ctx.mats, ctx.transpose = mats, transpose
        if x.dtype == np.uint8:
            return _resample_uint8(x, mats)
        if taps is not None and x.size:
            with np.errstate(invalid="ignore", over="ignore"):
                finite = np.isfinite(np.add.reduce(x, axis=None))   # one pass, no copy
            if not finite:
                return _resample_taps(x, mats, taps)
        wh, ww = mats
        y = x if x.dtype.itemsize >= 4 else x.astype(np.float32)   # half: float math
        if transpose:
            y = _axes_matmul(y, None if wh is None else wh.T, None if ww is None else ww.T)
        else:
            y = _axes_matmul(y, wh, ww)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return apply(type(ctx), (g,), {"mats": ctx.mats, "transpose": not ctx.transpose})


def _axes_matmul(y, wh, ww):
    """``wh @ y @ ww.T`` over the last two axes, as BLAS calls over the whole batch."""
    if ww is not None:
        lead = y.shape[:-1]
        y = (y.reshape(-1, y.shape[-1]) @ ww.T).reshape(lead + (ww.shape[0],))
    if wh is not None:
        y = np.einsum("oh,...hw->...ow", wh, y, optimize=True)
    return y


class _ResampleBilinear(_Resample2d):
    node_name = "UpsampleBilinear2DBackward0"


class _ResampleBilinearAA(_Resample2d):
    node_name = "UpsampleBilinear2DAaBackward0"


class _ResampleBicubicAA(_Resample2d):
    node_name = "UpsampleBicubic2DAaBackward0"


class _ResampleLanczosAA(_Resample2d):
    node_name = "UpsampleLanczos2DAaBackward0"


def _resample_taps(x, mats, taps):
    """The weighted sums over each output's taps only (inputs with inf or nan)."""
    y = x
    for ax, m, tp in ((-1, mats[1], taps[1]), (-2, mats[0], taps[0])):
        if m is None:
            continue
        idx, w, used = tp
        w = w.astype(x.dtype)
        shape = [1] * y.ndim
        shape[ax] = idx.shape[0]
        acc = None
        with np.errstate(invalid="ignore", over="ignore"):
            for k in range(idx.shape[1]):
                term = np.take(y, idx[:, k], axis=ax) * w[:, k].reshape(shape)
                if not used[:, k].all():
                    term = np.where(used[:, k].reshape(shape), term, 0)
                acc = term if acc is None else acc + term
        y = acc
    return y


_RESAMPLE_OPS = {("bicubic", False): _Resample2d, ("bilinear", False): _ResampleBilinear,
                 ("bilinear", True): _ResampleBilinearAA,
                 ("bicubic", True): _ResampleBicubicAA, ("lanczos", True): _ResampleLanczosAA}


def _linear_taps(i, o, scale_factor, align_corners):
    """Plain bilinear along one axis as taps (the uint8 path)."""
    scale = _axis_scale(i, o, scale_factor, align_corners)
    dst = np.arange(o, dtype=np.float64)
    src = dst * scale if align_corners else np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), i - 1)
    lam = src - i0
    return (np.stack([i0, np.minimum(i0 + 1, i - 1)], 1), np.stack([1 - lam, lam], 1),
            np.ones((o, 2), bool))


def _resample_uint8(x, mats):
    """PyTorch's uint8 resampling: per axis (W, then H) integer weights with as many
    fraction bits as an int16 holds for the largest weight (22 at most), the sum rounded
    and clamped to 0..255 after each axis. The integer sums run as float64 GEMMs: every
    partial sum is an integer below 2**53, so they are exact."""
    y = x.astype(np.float64)
    for k in (1, 0):
        m = mats[k]
        if m is None:
            continue
        wmax = np.abs(m).max()
        bits = 0
        while bits < 22 and int(0.5 + wmax * (1 << (bits + 1))) < (1 << 15):
            bits += 1
        wi = np.round(m * (1 << bits))
        y = _axes_matmul(y, wi, None) if k == 0 else _axes_matmul(y, None, wi)
        y += 1 << (bits - 1)
        y *= 1.0 / (1 << bits)
        np.floor(y, out=y)
        np.clip(y, 0, 255, out=y)
    return y.astype(np.uint8)


def _resample2d(input, in_sz, out_sz, scales, mode, align_corners, antialias):
    """Bicubic and antialiased resampling of a 4-D input as two matmuls."""
    dt = input._data.dtype
    u8 = dt == np.uint8
    if (dt.kind != "f" and not u8) or (antialias and dt.itemsize < 4 and not u8):
        kernel = "compute_index_ranges_weights" if antialias else "compute_indices_weights_cubic"
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{input.dtype._legacy[:-6]}' (interpolate mode={mode!r}, "
                                  f"antialias={antialias})")
    (ih, iw), (oh, ow) = in_sz, out_sz
    if min(ih, iw, oh, ow) <= 0:
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"(H: {ih}, W: {iw}) output (H: {oh}, W: {ow})")
    mats, taps = [], []
    for i, o, sf in zip(in_sz, out_sz, scales):
        if i == o and (antialias or u8):      # PyTorch copies such an axis as it is
            mats.append(None)
            taps.append(None)
            continue
        if antialias:
            tp = _aa_taps(i, o, sf, align_corners, mode)
        elif mode == "bilinear":
            tp = _linear_taps(i, o, sf, align_corners)
        else:
            tp = _cubic_taps(i, o, sf, align_corners, np.dtype(np.float64) if u8
                             else np.result_type(dt, np.float32))
        taps.append(tp)
        mats.append(_dense(tp, i).astype(np.float64 if u8 else np.result_type(dt, np.float32)))
    return apply(_RESAMPLE_OPS[mode, bool(antialias)], (input,),
                 {"mats": tuple(mats), "taps": tuple(taps)})


def _adaptive_avg_1d(x, d, o):
    i = x.shape[d]
    parts = []
    for j in range(o):
        a, b = (j * i) // o, -((-(j + 1) * i) // o)
        parts.append(x.narrow(d, a, b - a).mean(d, keepdim=True))
    return E.cat(parts, d)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate`."""
    return interpolate(input, size, scale_factor, mode, align_corners)


# ---- im2col as an index map: unfold gathers, fold scatter-adds ------------------------
def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _patch_index(Hp, Wp, k, d, st):
    oh = (Hp - (d[0] * (k[0] - 1) + 1)) // st[0] + 1
    ow = (Wp - (d[1] * (k[1] - 1) + 1)) // st[1] + 1
    if oh <= 0 or ow <= 0:
        return None, oh, ow
    ki = np.arange(k[0])[:, None, None, None] * d[0]
    kj = np.arange(k[1])[None, :, None, None] * d[1]
    r = np.arange(oh)[None, None, :, None] * st[0]
    c = np.arange(ow)[None, None, None, :] * st[1]
    return ((r + ki) * Wp + (c + kj)).reshape(-1).astype(np.int64), oh, ow


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of a (N, C, H, W) batch as columns: (N, C·kh·kw, L)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got "
                           f"{input.dim()}D)")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    k, d, p, st = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    N, C, H, W = x.shape
    x = pad(x, (p[1], p[1], p[0], p[0]))
    Hp, Wp = H + 2 * p[0], W + 2 * p[1]
    idx, oh, ow = _patch_index(Hp, Wp, k, d, st)
    if idx is None:
        raise RuntimeError(f"Given input with spatial size ({H}, {W}), kernel_size={k}, "
                           f"dilation={d}, padding={p}, calculated shape of the array of "
                           f"sliding blocks as ({oh}, {ow}), but its components must be at "
                           "least one.")
    cols = x.reshape(N, C, Hp * Wp).index_select(2, E.from_numpy(idx))
    out = cols.reshape(N, C * k[0] * k[1], oh * ow)
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of :func:`unfold`: sum columns (N, C·kh·kw, L) back into (N, C, H, W)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are "
                           f"supported (got {input.dim()}D)")
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    k, d, p, st = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    H, W = _pair(output_size)
    N, CK, L = x.shape
    if CK % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={CK} and "
                           f"kernel_size={k}")
    C = CK // (k[0] * k[1])
    Hp, Wp = H + 2 * p[0], W + 2 * p[1]
    idx, oh, ow = _patch_index(Hp, Wp, k, d, st)
    if idx is None or oh * ow != L:
        raise RuntimeError(f"Given output_size=({H}, {W}), kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={st}, expected size of input's dimension 2 "
                           f"to match the calculated number of sliding blocks {oh} * {ow} = "
                           f"{oh * ow}, but got input.size(2)={L}.")
    out = E.zeros((N, C, Hp * Wp), dtype=x.dtype).index_add(
        2, E.from_numpy(idx), x.reshape(N, C, k[0] * k[1] * L))
    out = out.reshape(N, C, Hp, Wp)[:, :, p[0]:p[0] + H, p[1]:p[1] + W]
    return out if batched else out.squeeze(0)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Place each value of ``input`` at its ``indices`` (from max_pool2d) in a zero map."""
    k = _pair(kernel_size)
    st = _pair(stride if stride is not None else kernel_size)
    p = _pair(padding)
    H, W = input.shape[-2:]
    if output_size is not None:
        oh, ow = tuple(output_size)[-2:]
    else:
        oh = (H - 1) * st[0] - 2 * p[0] + k[0]
        ow = (W - 1) * st[1] - 2 * p[1] + k[1]
    lead = tuple(input.shape[:-2])
    flat = input.reshape(*lead, H * W)
    out = E.zeros(lead + (oh * ow,), dtype=input.dtype)
    out = out.scatter(-1, indices.reshape(*lead, H * W), flat)
    return out.reshape(*lead, oh, ow)


# ---- more losses and activations ------------------------------------------------------
def multi_margin_loss(input, target, size_average=None, reduce=None, p=1, margin=1.0,
                      weight=None, reduction="mean"):
    """Multi-class hinge loss: sum over wrong classes i of max(0, margin - x[y] + x[i])^p,
    divided by the number of classes."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    t = target.reshape(-1)
    C = x.shape[1]
    idx = t.reshape(-1, 1)
    xy = x.gather(1, idx)
    z = (margin - xy + x).clamp(min=0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight.index_select(0, t).reshape(-1, 1)
    notself = E.from_numpy(np.arange(C)[None, :] != t.numpy()[:, None])
    loss = E.where(notself, z, z * 0).sum(1) / C
    if input.dim() < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Per-class logistic loss averaged over classes."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(input.dim() - 1) / input.shape[-1]
    return _reduce(loss, reduction)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Leaky ReLU with a random slope in [lower, upper] (training) or their mean (eval)."""
    if inplace:
        return _inplace(input, rrelu(input.clone(), lower, upper, training))
    if not training:
        return leaky_relu(input, (lower + upper) / 2)
    slope = E.empty(tuple(input.shape), dtype=input.dtype).uniform_(lower, upper)
    return E.where(input >= 0, input, input * slope)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalising mean and variance."""
    if inplace:
        return _inplace(input, alpha_dropout(input.clone(), p, training))
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0
    alpha = -_SELU_ALPHA * _SELU_SCALE
    keep = E.empty(tuple(input.shape), dtype=input.dtype).bernoulli_(1 - p)
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    b = -a * alpha * p
    return (input * keep + alpha * (1 - keep)) * a + b


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sum, mean or max of the embeddings of each bag: rows of a 2-D ``input``, or the
    slices of a 1-D ``input`` that start at ``offsets``."""
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, but got {mode}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    n_emb = weight.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n_emb
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences.")
        B, N = input.shape
        starts = np.arange(B + 1) * N
        flat = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        o = offsets.numpy().astype(np.int64)
        starts = o if include_last_offset else np.concatenate([o, [input.shape[0]]])
        B = len(starts) - 1
        flat = input
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    emb = embedding(flat, weight, None, max_norm, norm_type)
    idx = flat.numpy()
    lens = np.diff(starts)
    seg = np.repeat(np.arange(B), lens).astype(np.int64)
    valid = np.ones(len(idx), bool) if padding_idx is None else idx != padding_idx
    D = weight.shape[1]
    if mode == "max":
        maxlen = int(lens.max()) if B else 0
        pos = np.full((B, max(maxlen, 1)), len(idx), np.int64)
        rank = np.arange(len(idx)) - starts[seg]
        keep = valid
        pos[seg[keep], rank[keep]] = np.arange(len(idx))[keep]
        ninf = E.full((1, D), float("-inf"), dtype=weight.dtype)
        table = E.cat([emb, ninf], 0)
        out = table.index_select(0, E.from_numpy(pos.reshape(-1))).reshape(B, -1, D).amax(1)
        empty = np.bincount(seg[valid], minlength=B) == 0
        return E.where(E.from_numpy(empty[:, None]), E.zeros_like(out), out)
    if per_sample_weights is not None:
        emb = emb * per_sample_weights.reshape(-1, 1)
    np_dtype = weight._data.dtype
    if padding_idx is not None:
        emb = emb * E.from_numpy(valid.astype(np_dtype)[:, None])
    out = E.zeros((B, D), dtype=emb.dtype).index_add(0, E.from_numpy(seg), emb)
    if mode == "mean":
        counts = np.bincount(seg[valid], minlength=B).astype(np.float64)
        out = out / E.from_numpy(np.maximum(counts, 1).astype(np_dtype)[:, None])
    return out
