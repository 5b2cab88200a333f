"""PyTorch-style printing of tensors: ``repr(t)``, ``str(t)`` and the print options.

The layout follows PyTorch's exactly (only the dtype is spelled ``ember.float64``):

* Large tensors (more than ``threshold`` elements) are summarised first: every dimension
  longer than ``2 * edgeitems`` keeps only its first and last ``edgeitems`` entries, and
  only those are formatted, so printing a huge tensor costs little.
* One format is chosen for the whole (summarised) tensor from its finite nonzero
  values: integer-valued floats print as ``1.``; other floats use fixed point with
  ``precision`` decimals; scientific notation is used when the largest magnitude is above
  1e8, the ratio of largest to smallest is above 1000, or (non-integers only) the
  smallest is below 1e-4. ``sci_mode`` forces it on or off.
* Every element is right-aligned to the widest one; rows wrap at ``linewidth``;
  sub-tensors are separated by one newline per remaining dimension.
* Complex tensors get one format for the real parts and one for the imaginary parts
  (``tensor([1.5000+2.0000j, 3.0000-4.2500j])``): the real part is right-aligned to its
  column width, the imaginary part follows with its sign and a ``j``.
* A subclass of Tensor prints under its own name: ``MyTensor([1., 2.])``.
* Suffixes follow: ``size=`` (empty tensors), ``dtype=`` (when not the default for its
  kind), ``grad_fn=<...>`` or ``requires_grad=True``, each moved onto its own line when
  it would not fit.

>>> import ember
>>> ember.tensor([[1, 2], [3, 4]])
tensor([[1, 2],
        [3, 4]])
>>> ember.tensor([1.5, 2.0], dtype=ember.float64)
tensor([1.5000, 2.0000], dtype=ember.float64)
>>> ember.tensor([1 + 2j, 0.5 - 1j])
tensor([1.0000+2.j, 0.5000-1.j])
"""
import contextlib
import math

import numpy as np

from . import _dtype as D
from ._tensor import Tensor

__all__ = ["set_printoptions", "get_printoptions"]

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


class _Options:
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        for k, v in _PROFILES["default"].items():
            setattr(self, k, v)
        self.sci_mode = None

    def __repr__(self):
        return f"_Options({', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__)})"


_OPTS = _Options()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print, as ``torch.set_printoptions``.

    ``precision``: digits after the decimal point (4); ``threshold``: element count above
    which a tensor is summarised (1000); ``edgeitems``: entries kept at each end of a
    summarised dimension (3); ``linewidth``: characters per line (80); ``profile``:
    ``"default"``, ``"short"`` or ``"full"`` sets all four at once (the other arguments
    then override it); ``sci_mode``: ``True``/``False`` forces scientific notation on or
    off, ``None`` (also the value when it is not passed) lets ember choose.

    >>> import ember
    >>> ember.set_printoptions(precision=2)
    >>> ember.tensor([1.2345, 2.0])
    tensor([1.23, 2.00])
    >>> ember.set_printoptions(profile="default")
    """
    if profile is not None and profile in _PROFILES:
        for k, v in _PROFILES[profile].items():
            setattr(_OPTS, k, v)
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict (the keys ``set_printoptions`` takes).

    >>> import ember
    >>> ember.get_printoptions()["precision"]
    4
    """
    return {k: getattr(_OPTS, k) for k in _Options.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager: set print options for a block, then restore the previous ones."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ---- summarising ---------------------------------------------------------------------------

def _summarize(a, e):
    """Keep the first and last ``e`` entries of every dimension longer than ``2 * e``.

    Returns the smaller array and, per dimension, whether it was cut (then an ellipsis
    goes after its first ``e`` entries)."""
    cut = []
    for d, n in enumerate(a.shape):
        if n > 2 * e:
            idx = np.concatenate([np.arange(e), np.arange(n - e, n)])
            a = a.take(idx, axis=d)
            cut.append(True)
        else:
            cut.append(False)
    return a, cut


# ---- element formatting --------------------------------------------------------------------

def _float_strings(vals):
    """Strings for the float64 values ``vals`` (1-D) in the format the tensor needs, and
    the column width: that of the widest finite nonzero value (zeros, nan and inf do not
    widen the columns; they are padded to the width when shorter)."""
    p = _OPTS.precision
    mask = np.isfinite(vals) & (vals != 0)
    nzv = vals[mask]
    items = vals.tolist()
    if nzv.size == 0:
        # only zeros, nan and inf: integer style, never scientific
        return [f"{v:.0f}." if math.isfinite(v) else f"{v}" for v in items], 1
    nz = np.abs(nzv)
    hi = float(nz.max())
    lo = float(nz.min())
    int_mode = bool(np.all(nz == np.ceil(nz)))
    if int_mode:
        sci = hi / lo > 1000.0 or hi > 1.0e8
    else:
        sci = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
    if _OPTS.sci_mode is not None:
        sci = bool(_OPTS.sci_mode)
    if sci:
        fmt = f"{{:.{p}e}}".format
    elif int_mode:
        def fmt(v):
            return f"{v:.0f}." if math.isfinite(v) else f"{v}"
    else:
        fmt = f"{{:.{p}f}}".format
    strs = [fmt(v) for v in items]
    if nzv.size == vals.size:
        width = max(map(len, strs))
    else:
        width = max(len(t) for t, m in zip(strs, mask.tolist()) if m)
    return strs, width


def _complex_strings(flat):
    """Strings for complex values: the real parts formatted (and padded) as one float
    column, the imaginary parts as another, each followed by its sign and ``j``. The
    elements are complete (not to be padded again); the width is that of both columns
    plus the ``j``, which is what the line wrapping counts."""
    re, w1 = _float_strings(flat.real.astype(np.float64))
    im, w2 = _float_strings(flat.imag.astype(np.float64))
    out = []
    for r, i in zip(re, im):
        r = r.rjust(w1)
        out.append(r + i + "j" if i[0] in "+-" else r + "+" + i + "j")
    return out, w1 + w2 + 1


def _strings(a):
    """Formatted, unpadded strings for the elements of ``a`` in C order, and the width
    of a column."""
    flat = a.reshape(-1)
    if a.dtype.kind == "c":
        return _complex_strings(flat)
    if a.dtype.kind == "f":
        return _float_strings(flat.astype(np.float64))
    strs = [str(v) for v in flat.tolist()]
    return strs, max(map(len, strs))


# ---- layout --------------------------------------------------------------------------------

def _layout(strs, shape, cut, e, width, indent, linewidth):
    """Nest the padded element strings ``strs`` (C order over ``shape``) into brackets.

    ``indent`` is the column of the outermost ``[``."""
    ndim = len(shape)
    strides = [1] * ndim
    for d in range(ndim - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    per_line_cache = {}

    def block(d, off, col):
        n = shape[d]
        if d == ndim - 1:
            items = strs[off:off + n]
            if cut[d]:
                items = items[:e] + [" ..."] + items[e:]
            per = per_line_cache.get(col)
            if per is None:
                per = per_line_cache[col] = max(1, (linewidth - col) // (width + 2))
            if len(items) <= per:
                return "[" + ", ".join(items) + "]"
            lines = [", ".join(items[i:i + per]) for i in range(0, len(items), per)]
            return "[" + (",\n" + " " * (col + 1)).join(lines) + "]"
        st = strides[d]
        subs = [block(d + 1, off + i * st, col + 1) for i in range(n)]
        if cut[d]:
            subs.insert(e, "...")
        sep = "," + "\n" * (ndim - d - 1) + " " * (col + 1)
        return "[" + sep.join(subs) + "]"

    return block(0, 0, indent)


def _body(data, indent):
    """The text of the values (no prefix, no suffixes)."""
    if data.size == 0:
        return "[]"
    e = _OPTS.edgeitems
    summarize = data.size > _OPTS.threshold
    if data.ndim == 0:
        return _strings(data)[0][0]
    if summarize:
        if e <= 0:
            return "[...]"
        data, cut = _summarize(data, e)
    else:
        cut = [False] * data.ndim
    strs, width = _strings(data)
    if data.dtype.kind != "c":
        strs = [s.rjust(width) for s in strs]
    return _layout(strs, data.shape, cut, e, width, indent, _OPTS.linewidth)


def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` items; one that would reach the line width starts a new line.

    The running length mirrors PyTorch's bookkeeping exactly: it counts the separator
    after the values' last line, but not after a suffix that started a new line."""
    linewidth = _OPTS.linewidth
    cur = len(text) - text.rfind("\n") - 1 + 2
    for s in suffixes:
        if cur + len(s) + 1 >= linewidth:
            text += ",\n" + " " * indent + s
            cur = indent + len(s)
        else:
            text += ", " + s
            cur += len(s) + 2
    return text + ")"


def tensor_repr(t):
    """``repr`` of a Tensor, laid out as PyTorch does.

    >>> import ember
    >>> ember.zeros(0, 3, dtype=ember.int64)
    tensor([], size=(0, 3), dtype=ember.int64)
    >>> ember.tensor(3.5)
    tensor(3.5000)
    """
    data = t._data
    cls = type(t)
    # subclasses print under their own name (``MyTensor([1., 2.])``), as in PyTorch;
    # nn.Parameter prints its tensor as ``tensor(...)`` under its own header line
    if cls is Tensor or cls.__name__ == "Parameter":
        prefix = "tensor("
    else:
        prefix = cls.__name__ + "("
    indent = len(prefix)
    dtype = D._FROM_NP[data.dtype]
    default = D._default[0]
    suffixes = []
    empty = data.size == 0
    if data.shape != (0,) and (empty or _OPTS.edgeitems == 0):
        suffixes.append(f"size={tuple(data.shape)}")
    if empty:
        if dtype is not default:
            suffixes.append(f"dtype={dtype}")
    elif (dtype is not default and dtype is not D.int64 and dtype is not D.bool_
          and dtype is not D._default_complex()):
        suffixes.append(f"dtype={dtype}")
    fn = t._grad_fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + _body(data, indent), suffixes, indent)
