"""The CPU backend: NumPy, plus helpers for kernels that are not one NumPy call."""
import os

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


# --- BLAS threads ------------------------------------------------------------------------
_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
            "openblas_get_num_threads64_", "openblas_get_num_threads")
_blas = []


def _blas_functions():
    """``(set, get)`` of the OpenBLAS that NumPy loaded (found through the process's memory
    map, as threadpoolctl does), or ``(None, None)`` where there is none to find."""
    if _blas:
        return _blas[0]
    found = (None, None)
    try:
        import ctypes
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
        for path in sorted(paths):
            lib = ctypes.CDLL(path)
            s = next((getattr(lib, n) for n in _SETTERS if hasattr(lib, n)), None)
            g = next((getattr(lib, n) for n in _GETTERS if hasattr(lib, n)), None)
            if s is not None and g is not None:
                s.argtypes, s.restype, g.restype = [ctypes.c_int], None, ctypes.c_int
                found = (s, g)
                break
    except OSError:
        pass
    _blas.append(found)
    return found


_requested = []


def set_blas_threads(n):
    """Let NumPy's OpenBLAS use ``n`` threads; False where its BLAS cannot be reached."""
    _requested[:] = [int(n)]
    s, _ = _blas_functions()
    if s is None:
        return False
    s(int(n))
    return True


def get_blas_threads():
    """The threads NumPy's OpenBLAS uses now, or None where its BLAS cannot be reached."""
    _, g = _blas_functions()
    return None if g is None else int(g())


def num_threads():
    """ember's CPU thread count: OpenBLAS's, else the last one set, else the core count."""
    n = get_blas_threads()
    if n is None:
        n = _requested[0] if _requested else (os.cpu_count() or 1)
    return n


# --- masks -----------------------------------------------------------------------------------
_INT_OF = {2: np.int16, 4: np.int32, 8: np.int64}


def keep_where(g, keep):
    """``g`` where the bool array ``keep`` is set, +0 elsewhere, exactly (inf and NaN
    included): an AND with an all-ones/all-zeros bit mask, several times faster than
    ``np.where`` on a random mask."""
    it = _INT_OF.get(g.dtype.itemsize) if g.dtype.kind == "f" else None
    if it is None or keep.shape != g.shape:
        return np.where(keep, g, g.dtype.type(0))
    r = np.empty(g.shape, dtype=g.dtype)
    ri = r.view(it)
    np.negative(keep.view(np.int8), out=ri)            # 0 or -1 (all bits set)
    np.bitwise_and(ri, g.view(it), out=ri)
    return r
