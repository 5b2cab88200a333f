"""The CPU backend: NumPy, plus helpers for kernels that are not one NumPy call."""
import numpy as np

xp = np


def as_strided(a, shape, strides_elems, offset_elems=0):
    """A strided view of ``a``'s memory with element strides (PyTorch's convention)."""
    isz = a.itemsize
    return np.lib.stride_tricks.as_strided(
        a.reshape(-1)[offset_elems:] if offset_elems else a,
        shape=shape, strides=tuple(s * isz for s in strides_elems))
