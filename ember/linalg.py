"""``ember.linalg``: the ``torch.linalg`` namespace (functions live in ``ember/ops/linalg.py``).

>>> import ember
>>> ember.linalg.det(ember.tensor([[2., 1.], [1., 2.]]))
tensor(3.)
"""
from .ops.linalg import LinAlgError, cholesky_ex, cond, det, eigh, eigvalsh, inverse as inv
from .ops.linalg import linalg_cholesky as cholesky, linalg_cross as cross
from .ops.linalg import linalg_lstsq as lstsq, linalg_matrix_rank as matrix_rank
from .ops.linalg import linalg_norm as norm, linalg_qr as qr, linalg_solve as solve
from .ops.linalg import linalg_svd as svd, matmul, matrix_norm, matrix_power, multi_dot, pinv
from .ops.linalg import slogdet, solve_triangular, svdvals, vecdot, vector_norm

__all__ = ["LinAlgError", "inv", "det", "slogdet", "matmul", "cross", "multi_dot", "vecdot",
           "solve", "solve_triangular", "diagonal", "norm", "vector_norm", "matrix_norm",
           "qr", "svd", "svdvals", "eigh", "eigvalsh", "cholesky", "cholesky_ex", "pinv",
           "matrix_rank", "matrix_power", "lstsq", "cond"]


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of a batch of matrices (a view, as ``ember.diagonal``)."""
    return A.diagonal(offset=offset, dim1=dim1, dim2=dim2)
