"""Array backends, one per device type. Everything above this package asks a tensor for
its array namespace (``xp``) instead of naming NumPy, so a CuPy backend can slot in."""
import numpy as np

from . import cpu

__all__ = ["get_array_module", "cpu"]


def get_array_module(*arrays):
    """The array namespace for these arrays (NumPy on the CPU).

    >>> import numpy as np
    >>> get_array_module(np.zeros(2)) is np
    True
    """
    return np
