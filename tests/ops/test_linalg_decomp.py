"""Parity of the matrix decompositions and what is built on them (ember/ops/linalg.py,
ember.linalg) with torch: qr, svd/svdvals, eigh/eigvalsh, cholesky (+ex, solve, inverse),
solve / solve_triangular / triangular_solve, pinv, matrix_rank, lstsq, matrix_power,
matrix_norm / norm / cond with the spectral orders, cdist.

Factors are unique only up to signs (the columns of Q, U, V and eigenvectors), so values and
gradients are compared through quantities that do not depend on them: reconstructions,
``U diag(w) V^T``, projectors ``V diag(w) V^T``, sign-normalised QR factors. Test matrices
have well separated singular values / eigenvalues, where the gradients are defined."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from tests.helpers import check, check_raises, gradcheck, randn

F = [np.float32, np.float64]
INF = float("inf")


def tol(dt):
    return dict(rtol=2e-4, atol=2e-5) if dt == np.float32 else dict(rtol=1e-9, atol=1e-10)


def orth(n, rng):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def well(*shape, dtype=np.float64, seed=0):
    """Matrices with singular values spread over [1, 3] (well conditioned, distinct)."""
    rng = np.random.default_rng(seed)
    *batch, m, n = shape
    k = min(m, n)
    out = np.empty(tuple(batch) + (m, n))
    for idx in np.ndindex(*batch):
        s = np.sort(np.linspace(1, 3, k) + 0.1 * rng.random(k))[::-1] if k else np.zeros(0)
        out[idx] = (orth(m, rng)[:, :k] * s) @ orth(n, rng)[:k]
    return out.astype(dtype)


def sym(*shape, dtype=np.float64, seed=0, low=-2.0):
    """Symmetric matrices with distinct eigenvalues spread over [low, low + 4]."""
    rng = np.random.default_rng(seed)
    if len(shape) == 1:
        shape = shape * 2
    *batch, n, _ = shape
    out = np.empty(tuple(batch) + (n, n))
    for idx in np.ndindex(*batch):
        lam = np.linspace(low, low + 4, n) + 0.05 * rng.random(n)
        q = orth(n, rng)
        out[idx] = (q * lam) @ q.T
    return out.astype(dtype)


def spd(*shape, dtype=np.float64, seed=0):
    return sym(*shape, dtype=dtype, seed=seed, low=1.0)


def upper(n, dtype=np.float64, seed=0, batch=()):
    a = randn(*batch, n, n, dtype=np.float64, seed=seed)
    return (np.triu(a) + 3 * np.eye(n)).astype(dtype)


def _w(M, k, dt):
    return M.from_numpy(np.arange(1.0, k + 1).astype(dt))


# --- QR ---------------------------------------------------------------------------------------
def qr_norm(M, a, mode="reduced", fn=None):
    """Q and R with the signs fixed (diag(R) > 0): unique, so comparable."""
    q, r = fn(a) if fn else M.linalg.qr(a, mode=mode)
    k = min(a.shape[-2], a.shape[-1])
    d = r.detach()[..., :k, :k].diagonal(dim1=-2, dim2=-1).sign()
    return q[..., :k] * d.unsqueeze(-2), r[..., :k, :] * d.unsqueeze(-1)


QR_SHAPES = [(4, 3), (3, 4), (3, 3), (1, 1), (2, 5, 3), (2, 1, 3, 5)]


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("shape", QR_SHAPES)
def test_qr_values_and_grads(shape, dt):
    a = well(*shape, dtype=dt)
    check(lambda M, x: qr_norm(M, x), a, **tol(dt))
    check(lambda M, x: M.linalg.qr(x).Q @ M.linalg.qr(x).R, a, **tol(dt))
    if shape[-2] <= shape[-1]:        # complete == reduced: differentiable
        check(lambda M, x: qr_norm(M, x, "complete"), a, **tol(dt))


@pytest.mark.parametrize("dt", F)
def test_qr_modes_shapes_dtypes(dt):
    a = well(5, 3, dtype=dt)
    for mode in ("reduced", "complete", "r"):
        e = ember.linalg.qr(ember.from_numpy(a), mode=mode)
        t = torch.linalg.qr(torch.from_numpy(a), mode=mode)
        assert type(e).__name__ == type(t).__name__ == "linalg_qr"
        assert e.Q.shape == t.Q.shape and e.R.shape == t.R.shape
        assert e.Q.dtype == ember.float32 if dt == np.float32 else ember.float64
        np.testing.assert_allclose(np.abs(e.R.numpy()), np.abs(t.R.numpy()), **tol(dt))
    # complete Q is orthogonal and reproduces A
    q, r = ember.linalg.qr(ember.from_numpy(a), mode="complete")
    np.testing.assert_allclose((q.mT @ q).numpy(), np.eye(5), atol=1e-5)
    np.testing.assert_allclose((q @ r).numpy(), a, **tol(dt))
    # the older API (deprecated: warns)
    with pytest.warns(UserWarning, match="deprecated"):
        ember.qr(ember.from_numpy(a))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda M, x: qr_norm(M, x, fn=lambda y: M.qr(y)), a, **tol(dt))
        check(lambda M, x: qr_norm(M, x, fn=lambda y: M.qr(y, some=False)), well(3, 5),
              **tol(dt))
        check(lambda M, x: qr_norm(M, x, fn=lambda y: y.qr()), a, **tol(dt))
        assert type(ember.qr(ember.from_numpy(a))).__name__ == "qr"


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (2, 0, 3)])
def test_qr_empty(shape):
    for mode in ("reduced", "complete"):
        check(lambda M, x, mode=mode: tuple(M.linalg.qr(x, mode=mode)), np.zeros(shape), grad=False)


def test_qr_backward_errors():
    def r_mode(M, x):
        return M.linalg.qr(x.requires_grad_(), mode="r").R.sum().backward()

    def complete_tall(M, x):
        return M.linalg.qr(x.requires_grad_(), mode="complete").Q.sum().backward()
    for fn in (r_mode, complete_tall):
        e, t = check_raises(fn, well(4, 3))
        assert str(e) == str(t)
    # differentiable through R alone when Q is computed
    check(lambda M, x: M.linalg.qr(x).R.abs(), well(4, 3))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
def test_qr_gradcheck(shape):
    gradcheck(lambda M, x: qr_norm(M, x), well(*shape), gradgrad=True)


# --- SVD --------------------------------------------------------------------------------------
def svd_inv(M, a, full=False, fn=None):
    """S and sign-free functions of U and V: U diag(w) Vh, U diag(w) U^T, V diag(w) V^T."""
    u, s, vh = fn(a) if fn else M.linalg.svd(a, full_matrices=full)
    k = s.shape[-1]
    u, vh = u[..., :k], vh[..., :k, :]
    w = _w(M, k, a.detach().numpy().dtype)
    return s, (u * w) @ vh, (u * w) @ u.mT, (vh.mT * w) @ vh


SVD_SHAPES = [(4, 3), (3, 4), (3, 3), (1, 1), (5, 1), (2, 4, 3), (2, 1, 3, 5)]


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("shape", SVD_SHAPES)
def test_svd_values_and_grads(shape, full, dt):
    check(lambda M, x: svd_inv(M, x, full), well(*shape, dtype=dt), **tol(dt))


@pytest.mark.parametrize("dt", F)
def test_svd_shapes_dtypes_and_reconstruction(dt):
    a = well(2, 5, 3, dtype=dt)
    for full in (True, False):
        e = ember.linalg.svd(ember.from_numpy(a), full_matrices=full)
        t = torch.linalg.svd(torch.from_numpy(a), full_matrices=full)
        assert type(e).__name__ == type(t).__name__ == "linalg_svd"
        assert e._fields == ("U", "S", "Vh")
        for x, y in zip(e, t):
            assert tuple(x.shape) == tuple(y.shape) and str(x.dtype)[6:] == str(y.dtype)[6:]
        u = e.U.numpy()
        np.testing.assert_allclose(np.swapaxes(u, -1, -2) @ u,
                                   np.broadcast_to(np.eye(u.shape[-1]), (2,) + (u.shape[-1],) * 2),
                                   atol=1e-5)
        np.testing.assert_allclose((e.U[..., :3] * e.S.unsqueeze(-2) @ e.Vh).numpy(), a,
                                   **tol(dt))


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3), (0, 3), (3, 0), (2, 0, 0)])
def test_svdvals(shape, dt):
    a = well(*shape, dtype=dt)
    check(lambda M, x: M.linalg.svdvals(x), a, **tol(dt))
    check(lambda M, x: M.linalg.svdvals(x), a, grad=False, **tol(dt))
    with ember.no_grad():
        assert ember.linalg.svdvals(ember.from_numpy(a).requires_grad_()).grad_fn is None


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (2, 0, 3)])
def test_svd_empty(shape):
    for full in (True, False):
        check(lambda M, x, full=full: tuple(M.linalg.svd(x, full_matrices=full)), np.zeros(shape),
              grad=False)


@pytest.mark.parametrize("dt", F)
def test_torch_svd_old_api(dt):
    a = well(4, 3, dtype=dt)
    check(lambda M, x: svd_inv(M, x, fn=lambda y: (lambda r: (r.U, r.S, r.V.mT))(M.svd(y))),
          a, **tol(dt))
    check(lambda M, x: svd_inv(M, x, fn=lambda y: (lambda r: (r.U, r.S, r.V.mT))(
        M.svd(y, some=False))), a, **tol(dt))
    check(lambda M, x: svd_inv(M, x, fn=lambda y: (lambda r: (r[0], r[1], r[2].mT))(y.svd())),
          well(3, 5, dtype=dt), **tol(dt))
    # compute_uv=False: zero U (m, m) and V (n, n), differentiable S
    check(lambda M, x: tuple(M.svd(x, compute_uv=False)), a, **tol(dt))
    e, t = ember.svd(ember.from_numpy(a)), torch.svd(torch.from_numpy(a))
    assert type(e).__name__ == type(t).__name__ == "svd" and e._fields == ("U", "S", "V")
    assert e.V.shape == t.V.shape == (3, 3)


def test_svd_gauge_invariant_losses():
    """The gradients of S.sum() and (U diag(S) Vh).sum() (= A.sum()) as torch's."""
    check(lambda M, x: M.linalg.svd(x, full_matrices=False).S.sum(), well(5, 3))
    check(lambda M, x: (lambda r: (r.U * r.S.unsqueeze(-2)) @ r.Vh)(
        M.linalg.svd(x, full_matrices=False)).sum(), well(3, 5))
    a = ember.from_numpy(well(3, 4)).requires_grad_()
    u, s, vh = ember.linalg.svd(a, full_matrices=False)
    ((u * s.unsqueeze(-2)) @ vh).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), np.ones((3, 4)), atol=1e-12)


@pytest.mark.parametrize("shape", [(3, 2), (2, 3), (2, 2, 2)])
def test_svd_gradcheck(shape):
    gradcheck(lambda M, x: svd_inv(M, x), well(*shape), gradgrad=True)
    gradcheck(lambda M, x: M.linalg.svdvals(x), well(*shape), gradgrad=True)
    if shape == (3, 2):
        gradcheck(lambda M, x: svd_inv(M, x, True), well(*shape))


# --- symmetric eigendecomposition ------------------------------------------------------------
def eigh_inv(M, a, uplo="L"):
    lam, v = M.linalg.eigh(a, UPLO=uplo)
    w = _w(M, lam.shape[-1], a.detach().numpy().dtype)
    return lam, (v * w) @ v.mT, v.abs().amax(-2)


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (4, 4), (2, 3, 3), (2, 1, 4, 4)])
def test_eigh_values_and_grads(shape, dt):
    a = sym(*shape, dtype=dt)
    check(lambda M, x: eigh_inv(M, x), a, **tol(dt))
    check(lambda M, x: M.linalg.eigvalsh(x), a, **tol(dt))
    # only one triangle is read: the other may hold anything
    junk = a + np.triu(randn(*shape, dtype=dt, seed=3), 1)
    check(lambda M, x: eigh_inv(M, x, "L"), junk, **tol(dt))
    check(lambda M, x: M.linalg.eigvalsh(x, UPLO="U"), np.swapaxes(junk, -1, -2).copy(),
          **tol(dt))


def test_eigh_result_type_and_eigenvector_gauge():
    a = sym(4)
    e = ember.linalg.eigh(ember.from_numpy(a))
    t = torch.linalg.eigh(torch.from_numpy(a))
    assert type(e).__name__ == "linalg_eigh" and e._fields == ("eigenvalues", "eigenvectors")
    np.testing.assert_allclose(np.abs(e.eigenvectors.numpy()), np.abs(t.eigenvectors.numpy()),
                               atol=1e-10)
    np.testing.assert_allclose((e.eigenvectors * e.eigenvalues.unsqueeze(-2)
                                @ e.eigenvectors.mT).numpy(), a, atol=1e-10)
    check(lambda M, x: tuple(M.linalg.eigh(x)), np.zeros((0, 0)), grad=False)
    check(lambda M, x: M.linalg.eigvalsh(x), np.zeros((2, 0, 0)), grad=False)


@pytest.mark.parametrize("n", [2, 3])
def test_eigh_gradcheck(n):
    gradcheck(lambda M, x: eigh_inv(M, x + x.mT)[:2], sym(n), gradgrad=True)
    gradcheck(lambda M, x: M.linalg.eigvalsh(x + x.mT), sym(n), gradgrad=True)


# --- Cholesky and what uses it ---------------------------------------------------------------
@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 4, 4), (2, 1, 3, 3)])
def test_cholesky_values_and_grads(shape, dt):
    a = spd(*shape, dtype=dt)
    check(lambda M, x: M.linalg.cholesky(x), a, **tol(dt))
    check(lambda M, x: M.linalg.cholesky(x, upper=True), a, **tol(dt))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda M, x: x.cholesky(), a, **tol(dt))
    check(lambda M, x: tuple(M.linalg.cholesky_ex(x)), a, **tol(dt))
    # only the lower (upper) triangle is read
    check(lambda M, x: M.linalg.cholesky(x), np.tril(a), **tol(dt))
    check(lambda M, x: M.linalg.cholesky(x, upper=True), np.triu(a), **tol(dt))


def test_cholesky_old_api_warns():
    a = spd(3)
    with pytest.warns(UserWarning, match="deprecated"):
        ember.cholesky(ember.from_numpy(a))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda M, x: M.cholesky(x, upper=True), a)
        check(lambda M, x: M.cholesky(x), spd(2, 3, 3))


def test_cholesky_not_positive_definite():
    bad = spd(3) - 3 * np.eye(3)          # eigenvalues around -2 .. 2
    e, t = check_raises(lambda M, x: M.linalg.cholesky(x), bad)
    assert isinstance(e, ember.linalg.LinAlgError) and isinstance(e, RuntimeError)
    assert str(e) == str(t)
    batch = np.stack([spd(3), -np.eye(3), np.diag([1.0, -1.0, 1.0])])
    e, t = check_raises(lambda M, x: M.linalg.cholesky(x), batch)
    assert str(e) == str(t)
    e, t = check_raises(lambda M, x: M.linalg.cholesky(x, upper=True),
                        np.array([[4.0, 100.0], [1.0, 5.0]]))
    assert str(e) == str(t)
    e, t = check_raises(lambda M, x: M.linalg.cholesky(x), np.full((2, 2), np.nan))
    assert str(e) == str(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e, t = check_raises(lambda M, x: M.cholesky(x), bad)
    assert str(e) == str(t)
    # cholesky_ex reports instead of raising
    for x in (bad, batch):
        info_e = ember.linalg.cholesky_ex(ember.from_numpy(x)).info
        info_t = torch.linalg.cholesky_ex(torch.from_numpy(x)).info
        assert info_e.dtype == ember.int32
        np.testing.assert_array_equal(info_e.numpy(), info_t.numpy())
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.cholesky_ex(ember.from_numpy(bad), check_errors=True)
    # the factor of a failed matrix: the columns done, the failing pivot, the rest of A
    failing = np.array([[4.0, 2.0, 1.0], [2.0, -3.0, 0.0], [1.0, 0.0, 5.0]])
    check(lambda M, x: tuple(M.linalg.cholesky_ex(x)), np.stack([failing, spd(3)]), grad=False)


def test_cholesky_gradcheck():
    def fn(M, x, upper=False):
        return M.linalg.cholesky(x @ x.mT + 3 * M.eye(3, dtype=x.dtype), upper=upper)
    gradcheck(fn, randn(3, 3, dtype=np.float64, seed=1), gradgrad=True)
    gradcheck(lambda M, x: fn(M, x, True), randn(3, 3, dtype=np.float64, seed=2), gradgrad=True)


@pytest.mark.parametrize("dt", F)
def test_cholesky_solve_and_inverse(dt):
    lo = np.linalg.cholesky(spd(3)).astype(dt)
    b = randn(3, 2, dtype=dt)
    check(lambda M, L, B: M.cholesky_solve(B, L), lo, b, **tol(dt))
    check(lambda M, L, B: M.cholesky_solve(B, L, upper=True), lo.T.copy(), b, **tol(dt))
    check(lambda M, L, B: B.cholesky_solve(L), lo, randn(2, 3, 4, dtype=dt), **tol(dt))
    check(lambda M, L, B: M.cholesky_solve(B, L), np.stack([lo, lo * 2]), b, **tol(dt))
    check(lambda M, L: M.cholesky_inverse(L), lo, **tol(dt))
    check(lambda M, L: L.cholesky_inverse(upper=True), lo.T.copy(), **tol(dt))
    check(lambda M, L: M.cholesky_inverse(L), np.stack([lo, lo * 2]), **tol(dt))


def test_cholesky_solve_gradcheck():
    lo = np.linalg.cholesky(spd(3))
    gradcheck(lambda M, L, B: M.cholesky_solve(B, L.tril()), lo, randn(3, 2, dtype=np.float64),
              gradgrad=True)
    gradcheck(lambda M, L: M.cholesky_inverse(L.tril()), lo, gradgrad=True)


# --- solves -----------------------------------------------------------------------------------
SOLVE_CASES = [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (2, 3)),
               ((2, 3, 3), (3, 4)), ((3, 3), (2, 3, 4)), ((2, 1, 3, 3), (4, 3, 2)),
               ((2, 3, 3), (3, 3)), ((1, 1), (1,)), ((0, 0), (0,)), ((2, 0, 0), (2, 0, 3))]


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("sa,sb", SOLVE_CASES)
def test_solve_values_and_grads(sa, sb, dt):
    a, b = well(*sa, dtype=dt), randn(*sb, dtype=dt)
    check(lambda M, x, y: M.linalg.solve(x, y), a, b, **tol(dt))


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("sa,sb", [((3, 3), (2, 3)), ((2, 3, 3), (4, 3)), ((3, 3), (2, 5, 3))])
def test_solve_right(sa, sb, dt):
    check(lambda M, x, y: M.linalg.solve(x, y, left=False), well(*sa, dtype=dt),
          randn(*sb, dtype=dt), **tol(dt))


def test_solve_singular_and_grad_fn():
    e, t = check_raises(lambda M, a, b: M.linalg.solve(a, b), np.zeros((3, 3)), np.ones(3))
    assert isinstance(e, ember.linalg.LinAlgError) and str(e) == str(t)
    batch = np.stack([well(3, 3), np.ones((3, 3))])
    e, t = check_raises(lambda M, a, b: M.linalg.solve(a, b), batch, np.ones((3, 2)))
    assert str(e) == str(t)
    e, t = check_raises(lambda M, a, b: M.linalg.solve(a, b), np.zeros((3, 3)),
                        np.ones((2, 3, 4)))
    assert str(e) == str(t)
    e, t = check_raises(lambda M, a: M.linalg.inv(a), np.stack([well(3, 3), np.zeros((3, 3))]))
    assert str(e) == str(t)
    e, t = check_raises(lambda M, a: M.linalg.inv(a), np.array([[1., 2.], [2., 4.]]))
    assert str(e) == str(t)
    for M in (ember, torch):
        a = M.from_numpy(well(3, 3)).requires_grad_()
        assert M.linalg.solve(a, M.ones(3, dtype=M.float64)).grad_fn.name() == \
            "LinalgSolveExBackward0"


def test_solve_gradcheck():
    a = well(3, 3)
    gradcheck(lambda M, x, y: M.linalg.solve(x, y), a, randn(3, 2, dtype=np.float64),
              gradgrad=True)
    gradcheck(lambda M, x, y: M.linalg.solve(x, y), a, randn(3, dtype=np.float64),
              gradgrad=True)
    gradcheck(lambda M, x, y: M.linalg.solve(x, y, left=False), well(2, 2, 2),
              randn(3, 2, dtype=np.float64), gradgrad=True)


TRI_CASES = [((3, 3), (3, 2), dict(upper=True)), ((3, 3), (3, 2), dict(upper=False)),
             ((3, 3), (2, 3), dict(upper=True, left=False)),
             ((3, 3), (3, 4), dict(upper=False, unitriangular=True)),
             ((2, 3, 3), (3, 1), dict(upper=True)), ((3, 3), (2, 3, 2), dict(upper=False)),
             ((2, 1, 3, 3), (4, 2, 3), dict(upper=True, left=False, unitriangular=True)),
             ((0, 0), (0, 2), dict(upper=True))]


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("sa,sb,kw", TRI_CASES)
def test_solve_triangular(sa, sb, kw, dt):
    a = randn(*sa, dtype=dt, seed=4) + 3 * np.eye(sa[-1], dtype=dt)
    b = randn(*sb, dtype=dt)
    check(lambda M, x, y: M.linalg.solve_triangular(x, y, **kw), a, b, **tol(dt))


def test_solve_triangular_singular_and_dtype():
    z = np.array([[1., 2., 3.], [0., 0., 1.], [0., 0., 1.]])
    check(lambda M, a, b: M.linalg.solve_triangular(a, b, upper=True), z, np.ones((3, 2)),
          grad=False)
    check(lambda M, a, b: M.linalg.solve_triangular(a, b, upper=True), np.zeros((3, 3)),
          np.ones((3, 2)), grad=False)
    # the result takes A's dtype
    for da, db in ((np.float32, np.float64), (np.float64, np.float32)):
        check(lambda M, a, b: M.linalg.solve_triangular(a, b, upper=True), upper(3, da),
              randn(3, 2, dtype=db), grad=False, rtol=1e-5, atol=1e-6)


def test_triangular_solve_old_api():
    a, b = upper(3), randn(3, 2, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda M, x, y: tuple(M.triangular_solve(y, x)), a, b)
        check(lambda M, x, y: tuple(M.triangular_solve(y, x, transpose=True)), a, b)
        check(lambda M, x, y: tuple(y.triangular_solve(x.mT, upper=False,
                                                       unitriangular=True)), a, b)
        check(lambda M, x, y: tuple(M.triangular_solve(y, x)), a,
              randn(2, 3, 2, dtype=np.float64))
        r = ember.triangular_solve(ember.from_numpy(b), ember.from_numpy(a))
    assert type(r).__name__ == "triangular_solve"
    with pytest.warns(UserWarning, match="deprecated"):
        ember.triangular_solve(ember.from_numpy(b), ember.from_numpy(a))


def test_solve_triangular_gradcheck():
    a = upper(3)
    for kw in (dict(upper=True), dict(upper=False, left=False),
               dict(upper=True, unitriangular=True)):
        x = a if kw["upper"] else a.T.copy()
        gradcheck(lambda M, p, q, kw=kw: M.linalg.solve_triangular(p, q, **kw), x,
                  randn(3, 3, dtype=np.float64, seed=5), gradgrad=True)


# --- pseudo-inverse, rank, least squares ------------------------------------------------------
@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 5, 2), (2, 1, 2, 4)])
def test_pinv_values_and_grads(shape, dt):
    a = well(*shape, dtype=dt)
    check(lambda M, x: M.linalg.pinv(x), a, **tol(dt))
    check(lambda M, x: M.pinverse(x), a, **tol(dt))
    check(lambda M, x: x.pinverse(), a, **tol(dt))


@pytest.mark.parametrize("dt", F)
def test_pinv_tolerances_and_rank_deficient(dt):
    a = well(4, 3, dtype=dt)               # singular values in [1, 3.1]
    lowrank = (randn(4, 2, dtype=dt) @ randn(2, 5, dtype=dt))
    for kw in (dict(), dict(atol=2.0), dict(rtol=0.5), dict(atol=0.5, rtol=0.9),
               dict(rcond=0.6), dict(hermitian=False, rtol=0.0)):
        check(lambda M, x, kw=kw: M.linalg.pinv(x, **kw), a, grad=False, **tol(dt))
    check(lambda M, x: M.linalg.pinv(x, 0.6), a, grad=False, **tol(dt))
    check(lambda M, x: M.pinverse(x, rcond=0.6), a, grad=False, **tol(dt))
    check(lambda M, x: M.linalg.pinv(x), lowrank, grad=False, rtol=1e-3, atol=1e-4)
    check(lambda M, x: M.linalg.pinv(x), np.zeros((2, 3), dt), grad=False)
    check(lambda M, x: M.linalg.pinv(x), np.zeros((0, 3), dt), grad=False)
    # tensor tolerances, one per matrix of the batch
    b = well(2, 3, 3, dtype=dt)
    check(lambda M, x: M.linalg.pinv(x, atol=M.tensor([0.0, 2.5], dtype=M.float64)), b,
          grad=False, **tol(dt))


@pytest.mark.parametrize("dt", F)
def test_pinv_hermitian(dt):
    a = sym(3, 3, dtype=dt)
    check(lambda M, x: M.linalg.pinv(x, hermitian=True), a, **tol(dt))
    check(lambda M, x: M.linalg.pinv(x, hermitian=True, atol=1.5), sym(2, 4, 4, dtype=dt),
          grad=False, **tol(dt))


def test_pinv_gradcheck():
    gradcheck(lambda M, x: M.linalg.pinv(x), well(4, 3), gradgrad=True)
    gradcheck(lambda M, x: M.linalg.pinv(x), well(2, 4), gradgrad=True)
    gradcheck(lambda M, x: M.linalg.pinv(x + x.mT, hermitian=True), sym(3, 3) / 2,
              gradgrad=True)


@pytest.mark.parametrize("dt", F)
def test_matrix_rank(dt):
    lowrank = randn(3, 4, 2, dtype=dt) @ randn(3, 2, 5, dtype=dt)
    a = well(2, 4, 3, dtype=dt)
    for x in (lowrank, a, np.zeros((2, 3), dt), np.ones((3, 4), dt), np.zeros((0, 3), dt)):
        check(lambda M, y: M.linalg.matrix_rank(y), x, grad=False)
    for kw in (dict(atol=1.5), dict(rtol=0.5), dict(atol=1.0, rtol=0.1), dict(tol=2.0)):
        check(lambda M, y, kw=kw: M.linalg.matrix_rank(y, **kw), a, grad=False)
    check(lambda M, y: M.linalg.matrix_rank(y, 1.5), a, grad=False)
    check(lambda M, y: M.linalg.matrix_rank(y, atol=M.tensor([0.5, 10.0])), a, grad=False)
    check(lambda M, y: M.linalg.matrix_rank(y, hermitian=True), sym(2, 4, 4, dtype=dt),
          grad=False)
    check(lambda M, y: M.linalg.matrix_rank(y, hermitian=True, atol=1.0),
          sym(2, 4, 4, dtype=dt), grad=False)


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("sa,sb", [((5, 3), (5, 2)), ((5, 3), (5,)), ((2, 5, 3), (2, 5)),
                                   ((3, 3), (3, 4)), ((2, 4, 3), (1, 4, 2)),
                                   ((3, 5), (3, 2))])
def test_lstsq(sa, sb, driver, dt):
    a, b = well(*sa, dtype=dt), randn(*sb, dtype=dt)
    check(lambda M, x, y: tuple(M.linalg.lstsq(x, y, driver=driver)), a, b, rtol=1e-3,
          atol=1e-4)


def test_lstsq_rank_deficient_and_rcond():
    a = np.ones((5, 3))
    b = randn(5, 2, dtype=np.float64)
    check(lambda M, x, y: tuple(M.linalg.lstsq(x, y, driver="gelsd")), a, b, grad=False,
          rtol=1e-6, atol=1e-6)
    check(lambda M, x, y: tuple(M.linalg.lstsq(x, y, rcond=0.8, driver="gelss")), well(5, 3),
          b, grad=False)
    check(lambda M, x, y: tuple(M.linalg.lstsq(x, y, 0.1)), well(5, 3), b, grad=False)
    e = ember.linalg.lstsq(ember.from_numpy(well(5, 3)), ember.from_numpy(b))
    assert type(e).__name__ == "linalg_lstsq"
    assert e._fields == ("solution", "residuals", "rank", "singular_values")


def test_lstsq_gradcheck():
    gradcheck(lambda M, x, y: M.linalg.lstsq(x, y).solution, well(4, 3),
              randn(4, 2, dtype=np.float64), gradgrad=True)


# --- matrix_power -----------------------------------------------------------------------------
@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("n", [-3, -1, 0, 1, 2, 3, 6])
@pytest.mark.parametrize("shape", [(3, 3), (2, 2, 2), (0, 0)])
def test_matrix_power(shape, n, dt):
    a = (well(*shape, dtype=np.float64) / 2).astype(dt)
    check(lambda M, x: M.linalg.matrix_power(x, n), a, **tol(dt))
    check(lambda M, x: M.matrix_power(x, n), a, **tol(dt))
    check(lambda M, x: x.matrix_power(n), a, **tol(dt))


def test_matrix_power_ints_and_gradcheck():
    a = np.array([[1, 2], [0, 1]], dtype=np.int64)
    for n in (0, 1, 2, 5):
        check(lambda M, x, n=n: M.linalg.matrix_power(x, n), a)
    check(lambda M, x: M.linalg.matrix_power(x, 3), a.astype(np.int32))
    gradcheck(lambda M, x: M.linalg.matrix_power(x, 3), well(3, 3) / 2, gradgrad=True)
    gradcheck(lambda M, x: M.linalg.matrix_power(x, -2), well(2, 2, 2), gradgrad=True)


# --- norms and condition numbers --------------------------------------------------------------
NORM_CASES = [(2, (3, 4), {}), (-2, (4, 3), {}), ("nuc", (3, 3), {}),
              (2, (2, 3, 4), dict(keepdim=True)), ("nuc", (2, 3, 4), dict(dim=(0, 2))),
              (-2, (2, 3, 4), dict(dim=(2, 0), keepdim=True)), (2, (1, 1), {}),
              ("nuc", (2, 3, 4), dict(dim=(-1, -3), keepdim=True))]


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("ord,shape,kw", NORM_CASES)
def test_matrix_norm_spectral(ord, shape, kw, dt):
    a = randn(*shape, dtype=dt, seed=7)
    check(lambda M, x: M.linalg.matrix_norm(x, ord, **kw), a, **tol(dt))
    if "dim" in kw or len(shape) == 2:
        check(lambda M, x: M.linalg.norm(x, ord, **kw), a, **tol(dt))


def test_matrix_norm_spectral_empty_and_dtype():
    check(lambda M, x: M.linalg.matrix_norm(x, 2), np.zeros((0, 3)), grad=False)
    check(lambda M, x: M.linalg.matrix_norm(x, "nuc"), np.zeros((2, 0, 3)), grad=False)
    check_raises(lambda M, x: M.linalg.matrix_norm(x, -2), np.zeros((0, 3)))
    check(lambda M, x: M.linalg.matrix_norm(x, 2, dtype=M.float64), randn(3, 3))
    check(lambda M, x: M.linalg.norm(x, 2), randn(3, 4))
    check(lambda M, x: M.linalg.norm(x, "nuc", dim=(0, 1)), randn(3, 4, 2))


def test_matrix_norm_gradcheck():
    for ord in (2, -2, "nuc"):
        gradcheck(lambda M, x, o=ord: M.linalg.matrix_norm(x, o), well(2, 3, 2), gradgrad=True)


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, INF, -INF])
def test_cond(p):
    a = well(3, 3)
    # torch's own backward of cond fails for the norms that go through the inverse
    grad = p in (None, 2, -2, "nuc")
    check(lambda M, x: M.linalg.cond(x, p), a, rtol=1e-7, atol=1e-8, grad=grad)
    check(lambda M, x: M.linalg.cond(x, p), a.astype(np.float32), rtol=1e-4, atol=1e-5,
          grad=grad)
    gradcheck(lambda M, x: M.linalg.cond(x, p), a, gradgrad=True)
    batch = np.stack([a, np.zeros((3, 3)), np.diag([1.0, 0.0, 2.0])])
    check(lambda M, x: M.linalg.cond(x, p), batch, grad=False)
    check(lambda M, x: M.linalg.cond(x, p), np.zeros((0, 0)), grad=False)
    if p in (None, 2, -2):
        check(lambda M, x: M.linalg.cond(x, p), well(2, 3, 5), grad=False)
        check(lambda M, x: M.linalg.cond(x, p), np.ones((2, 3)), grad=False)


# --- cdist ------------------------------------------------------------------------------------
CDIST_SHAPES = [((4, 3), (5, 3)), ((2, 4, 3), (5, 3)), ((2, 1, 4, 3), (3, 5, 3)),
                ((1, 3), (1, 3)), ((0, 3), (2, 3)), ((3, 0), (2, 0)), ((2, 3, 2), (2, 0, 2))]


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 2.0, 3.0, INF])
@pytest.mark.parametrize("sa,sb", CDIST_SHAPES)
def test_cdist(sa, sb, p, dt):
    check(lambda M, x, y: M.cdist(x, y, p=p), randn(*sa, dtype=dt), randn(*sb, dtype=dt),
          **tol(dt))


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist_if_necessary",
                                  "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"])
def test_cdist_compute_modes(mode, dt):
    for sa, sb in (((30, 4), (6, 4)), ((2, 5, 4), (27, 4)), ((3, 4), (2, 4))):
        check(lambda M, x, y: M.cdist(x, y, compute_mode=mode), randn(*sa, dtype=dt),
              randn(*sb, dtype=dt), rtol=1e-3 if dt == np.float32 else 1e-8, atol=1e-4)


def test_cdist_duplicate_points_and_ties():
    x = np.array([[0.0, 1.0], [2.0, 2.0]])
    y = np.array([[0.0, 1.0], [1.0, 1.0], [3.0, 3.0]])
    for p in (0.0, 0.5, 1.0, 2.0, 3.0, INF):
        check(lambda M, a, b, p=p: M.cdist(a, b, p=p,
                                           compute_mode="donot_use_mm_for_euclid_dist"), x, y)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, INF])
def test_cdist_gradcheck(p):
    a = randn(3, 2, dtype=np.float64, seed=8)
    b = randn(2, 4, 2, dtype=np.float64, seed=9)
    gradcheck(lambda M, x, y: M.cdist(x, y, p=p), a, b, gradgrad=True)
    if p == 2.0:
        gradcheck(lambda M, x, y: M.cdist(x, y, compute_mode="use_mm_for_euclid_dist"), a, b,
                  gradgrad=True)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 3), st.integers(1, 4), st.integers(1, 4), st.integers(0, 3),
       st.sampled_from([1.0, 2.0, INF]), st.data())
def test_cdist_broadcast_hypothesis(nb, pp, r, m, p, data):
    batch = [data.draw(st.integers(1, 3)) for _ in range(nb)]
    ba = [s if data.draw(st.booleans()) else 1 for s in batch]
    bb = [s if data.draw(st.booleans()) else 1 for s in batch][data.draw(st.integers(0, nb)):]
    check(lambda M, x, y: M.cdist(x, y, p=p), randn(*ba, pp, m), randn(*bb, r, m), rtol=1e-4,
          atol=1e-5)


# --- shapes fuzzed against torch --------------------------------------------------------------
@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(1, 2), max_size=2), st.integers(1, 4), st.integers(1, 4),
       st.integers(0, 1000))
def test_decompositions_shapes_hypothesis(batch, m, n, seed):
    a = well(*batch, m, n, seed=seed)
    check(lambda M, x: svd_inv(M, x), a, rtol=1e-7, atol=1e-8)
    check(lambda M, x: qr_norm(M, x), a, rtol=1e-7, atol=1e-8)
    check(lambda M, x: M.linalg.pinv(x), a, rtol=1e-7, atol=1e-8)
    s = sym(*batch, n, n, seed=seed)
    check(lambda M, x: eigh_inv(M, x)[:2], s, rtol=1e-7, atol=1e-8)
    check(lambda M, x: M.linalg.cholesky(x), spd(*batch, n, n, seed=seed), rtol=1e-7,
          atol=1e-8)


# --- namespaces, result types, grad_fn names --------------------------------------------------
def test_namespaces_and_methods():
    for name in ["qr", "svd", "svdvals", "eigh", "eigvalsh", "cholesky", "cholesky_ex", "pinv",
                 "matrix_rank", "matrix_power", "lstsq", "solve", "solve_triangular",
                 "matrix_norm", "norm", "cond"]:
        assert hasattr(torch.linalg, name) and hasattr(ember.linalg, name), name
    for name in ["svd", "qr", "cholesky", "pinverse", "cdist", "matrix_power",
                 "cholesky_solve", "cholesky_inverse", "triangular_solve"]:
        assert hasattr(torch, name) and hasattr(ember, name), name
    for name in ["svd", "qr", "cholesky", "pinverse", "matrix_power", "cholesky_solve",
                 "cholesky_inverse", "triangular_solve"]:
        assert hasattr(torch.Tensor, name) and hasattr(ember.Tensor, name), name


def test_grad_fn_names():
    names = {}
    for M in (ember, torch):
        a = M.from_numpy(well(3, 3)).requires_grad_()
        s = M.from_numpy(spd(3)).requires_grad_()
        names[M] = [M.linalg.qr(a).Q.grad_fn.name(), M.linalg.svd(a).S.grad_fn.name(),
                    M.linalg.svdvals(a).grad_fn.name(), M.linalg.eigh(s)[0].grad_fn.name(),
                    M.linalg.eigvalsh(s).grad_fn.name(), M.linalg.cholesky(s).grad_fn.name(),
                    M.linalg.pinv(a).grad_fn.name(),
                    M.linalg.solve_triangular(a, a, upper=True).grad_fn.name(),
                    M.cdist(a, a).grad_fn.name()]
    assert names[ember] == names[torch]


def test_removed_functions_raise():
    a = np.eye(2)
    check_raises(lambda M, x: M.solve(x, x), a, match="removed")
    check_raises(lambda M, x: M.lstsq(x, x), a, match="removed")
    check_raises(lambda M, x: M.symeig(x), a, match="removed")
    check_raises(lambda M, x: M.eig(x), a, match="removed")
    check_raises(lambda M, x: M.matrix_rank(x), a, match="removed")
    check_raises(lambda M, x: x.solve(x), a, match="removed")


def test_float32_stays_float32():
    a = ember.from_numpy(well(4, 3, dtype=np.float32))
    s = ember.from_numpy(spd(3, dtype=np.float32))
    outs = [*ember.linalg.qr(a), *ember.linalg.svd(a), ember.linalg.svdvals(a),
            *ember.linalg.eigh(s), ember.linalg.cholesky(s), ember.linalg.pinv(a),
            ember.linalg.solve(s, a[:3]), ember.linalg.matrix_norm(a, 2),
            ember.linalg.lstsq(a, a).solution, ember.cdist(a, a, p=3)]
    assert all(o.dtype == ember.float32 for o in outs)


# --- errors -----------------------------------------------------------------------------------
def f32(*s):
    return randn(*s)


def i64(*s):
    return np.ones(s, np.int64)


def f16(*s):
    return np.ones(s, np.float16)


ERRORS = [
    # qr
    ("qr_1d", lambda M, a: M.linalg.qr(a), [f32(3)]),
    ("qr_int", lambda M, a: M.linalg.qr(a), [i64(3, 3)]),
    ("qr_half", lambda M, a: M.linalg.qr(a), [f16(3, 3)]),
    ("qr_mode", lambda M, a: M.linalg.qr(a, mode="x"), [f32(3, 3)]),
    ("qr_old_1d", lambda M, a: M.qr(a), [f32(3)]),
    ("qr_not_tensor", lambda M: M.linalg.qr([[1.0]]), []),
    # svd
    ("svd_1d", lambda M, a: M.linalg.svd(a), [f32(3)]),
    ("svd_0d", lambda M, a: M.svd(a), [np.array(1.0, np.float32)]),
    ("svd_int", lambda M, a: M.linalg.svd(a), [i64(3, 3)]),
    ("svd_bool", lambda M, a: M.linalg.svdvals(a), [np.ones((3, 3), bool)]),
    ("svd_half", lambda M, a: M.linalg.svd(a), [f16(3, 3)]),
    ("svd_nan", lambda M, a: M.linalg.svd(a), [np.full((2, 3, 3), np.nan, np.float32)]),
    ("svdvals_nan", lambda M, a: M.linalg.svdvals(a), [np.full((3, 3), np.nan)]),
    ("svd_old_int", lambda M, a: M.svd(a), [i64(3, 3)]),
    ("svd_driver", lambda M, a: M.linalg.svd(a, driver="gesvd"), [f32(3, 3)]),
    ("svdvals_driver", lambda M, a: M.linalg.svdvals(a, driver="gesvd"), [f32(3, 3)]),
    # eigh
    ("eigh_rect", lambda M, a: M.linalg.eigh(a), [f32(3, 4)]),
    ("eigh_1d", lambda M, a: M.linalg.eigvalsh(a), [f32(3)]),
    ("eigh_int", lambda M, a: M.linalg.eigh(a), [i64(3, 3)]),
    ("eigh_half", lambda M, a: M.linalg.eigvalsh(a), [f16(3, 3)]),
    ("eigh_uplo", lambda M, a: M.linalg.eigh(a, UPLO="X"), [f32(3, 3)]),
    ("eigh_nan", lambda M, a: M.linalg.eigh(a), [np.full((3, 3), np.nan)]),
    # cholesky
    ("chol_rect", lambda M, a: M.linalg.cholesky(a), [f32(3, 4)]),
    ("chol_1d", lambda M, a: M.linalg.cholesky_ex(a), [f32(3)]),
    ("chol_int", lambda M, a: M.linalg.cholesky(a), [i64(3, 3)]),
    ("chol_half", lambda M, a: M.linalg.cholesky(a), [f16(3, 3)]),
    ("chol_solve_1d", lambda M, b, a: M.cholesky_solve(b, a),
     [f32(3), np.eye(3, dtype=np.float32)]),
    ("chol_solve_size", lambda M, b, a: M.cholesky_solve(b, a),
     [f32(4, 2), np.eye(3, dtype=np.float32)]),
    ("chol_solve_rect", lambda M, b, a: M.cholesky_solve(b, a), [f32(3, 2), f32(3, 4)]),
    ("chol_solve_dtype", lambda M, b, a: M.cholesky_solve(b, a),
     [randn(3, 2, dtype=np.float64), np.eye(3, dtype=np.float32)]),
    ("chol_solve_int", lambda M, b, a: M.cholesky_solve(b, a), [i64(3, 2), i64(3, 3)]),
    ("chol_solve_batch", lambda M, b, a: M.cholesky_solve(b, a),
     [f32(2, 3, 2), np.eye(3, dtype=np.float32)[None].repeat(3, 0)]),
    ("chol_inv_1d", lambda M, a: M.cholesky_inverse(a), [f32(3)]),
    ("chol_inv_rect", lambda M, a: M.cholesky_inverse(a), [f32(3, 4)]),
    ("chol_inv_int", lambda M, a: M.cholesky_inverse(a), [i64(3, 3)]),
    # solve
    ("solve_rect", lambda M, a, b: M.linalg.solve(a, b), [f32(3, 4), f32(3, 2)]),
    ("solve_1d", lambda M, a, b: M.linalg.solve(a, b), [f32(3), f32(3, 2)]),
    ("solve_b0d", lambda M, a, b: M.linalg.solve(a, b), [f32(3, 3), np.array(1.0, np.float32)]),
    ("solve_shape", lambda M, a, b: M.linalg.solve(a, b), [f32(3, 3), f32(4)]),
    ("solve_shape2", lambda M, a, b: M.linalg.solve(a, b), [f32(3, 3), f32(2, 4)]),
    ("solve_right_vec", lambda M, a, b: M.linalg.solve(a, b, left=False), [f32(3, 3), f32(3)]),
    ("solve_right", lambda M, a, b: M.linalg.solve(a, b, left=False), [f32(3, 3), f32(3, 2)]),
    ("solve_right_vec1", lambda M, a, b: M.linalg.solve(a, b, left=False), [f32(1, 1), f32(1)]),
    ("solve_batch", lambda M, a, b: M.linalg.solve(a, b), [f32(2, 3, 3), f32(4, 3, 1)]),
    ("solve_dtype", lambda M, a, b: M.linalg.solve(a, b),
     [f32(3, 3), randn(3, dtype=np.float64)]),
    ("solve_int", lambda M, a, b: M.linalg.solve(a, b), [i64(3, 3), f32(3)]),
    ("solve_half", lambda M, a, b: M.linalg.solve(a, b), [f16(3, 3), f16(3)]),
    ("solve_scalar", lambda M, a: M.linalg.solve(a, 3), [f32(3, 3)]),
    ("tri_b1d", lambda M, a, b: M.linalg.solve_triangular(a, b, upper=True), [f32(3, 3), f32(3)]),
    ("tri_shape", lambda M, a, b: M.linalg.solve_triangular(a, b, upper=True),
     [f32(3, 3), f32(2, 3)]),
    ("tri_rect", lambda M, a, b: M.linalg.solve_triangular(a, b, upper=True),
     [f32(3, 4), f32(3, 2)]),
    ("tri_int", lambda M, a, b: M.linalg.solve_triangular(a, b, upper=True),
     [i64(3, 3), i64(3, 2)]),
    ("tri_half", lambda M, a, b: M.linalg.solve_triangular(a, b, upper=True),
     [f16(3, 3), f16(3, 2)]),
    ("tri_no_upper", lambda M, a, b: M.linalg.solve_triangular(a, b), [f32(3, 3), f32(3, 2)]),
    ("tri_batch", lambda M, a, b: M.linalg.solve_triangular(a, b, upper=True),
     [f32(2, 3, 3), f32(4, 3, 2)]),
    ("tri_old_1d", lambda M, b, a: M.triangular_solve(b, a), [f32(3), f32(3, 3)]),
    # pinv, rank, lstsq
    ("pinv_1d", lambda M, a: M.linalg.pinv(a), [f32(3)]),
    ("pinv_int", lambda M, a: M.linalg.pinv(a), [i64(3, 3)]),
    ("pinv_half", lambda M, a: M.pinverse(a), [f16(3, 3)]),
    ("pinv_herm_rect", lambda M, a: M.linalg.pinv(a, hermitian=True), [f32(3, 4)]),
    ("pinv_nan", lambda M, a: M.linalg.pinv(a), [np.full((2, 3), np.nan)]),
    ("rank_1d", lambda M, a: M.linalg.matrix_rank(a), [f32(3)]),
    ("rank_int", lambda M, a: M.linalg.matrix_rank(a), [i64(3, 3)]),
    ("rank_herm_rect", lambda M, a: M.linalg.matrix_rank(a, hermitian=True), [f32(3, 4)]),
    ("lstsq_1d", lambda M, a, b: M.linalg.lstsq(a, b), [f32(5), f32(5)]),
    ("lstsq_rows", lambda M, a, b: M.linalg.lstsq(a, b), [f32(5, 3), f32(4, 2)]),
    ("lstsq_driver", lambda M, a, b: M.linalg.lstsq(a, b, driver="foo"), [f32(5, 3), f32(5, 2)]),
    ("lstsq_dims", lambda M, a, b: M.linalg.lstsq(a, b), [f32(5, 3), f32(2, 5, 2)]),
    ("lstsq_batch", lambda M, a, b: M.linalg.lstsq(a, b), [f32(2, 5, 3), f32(5, 2)]),
    ("lstsq_dtype", lambda M, a, b: M.linalg.lstsq(a, b),
     [f32(5, 3), randn(5, 2, dtype=np.float64)]),
    ("lstsq_int", lambda M, a, b: M.linalg.lstsq(a, b), [i64(5, 3), i64(5, 2)]),
    ("lstsq_half", lambda M, a, b: M.linalg.lstsq(a, b), [f16(5, 3), f16(5, 2)]),
    # matrix_power, norms, cond
    ("mpow_rect", lambda M, a: M.linalg.matrix_power(a, 2), [f32(3, 4)]),
    ("mpow_1d", lambda M, a: M.matrix_power(a, 2), [f32(3)]),
    ("mpow_float_n", lambda M, a: M.linalg.matrix_power(a, 2.0), [f32(3, 3)]),
    ("mpow_int_neg", lambda M, a: M.linalg.matrix_power(a, -1), [i64(3, 3)]),
    ("mpow_singular", lambda M, a: M.linalg.matrix_power(a, -1), [np.zeros((3, 3), np.float32)]),
    ("mpow_bool", lambda M, a: M.linalg.matrix_power(a, 2), [np.ones((3, 3), bool)]),
    ("mnorm_half", lambda M, a: M.linalg.matrix_norm(a, 2), [f16(3, 3)]),
    ("mnorm_int", lambda M, a: M.linalg.matrix_norm(a, "nuc"), [i64(3, 3)]),
    ("mnorm_1d", lambda M, a: M.linalg.matrix_norm(a, -2), [f32(3)]),
    ("mnorm_ord", lambda M, a: M.linalg.matrix_norm(a, 3), [f32(3, 3)]),
    ("mnorm_dims", lambda M, a: M.linalg.matrix_norm(a, 2, dim=(0, 0)), [f32(3, 3)]),
    ("norm_3d", lambda M, a: M.linalg.norm(a, 2), [f32(2, 3, 3)]),
    ("cond_1d", lambda M, a: M.linalg.cond(a), [f32(3)]),
    ("cond_ord", lambda M, a: M.linalg.cond(a, 3), [f32(3, 3)]),
    ("cond_rect", lambda M, a: M.linalg.cond(a, "fro"), [f32(2, 3)]),
    ("cond_int", lambda M, a: M.linalg.cond(a), [i64(3, 3)]),
    # cdist
    ("cdist_1d", lambda M, a, b: M.cdist(a, b), [f32(3), f32(5, 3)]),
    ("cdist_cols", lambda M, a, b: M.cdist(a, b), [f32(3, 4), f32(5, 3)]),
    ("cdist_p", lambda M, a, b: M.cdist(a, b, p=-1), [f32(3, 4), f32(5, 4)]),
    ("cdist_int", lambda M, a, b: M.cdist(a, b), [i64(3, 4), i64(5, 4)]),
    ("cdist_dtype", lambda M, a, b: M.cdist(a, b), [f32(3, 4), randn(5, 4, dtype=np.float64)]),
    ("cdist_mode", lambda M, a, b: M.cdist(a, b, compute_mode="foo"), [f32(3, 4), f32(5, 4)]),
    ("cdist_batch", lambda M, a, b: M.cdist(a, b), [f32(2, 3, 4), f32(3, 5, 4)]),
    ("cdist_half", lambda M, a, b: M.cdist(a, b), [f16(3, 4), f16(5, 4)]),
]


@pytest.mark.parametrize("name,fn,arrays", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn, arrays):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e, t = check_raises(fn, *arrays)
    if isinstance(t, torch.linalg.LinAlgError):
        assert isinstance(e, ember.linalg.LinAlgError), name
    assert str(e).split("\n")[0][:40] == str(t).split("\n")[0][:40] or name in (
        "qr_not_tensor", "eigh_nan", "svdvals_nan", "mpow_singular", "solve_scalar",
        "tri_no_upper", "cond_int", "svd_nan"), (str(e), str(t))
