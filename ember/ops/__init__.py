"""The ops: one module per family; each defines its ops (forward + backward) and the
public functions and Tensor methods built on them. This package collects them:
``FUNCTIONS`` go into the ``ember`` namespace, ``METHODS`` onto :class:`ember.Tensor`."""
from .._tensor import Tensor
from . import (comparison, complex, copy, creation, ctc, elementwise, fft, indexing,
               linalg, nn, reduction, search, shape)
from ._dispatch import Op, apply, binary, inplace

_FAMILIES = [copy, creation, elementwise, reduction, shape, comparison, indexing, linalg,
             search, complex, fft, nn, ctc]

FUNCTIONS = {}
for _m in _FAMILIES:
    for _name in _m.__all__:
        FUNCTIONS[_name] = getattr(_m, _name)
    for _name, _fn in getattr(_m, "METHODS", {}).items():
        setattr(Tensor, _name, _fn)

__all__ = ["Op", "apply", "binary", "inplace", "FUNCTIONS"]
