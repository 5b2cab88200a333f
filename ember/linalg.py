"""``ember.linalg``: the ``torch.linalg`` namespace (functions live in ``ember/ops/linalg.py``).

>>> import ember
>>> ember.linalg.det(ember.tensor([[2., 1.], [1., 2.]]))
tensor(3.)
"""
from .ops.linalg import LinAlgError, det, inverse as inv, linalg_cross as cross, matmul
from .ops.linalg import linalg_norm as norm, matrix_norm, multi_dot, slogdet, solve, vecdot
from .ops.linalg import vector_norm

__all__ = ["LinAlgError", "inv", "det", "slogdet", "matmul", "cross", "multi_dot", "vecdot",
           "solve", "diagonal", "norm", "vector_norm", "matrix_norm"]


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of a batch of matrices (a view, as ``ember.diagonal``)."""
    return A.diagonal(offset=offset, dim1=dim1, dim2=dim2)
