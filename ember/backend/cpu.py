"""The CPU backend: NumPy, plus helpers for kernels that are not one NumPy call."""
import numpy as np

xp = np

try:
    from numpy._core.umath import _extobj_contextvar as _ERRCV
    from numpy._core.umath import _make_extobj
    _IGNORE_ALL = _make_extobj(all="ignore")
except Exception:  # pragma: no cover - NumPy moved its internals: fall back to np.errstate
    _ERRCV = None


def quiet(f):
    """Run ``f`` with NumPy's floating point warnings off (PyTorch gives inf/nan silently).

    Sets NumPy's own error-state context variable (what ``np.errstate`` does, without the
    object and its checks), so it is thread- and context-safe."""
    if _ERRCV is None:  # pragma: no cover
        def g(*args, **kw):
            with np.errstate(all="ignore"):
                return f(*args, **kw)
    else:
        cv_set, cv_reset = _ERRCV.set, _ERRCV.reset

        def g(*args, **kw):
            tok = cv_set(_IGNORE_ALL)
            try:
                return f(*args, **kw)
            finally:
                cv_reset(tok)
    g.__name__, g.__doc__, g.__wrapped__ = f.__name__, f.__doc__, f
    return g


def as_strided(a, shape, strides_elems, offset_elems=0):
    """A strided view of ``a``'s memory with element strides (PyTorch's convention)."""
    isz = a.itemsize
    return np.lib.stride_tricks.as_strided(
        a.reshape(-1)[offset_elems:] if offset_elems else a,
        shape=shape, strides=tuple(s * isz for s in strides_elems))
