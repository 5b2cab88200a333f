"""dtype objects, PyTorch's type-promotion rules and the default dtype.

Promotion follows PyTorch, not NumPy: operands are ranked as dimensioned tensors,
zero-dim tensors, then Python scalars ("wrapped numbers"); a lower rank only changes
the result when its *category* (bool < integer < floating < complex) is higher, and a
complex operand of lower rank keeps the precision of a floating one of higher rank
(``float64_tensor + 1j`` is complex128). A Python complex is the default complex dtype
(complex64, or complex128 when the default float dtype is float64).
"""
import numpy as np

__all__ = ["dtype", "get_default_dtype", "set_default_dtype", "promote_types",
           "result_type", "can_cast", "finfo", "iinfo", "complex64", "complex128", "cfloat",
           "cdouble"]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type (``ember.float32``, ``ember.int64`` ...)."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_signed", "_cat",
                 "is_complex", "_legacy")

    def __init__(self, name, npdt, cat, legacy):
        self.name = name
        self.np = np.dtype(npdt)
        self.itemsize = self.np.itemsize
        self.is_floating_point = cat == _FLOAT
        self.is_complex = cat == _COMPLEX
        self.is_signed = cat >= _FLOAT or self.np.kind == "i"
        self._cat = cat
        self._legacy = legacy

    def __repr__(self):
        return "ember." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        """The real counterpart of a complex dtype (``complex64 -> float32``); other dtypes
        are returned as they are."""
        return _TO_REAL.get(self, self)

    def to_complex(self):
        """The complex counterpart of a floating dtype (``float32 -> complex64``); complex
        dtypes are returned as they are."""
        if self._cat == _COMPLEX:
            return self
        r = _TO_COMPLEX.get(self)
        if r is None:
            if self is float16:
                raise NotImplementedError("ember does not support complex32 (ComplexHalf): use "
                                          "float32 or float64 for complex arithmetic")
            raise RuntimeError(f"to_complex is only supported for floating point dtypes, "
                               f"got {self}")
        return r


def _by_name(name):
    return _NAMES[name]


bool_ = dtype("bool", np.bool_, _BOOL, "BoolTensor")
uint8 = dtype("uint8", np.uint8, _INT, "ByteTensor")
int8 = dtype("int8", np.int8, _INT, "CharTensor")
int16 = dtype("int16", np.int16, _INT, "ShortTensor")
int32 = dtype("int32", np.int32, _INT, "IntTensor")
int64 = dtype("int64", np.int64, _INT, "LongTensor")
float16 = dtype("float16", np.float16, _FLOAT, "HalfTensor")
float32 = dtype("float32", np.float32, _FLOAT, "FloatTensor")
float64 = dtype("float64", np.float64, _FLOAT, "DoubleTensor")
complex64 = dtype("complex64", np.complex64, _COMPLEX, "ComplexFloatTensor")
complex128 = dtype("complex128", np.complex128, _COMPLEX, "ComplexDoubleTensor")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64,
       complex128)
_TO_REAL = {complex64: float32, complex128: float64}
_TO_COMPLEX = {float32: complex64, float64: complex128}
_NAMES = {d.name: d for d in ALL}
# aliases PyTorch accepts
_ALIASES = {"half": float16, "float": float32, "double": float64, "short": int16,
            "int": int32, "long": int64, "bool": bool_, "byte": uint8, "char": int8,
            "cfloat": complex64, "cdouble": complex128}
_NAMES.update(_ALIASES)
_FROM_NP = {d.np: d for d in ALL}

# PyTorch's promotion lattice within a category; cross-category is decided by the category.
_INT_ORDER = {uint8: 0, int8: 0, int16: 1, int32: 2, int64: 3}


def _promote_pair(a, b):
    if a is b:
        return a
    if a._cat != b._cat:
        hi, lo = (a, b) if a._cat > b._cat else (b, a)
        if hi._cat == _COMPLEX and lo._cat == _FLOAT:
            # complex64 with float64 needs complex128; float16 never widens complex64
            return complex128 if lo is float64 else hi
        return hi
    if a._cat >= _FLOAT:
        return a if a.itemsize >= b.itemsize else b
    if a._cat == _BOOL:
        return a
    # integers: uint8 with a signed type needs the next wider signed type
    if a is uint8 or b is uint8:
        other = b if a is uint8 else a
        return {int8: int16, int16: int16, int32: int32, int64: int64}[other]
    return a if _INT_ORDER[a] >= _INT_ORDER[b] else b


_PROMOTE = {(a, b): _promote_pair(a, b) for a in ALL for b in ALL}

_default = [float32]


def _default_complex():
    """The dtype of a Python complex: complex128 when the default float dtype is float64,
    else complex64 (ember has no complex32)."""
    return complex128 if _default[0] is float64 else complex64


def get_default_dtype():
    """Return the current default floating point dtype (``ember.float32`` at start).

    >>> import ember
    >>> ember.get_default_dtype()
    ember.float32
    """
    return _default[0]


def set_default_dtype(d):
    """Set the default floating point dtype (float16, float32 or float64)."""
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def as_dtype(d):
    """Turn a dtype-like (ember dtype, NumPy dtype, Python type, name) into an ember dtype."""
    if type(d) is dtype:
        return d
    if d is float:
        return float64
    if d is complex:
        return complex128
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str):
        r = _NAMES.get(d.replace("torch.", "").replace("ember.", ""))
        if r is not None:
            return r
    try:
        r = _FROM_NP.get(np.dtype(d))
    except TypeError:
        r = None
    if r is None:
        raise TypeError(f"ember does not support the dtype {d!r}")
    return r


def from_numpy_dtype(npdt):
    r = _FROM_NP.get(npdt)
    if r is None:
        if isinstance(npdt, np.dtype) and not npdt.isnative and npdt.newbyteorder("=") in _FROM_NP:
            raise ValueError("given numpy array has byte order different from the native byte "
                             "order. Conversion between byte orders is currently not supported.")
        raise TypeError(f"can't convert np.ndarray of type {npdt}. The only supported types are: "
                        "float64, float32, float16, complex64, complex128, int64, int32, int16, "
                        "int8, uint8, and bool.")
    return r


def promote_types(type1, type2):
    """The smallest dtype both ``type1`` and ``type2`` can be cast to (PyTorch's lattice).

    >>> import ember
    >>> ember.promote_types(ember.uint8, ember.int8)
    ember.int16
    """
    return _PROMOTE[as_dtype(type1), as_dtype(type2)]


def scalar_category(x):
    if isinstance(x, bool):
        return _BOOL
    if isinstance(x, int):
        return _INT
    if isinstance(x, float):
        return _FLOAT
    if isinstance(x, complex):
        return _COMPLEX
    if isinstance(x, np.generic):
        return from_numpy_dtype(x.dtype)._cat
    raise TypeError(f"expected a Tensor or a number, got {type(x).__name__}")


_CAT_DEFAULT = {_BOOL: bool_, _INT: int64}


def _combine(hi, lo):
    """PyTorch's combination of the result of a higher priority class (``hi``) with that
    of a lower one (``lo``): only a higher category in ``lo`` changes the result, and a
    complex ``lo`` keeps the precision of a floating ``hi``."""
    if hi is None:
        return lo
    if lo is None or lo._cat <= hi._cat:
        return hi
    if lo._cat == _COMPLEX and hi._cat == _FLOAT:
        return hi.to_complex()
    return lo


def result_type_dtypes(dims, zeros, scalar_cats):
    """Promotion over three priority classes: dimensioned tensors' dtypes, zero-dim
    tensors' dtypes, and Python scalars' categories."""
    out = None
    for d in dims:
        out = d if out is None else _PROMOTE[out, d]
    z = None
    for d in zeros:
        z = d if z is None else _PROMOTE[z, d]
    if z is not None:
        out = _combine(out, z)
    if scalar_cats:
        c = max(scalar_cats)
        if out is None or c > out._cat:
            if c == _FLOAT:
                w = _default[0]
            elif c == _COMPLEX:
                w = _default_complex()
            else:
                w = _CAT_DEFAULT[c]
            out = _combine(out, w)
    return out


def result_type(tensor1, tensor2):
    """The dtype PyTorch's arithmetic would give for two operands (tensors or numbers).

    >>> import ember
    >>> ember.result_type(ember.tensor([1, 2], dtype=ember.int32), 2.5)
    ember.float32
    """
    from ._tensor import Tensor
    dims, zeros, cats = [], [], []
    for x in (tensor1, tensor2):
        if isinstance(x, Tensor):
            (dims if x._data.ndim else zeros).append(x.dtype)
        else:
            cats.append(scalar_category(x))
    return result_type_dtypes(dims, zeros, cats)


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow an in-place result of ``from_`` into ``to``.

    >>> import ember
    >>> ember.can_cast(ember.float32, ember.int32)
    False
    """
    from_, to = as_dtype(from_), as_dtype(to)
    return from_._cat <= to._cat


class finfo:
    """Machine limits of a floating point dtype (``ember.finfo(ember.float32).eps``)."""

    def __init__(self, type=None):
        d = as_dtype(type) if type is not None else _default[0]
        if d._cat < _FLOAT:
            raise TypeError(f"ember.finfo() requires a floating point input type, got {d}")
        d = d.to_real()       # a complex dtype has the limits of its parts, as in PyTorch
        f = np.finfo(d.np)
        self.bits, self.eps, self.max, self.min = f.bits, float(f.eps), float(f.max), float(f.min)
        self.tiny = self.smallest_normal = float(f.tiny)
        self.resolution, self.dtype = float(f.resolution), d.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:e}, max={self.max:e}, "
                f"eps={self.eps:e}, smallest_normal={self.tiny:e}, tiny={self.tiny:e}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (``ember.iinfo(ember.int32).max``)."""

    def __init__(self, type):
        d = as_dtype(type)
        if d._cat >= _FLOAT:
            raise TypeError(f"ember.iinfo() requires an integer input type, got {d}")
        f = np.iinfo(d.np) if d is not bool_ else None
        self.bits = d.itemsize * 8
        self.max = int(f.max) if f else 1
        self.min = int(f.min) if f else 0
        self.dtype = d.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


cfloat, cdouble = complex64, complex128
