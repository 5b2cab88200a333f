"""Parity of the matrix ops (ember/ops/linalg.py, ember.linalg) with torch: values, dtypes,
shapes, gradients, float64 finite-difference gradients (first and second order) and errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import ember
from tests.helpers import check, check_raises, gradcheck, randint, randn

F = [np.float32, np.float64]


def sq(n, dtype=np.float64, seed=None):
    """A well-conditioned square matrix (or batch: n is a shape)."""
    shape = (n, n) if isinstance(n, int) else tuple(n)
    a = randn(*shape, dtype=dtype, seed=seed)
    return (a + 3 * np.eye(shape[-1], dtype=dtype)).astype(dtype)


# --- matmul family: values, dtypes, gradients ---------------------------------------------------
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
                 ((5, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)), ((1, 2, 3), (4, 3, 2)),
                 ((0, 3), (3, 2)), ((2, 0), (0, 3)), ((3, 2, 0), (0,)), ((4, 2, 3), (1, 3, 5)),
                 ((3, 2, 0), (0, 5)), ((0, 2, 3), (3, 4)), ((2, 0, 3), (3, 4))]


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_values_and_grads(sa, sb, dt):
    check(lambda M, a, b: M.matmul(a, b), randn(*sa, dtype=dt), randn(*sb, dtype=dt),
          rtol=1e-4 if dt == np.float32 else 1e-6, atol=1e-5)
    check(lambda M, a, b: a @ b, randn(*sa, dtype=dt), randn(*sb, dtype=dt), rtol=1e-4,
          atol=1e-5)


@pytest.mark.parametrize("dt", [np.int64, np.int32])
@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                                   ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4))])
def test_matmul_int(sa, sb, dt):
    check(lambda M, a, b: M.matmul(a, b), randint(-5, 5, *sa, dtype=dt),
          randint(-5, 5, *sb, dtype=dt))


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.data())
def test_matmul_broadcast_hypothesis(na, nb, n, k, m, data):
    nbatch = max(na, nb) - 2
    batch = [data.draw(st.integers(1, 3)) for _ in range(max(nbatch, 0))]

    def bshape(nd):
        if nd <= 2:
            return []
        own = batch[len(batch) - (nd - 2):]
        return [s if data.draw(st.booleans()) else 1 for s in own]
    sa = tuple(bshape(na)) + ((n, k) if na >= 2 else (k,))
    sb = tuple(bshape(nb)) + ((k, m) if nb >= 2 else (k,))
    check(lambda M, a, b: M.matmul(a, b), randn(*sa), randn(*sb), rtol=1e-4, atol=1e-5)


def test_matmul_keeps_float32_and_calls_blas_shapes():
    a, b = randn(64, 32), randn(32, 16)
    r = ember.matmul(ember.from_numpy(a), ember.from_numpy(b))
    assert r.dtype == ember.float32
    # the same float32 BLAS call, no float64 upcast (BLAS threading may reorder the last bit)
    np.testing.assert_allclose(r.numpy(), a @ b, rtol=1e-5, atol=1e-5)
    assert not np.allclose(r.numpy(), (a.astype(np.float64) @ b.astype(np.float64)),
                           rtol=1e-12, atol=0)
    x = randn(4, 8, 32)
    r3 = ember.from_numpy(x) @ ember.from_numpy(b)
    assert r3.dtype == ember.float32
    np.testing.assert_allclose(r3.numpy(), x @ b, rtol=1e-5, atol=1e-5)


def test_matmul_grad_fn_names():
    names = {}
    for M in (ember, torch):
        a = M.ones(2, 3, requires_grad=True)
        v = M.ones(3, requires_grad=True)
        names[M] = [M.mm(a, M.ones(3, 2)).grad_fn.name(), M.matmul(v, v).grad_fn.name(),
                    M.mv(a, v).grad_fn.name(), M.matmul(a, v).grad_fn.name(),
                    M.trace(M.ones(2, 2, requires_grad=True)).grad_fn.name(),
                    M.inverse(M.eye(2).requires_grad_()).grad_fn.name(),
                    M.det(M.eye(2).requires_grad_()).grad_fn.name()]
    assert names[ember] == names[torch]


@pytest.mark.parametrize("dt", F)
def test_mm_bmm_mv_dot_vdot(dt):
    check(lambda M, a, b: M.mm(a, b), randn(3, 4, dtype=dt), randn(4, 2, dtype=dt), rtol=1e-5)
    check(lambda M, a, b: a.mm(b), randn(1, 4, dtype=dt), randn(4, 1, dtype=dt))
    check(lambda M, a, b: M.bmm(a, b), randn(2, 3, 4, dtype=dt), randn(2, 4, 5, dtype=dt))
    check(lambda M, a, b: a.bmm(b), randn(0, 3, 4, dtype=dt), randn(0, 4, 5, dtype=dt))
    check(lambda M, a, b: M.mv(a, b), randn(3, 4, dtype=dt), randn(4, dtype=dt))
    check(lambda M, a, b: a.mv(b), randn(0, 4, dtype=dt), randn(4, dtype=dt))
    check(lambda M, a, b: M.dot(a, b), randn(5, dtype=dt), randn(5, dtype=dt))
    check(lambda M, a, b: a.dot(b), randn(0, dtype=dt), randn(0, dtype=dt))
    check(lambda M, a, b: M.vdot(a, b), randn(5, dtype=dt), randn(5, dtype=dt))


def test_int_products():
    i = lambda *s: randint(-4, 5, *s)  # noqa: E731
    check(lambda M, a, b: M.mm(a, b), i(3, 4), i(4, 2))
    check(lambda M, a, b: M.bmm(a, b), i(2, 3, 4), i(2, 4, 2))
    check(lambda M, a, b: M.mv(a, b), i(3, 4), i(4))
    check(lambda M, a, b: M.dot(a, b), i(4), i(4))
    check(lambda M, a, b: M.outer(a, b), i(4), i(3))
    check(lambda M, a, b, c: M.addmm(a, b, c, beta=2, alpha=3), i(3), i(2, 4), i(4, 3))
    check(lambda M, a, b, c: M.addmm(a, b, c, beta=0.5, alpha=1.5), i(3), i(2, 4), i(4, 3))
    check(lambda M, a: M.trace(a), i(3, 3))
    check(lambda M, a: M.trace(a), randint(0, 2, 3, 2).astype(np.int32))
    check(lambda M, a, b: M.matmul(a, b), randint(0, 5, 3, 3, dtype=np.uint8),
          randint(0, 5, 3, 3, dtype=np.uint8))


def test_out_argument():
    for M in (ember, torch):
        o = M.empty(0)
        r = M.mm(M.ones(2, 3), M.ones(3, 4), out=o)
        assert r is o and tuple(o.shape) == (2, 4) and float(o.sum()) == 24.0


@pytest.mark.parametrize("dt", F)
def test_outer_ger_inner_addr(dt):
    check(lambda M, a, b: M.outer(a, b), randn(3, dtype=dt), randn(4, dtype=dt))
    check(lambda M, a, b: a.ger(b), randn(3, dtype=dt), randn(4, dtype=dt))
    check(lambda M, a, b: M.outer(a, b), randn(3), randn(4, dtype=np.float64))  # promotes
    check(lambda M, a, b: M.outer(a, b), randint(0, 3, 3), randn(2))
    check(lambda M, a, b: M.inner(a, b), randn(2, 3, dtype=dt), randn(4, 3, dtype=dt))
    check(lambda M, a, b: M.inner(a, b), randn(3, dtype=dt), randn(3, dtype=dt))
    check(lambda M, c, a, b: M.addr(c, a, b, beta=0.5, alpha=2), randn(3, 4, dtype=dt),
          randn(3, dtype=dt), randn(4, dtype=dt))
    check(lambda M, c, a, b: c.addr(a, b), randn(4, dtype=dt), randn(3, dtype=dt),
          randn(4, dtype=dt))


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("cs", [(3,), (2, 3), (2, 1), (1,), ()])
@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1), (2, 0)])
def test_addmm(cs, beta, alpha, dt):
    check(lambda M, c, a, b: M.addmm(c, a, b, beta=beta, alpha=alpha), randn(*cs, dtype=dt),
          randn(2, 4, dtype=dt), randn(4, 3, dtype=dt), rtol=1e-5)


def test_addmm_beta_zero_ignores_nan():
    c = np.full((2, 3), np.nan, np.float32)
    check(lambda M, c, a, b: M.addmm(c, a, b, beta=0), c, randn(2, 4), randn(4, 3), grad=False)


@pytest.mark.parametrize("dt", F)
def test_addmv_baddbmm_addbmm(dt):
    check(lambda M, c, a, b: M.addmv(c, a, b, beta=0.5, alpha=2), randn(3, dtype=dt),
          randn(3, 4, dtype=dt), randn(4, dtype=dt))
    check(lambda M, c, a, b: M.addmv(c, a, b), randn(1, dtype=dt), randn(3, 4, dtype=dt),
          randn(4, dtype=dt))
    for cs in [(3,), (1, 3), (2, 2, 3), (2, 1, 1)]:
        check(lambda M, c, a, b: M.baddbmm(c, a, b, beta=0.5, alpha=2), randn(*cs, dtype=dt),
              randn(2, 2, 4, dtype=dt), randn(2, 4, 3, dtype=dt))
    check(lambda M, c, a, b: M.addbmm(c, a, b), randn(2, 3, dtype=dt),
          randn(4, 2, 5, dtype=dt), randn(4, 5, 3, dtype=dt))
    check(lambda M, c, a, b: c.addbmm(a, b, beta=3, alpha=0.5), randn(3, dtype=dt),
          randn(4, 2, 5, dtype=dt), randn(4, 5, 3, dtype=dt))


def test_inplace_variants():
    def f(M, c, a, b, v, x, y, z):
        c = c * 1
        c.addmm_(a, b, beta=0.5, alpha=2)
        v = v * 1
        v.addmv_(a, b[:, 0])
        x = x * 1
        x.baddbmm_(y, z)
        t = (c * 1).tril_(1)
        u = (c * 1).triu_(-1)
        return c, v, x, t, u
    check(f, randn(2, 3), randn(2, 4), randn(4, 3), randn(2), randn(2, 2, 2), randn(2, 2, 3),
          randn(2, 3, 2))
    check(lambda M, c, a, b: (c * 1).addbmm_(a, b), randn(2, 3), randn(4, 2, 5), randn(4, 5, 3))
    check(lambda M, c, a, b: (c * 1).addr_(a, b), randn(2, 3), randn(2), randn(3))


# --- einsum ----------------------------------------------------------------------------------
EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
    ("ii->", [(4, 4)]), ("ij->ji", [(3, 4)]), ("ij->", [(3, 4)]),
    ("ij->j", [(3, 4)]), ("i,i->", [(5,), (5,)]), ("i,j->ij", [(3,), (4,)]), ("i,j", [(3,), (4,)]),
    ("...ij->...ji", [(2, 3, 4)]), ("i...->...", [(2, 3, 4)]), ("...i,...i", [(2, 3), (5, 1, 3)]),
    ("ba", [(3, 4)]), ("Ba", [(3, 4)]), ("i,i->i", [(1,), (3,)]), ("ij,j->i", [(3, 4), (4,)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ii,ij->j", [(3, 3), (3, 4)]), ("iij->j", [(3, 3, 2)]),
    ("aij,ajk->ik", [(3, 4, 5), (3, 5, 2)]),
    ("ab,cd->", [(2, 3), (4, 5)]), ("...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)]), ("", [()]),
    ("->", [()]), ("i j , j k -> i k", [(2, 3), (3, 4)]), ("...,...->...", [(2,), ()]),
    ("ijk,ikl->ijl", [(20, 30, 8), (20, 8, 25)]), ("ij,kj->ik", [(40, 50), (60, 50)]),
    ("bij,jk->bik", [(4, 30, 40), (40, 20)]), ("ij,ij->i", [(50, 90), (50, 90)]),
]


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("eq,shapes", EINSUM)
def test_einsum(eq, shapes, dt):
    check(lambda M, *xs: M.einsum(eq, *xs), *[randn(*s, dtype=dt) for s in shapes], rtol=1e-4,
          atol=1e-5)


def test_einsum_list_and_sublist_and_int():
    check(lambda M, a, b: M.einsum("ij,jk->ik", [a, b]), randn(2, 3), randn(3, 2))
    check(lambda M, a, b: M.einsum(a, [0, 1], b, [1, 2], [0, 2]), randn(2, 3), randn(3, 4))
    check(lambda M, a, b: M.einsum(a, [Ellipsis, 0], b, [Ellipsis, 0]), randn(2, 3), randn(3))
    i32 = lambda *s: randint(-3, 4, *s, dtype=np.int32)  # noqa: E731
    for eq, shapes in [("ij->ij", [(2, 2)]), ("ij,jk->ik", [(2, 3), (3, 2)]), ("ii->i", [(2, 2)]),
                       ("ij->ji", [(2, 3)]), ("ij->", [(2, 2)]), ("ij,ij->i", [(2, 2), (2, 2)])]:
        check(lambda M, *xs, eq=eq: M.einsum(eq, *xs), *[i32(*s) for s in shapes])
    check(lambda M, a: M.einsum("ij->j", a), randint(0, 2, 2, 3).astype(bool))


def test_einsum_result_does_not_alias_input():
    a = ember.randn(3, 3)
    r = ember.einsum("ij->ji", a)
    r[0, 1] = 100.0
    assert float(a[1, 0]) != 100.0


EINSUM_GRAD = ["ij,jk->ik", "ii->i", "ii->", "ij->j", "i,j->ij", "...ij->...ji", "...i,...i",
               "ii,ij->j", "iij->j", "bij,bjk->bik", "ij,jk,kl->il", "i,i->i"]


@pytest.mark.parametrize("eq", EINSUM_GRAD)
def test_einsum_gradcheck(eq):
    shapes = dict(EINSUM)[eq] if eq in dict(EINSUM) else {"i,i->i": [(1,), (3,)]}[eq]
    xs = [randn(*s, dtype=np.float64) for s in shapes]
    gradcheck(lambda M, *xs: M.einsum(eq, *xs), *xs)
    gradcheck(lambda M, *xs: M.einsum(eq, *[x * x for x in xs]), *xs, gradgrad=True)


def test_einsum_gradcheck_large_pair_path():
    # sizes above the threshold use the batched-matmul contraction
    gradcheck(lambda M, a, b: M.einsum("bij,bjk->bik", a, b), randn(2, 8, 20, dtype=np.float64),
              randn(2, 20, 14, dtype=np.float64))


# --- triangles, diagonals, trace -------------------------------------------------------------
@pytest.mark.parametrize("dt", F + [np.int64])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 4), (4, 2), (0, 3), (2, 0, 2)])
@pytest.mark.parametrize("k", [0, 1, -1, 5, -5])
def test_tril_triu(shape, k, dt):
    x = randn(*shape, dtype=dt) if dt != np.int64 else randint(-5, 5, *shape)
    check(lambda M, a: M.tril(a, k), x)
    check(lambda M, a: a.triu(diagonal=k), x)


def test_tril_triu_bool():
    x = randint(0, 2, 3, 4).astype(bool)
    check(lambda M, a: (M.tril(a), M.triu(a, 1)), x)


@pytest.mark.parametrize("dt", F + [np.int64])
def test_diag(dt):
    mk = (lambda *s: randn(*s, dtype=dt)) if dt != np.int64 else (lambda *s: randint(-5, 5, *s))
    for k in (0, 1, -2, 4):
        check(lambda M, a, k=k: M.diag(a, k), mk(3))
        check(lambda M, a, k=k: a.diag(k), mk(3, 4))
        check(lambda M, a, k=k: M.diag(a, diagonal=k), mk(4, 3))
    check(lambda M, a: M.diag(a), mk(0))
    check(lambda M, a: M.diag(a), mk(0, 3))


@pytest.mark.parametrize("dt", F)
def test_diag_embed(dt):
    for off, d1, d2 in [(0, -2, -1), (1, 0, 2), (-1, 2, 0), (2, 1, 0)]:
        check(lambda M, a, o=off, d1=d1, d2=d2: M.diag_embed(a, o, d1, d2), randn(2, 3, dtype=dt))
    check(lambda M, a: a.diag_embed(), randn(3, dtype=dt))


@pytest.mark.parametrize("dt", F + [np.float16])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2), (0, 0), (1, 1)])
def test_trace(shape, dt):
    check(lambda M, a: M.trace(a), randn(*shape, dtype=dt), rtol=1e-3 if dt == np.float16
          else 1e-5, grad=dt != np.float16)
    if dt != np.float16:
        check(lambda M, a: a.trace(), randn(*shape, dtype=dt))


# --- inverse, det ----------------------------------------------------------------------------
@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1), (0, 0), (2, 0, 0), (2, 1, 3, 3)])
def test_inverse_det(shape, dt):
    a = sq(shape, dtype=dt)
    tol = 1e-4 if dt == np.float32 else 1e-8
    check(lambda M, a: M.inverse(a), a, rtol=tol, atol=tol)
    check(lambda M, a: M.linalg.inv(a), a, rtol=tol, atol=tol)
    check(lambda M, a: M.det(a), a, rtol=tol, atol=tol)
    check(lambda M, a: M.linalg.det(a), a, rtol=tol, atol=tol)
    check(lambda M, a: a.inverse(), a, rtol=tol, atol=tol)


def test_det_singular():
    # values match torch; the gradient is the cofactor matrix (non-zero for rank n-1; torch
    # 2.13 returns zeros here), checked against finite differences
    a = np.array([[1., 2., 3.], [2., 4., 6.], [0., 1., 1.]])
    check(lambda M, a: M.det(a), a, atol=1e-10, grad=False)
    gradcheck(lambda M, a: M.det(a), a)
    gradcheck(lambda M, a: M.det(a), np.stack([a, sq(3)]))
    gradcheck(lambda M, a: M.det(a), np.zeros((2, 2)))
    e = ember.from_numpy(a.copy()).requires_grad_()
    ember.det(e).backward()
    cof = np.array([[-2., -2., 2.], [1., 1., -1.], [0., 0., 0.]])
    np.testing.assert_allclose(e.grad.numpy(), cof, atol=1e-12)


def test_logdet_slogdet_solve():
    a = sq(3)
    check(lambda M, a: M.logdet(a), a)
    check(lambda M, a: tuple(M.linalg.slogdet(a)), a)
    check(lambda M, a: tuple(M.slogdet(a)), -a)
    check(lambda M, a, b: M.linalg.solve(a, b), a, randn(3, dtype=np.float64))
    check(lambda M, a, b: M.linalg.solve(a, b), a, randn(3, 2, dtype=np.float64))
    check(lambda M, a, b: M.linalg.solve(a, b), sq((2, 3, 3)), randn(2, 3, dtype=np.float64))
    check(lambda M, a, b: M.linalg.solve(a, b, left=False), a, randn(2, 3, dtype=np.float64))


def test_singular_inverse_raises_linalg_error():
    z = np.zeros((3, 3), np.float32)
    e, t = check_raises(lambda M, a: M.inverse(a), z)
    assert isinstance(e, ember.linalg.LinAlgError) and "singular" in str(e)
    e, _ = check_raises(lambda M, a: M.linalg.inv(a), np.zeros((2, 3, 3), np.float32))
    assert "Batch element 0" in str(e)


# --- kron, cross, tensordot, misc ------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")
@pytest.mark.parametrize("dt", F)
def test_kron_cross_tensordot(dt):
    check(lambda M, a, b: M.kron(a, b), randn(2, 3, dtype=dt), randn(4, dtype=dt))
    check(lambda M, a, b: a.kron(b), randn(2, 3, 2, dtype=dt), randn(3, 1, dtype=dt))
    check(lambda M, a, b: M.kron(a, b), randint(0, 3, 2), randn(3, dtype=dt))
    check(lambda M, a, b: M.cross(a, b, dim=0), randn(3, 2, dtype=dt), randn(3, 2, dtype=dt))
    check(lambda M, a, b: M.linalg.cross(a, b), randn(4, 3, dtype=dt), randn(1, 3, dtype=dt))
    check(lambda M, a, b: a.cross(b, dim=-1), randn(2, 3, dtype=dt), randn(2, 3, dtype=dt))
    check(lambda M, a, b: M.tensordot(a, b), randn(2, 3, 4, dtype=dt), randn(3, 4, 5, dtype=dt),
          rtol=1e-4)
    check(lambda M, a, b: M.tensordot(a, b, dims=([1, 2], [1, 0])), randn(2, 3, 4, dtype=dt),
          randn(4, 3, 5, dtype=dt), rtol=1e-4)
    check(lambda M, a, b: M.tensordot(a, b, dims=0), randn(2, 3, dtype=dt), randn(4, dtype=dt))
    check(lambda M, a, b, c: M.linalg.multi_dot([a, b, c]), randn(3, dtype=dt),
          randn(3, 4, dtype=dt), randn(4, 2, dtype=dt), rtol=1e-4)
    check(lambda M, a, b, c: M.chain_matmul(a, b, c), randn(2, 3, dtype=dt),
          randn(3, 4, dtype=dt), randn(4, 2, dtype=dt), rtol=1e-4)
    check(lambda M, a, b: M.linalg.vecdot(a, b), randn(2, 3, dtype=dt), randn(3, dtype=dt))
    check(lambda M, a, b: M.linalg.matmul(a, b), randn(2, 3, dtype=dt), randn(3, dtype=dt))


def test_cross_int():
    check(lambda M, a, b: M.cross(a, b, dim=0), randint(-3, 3, 3), randint(-3, 3, 3))


# --- float64 finite differences, first and second order --------------------------------------
def r64(*s):
    return randn(*s, dtype=np.float64)


GRADCHECK = {
    "matmul_1d_1d": (lambda M, a, b: M.matmul(a, b), [r64(3), r64(3)]),
    "matmul_2d_1d": (lambda M, a, b: M.matmul(a, b), [r64(2, 3), r64(3)]),
    "matmul_1d_2d": (lambda M, a, b: M.matmul(a, b), [r64(3), r64(3, 2)]),
    "matmul_3d_1d": (lambda M, a, b: M.matmul(a, b), [r64(2, 2, 3), r64(3)]),
    "matmul_1d_3d": (lambda M, a, b: M.matmul(a, b), [r64(3), r64(2, 3, 2)]),
    "matmul_3d_2d": (lambda M, a, b: M.matmul(a, b), [r64(2, 2, 3), r64(3, 2)]),
    "matmul_2d_3d": (lambda M, a, b: M.matmul(a, b), [r64(2, 3), r64(2, 3, 2)]),
    "matmul_bcast": (lambda M, a, b: M.matmul(a, b), [r64(2, 1, 2, 3), r64(3, 3, 2)]),
    "mm": (lambda M, a, b: M.mm(a, b), [r64(2, 3), r64(3, 2)]),
    "bmm": (lambda M, a, b: M.bmm(a, b), [r64(2, 2, 3), r64(2, 3, 2)]),
    "mv": (lambda M, a, b: M.mv(a, b), [r64(2, 3), r64(3)]),
    "dot": (lambda M, a, b: M.dot(a, b), [r64(4), r64(4)]),
    "outer": (lambda M, a, b: M.outer(a, b), [r64(3), r64(2)]),
    "addmm": (lambda M, c, a, b: M.addmm(c, a, b, beta=0.5, alpha=2), [r64(2), r64(3, 2),
                                                                       r64(2, 2)]),
    "addmv": (lambda M, c, a, b: M.addmv(c, a, b, beta=2, alpha=0.5), [r64(2), r64(2, 3),
                                                                       r64(3)]),
    "baddbmm": (lambda M, c, a, b: M.baddbmm(c, a, b, alpha=1.5), [r64(2, 1, 2), r64(2, 2, 3),
                                                                   r64(2, 3, 2)]),
    "addbmm": (lambda M, c, a, b: M.addbmm(c, a, b), [r64(2, 2), r64(2, 2, 3), r64(2, 3, 2)]),
    "addr": (lambda M, c, a, b: M.addr(c, a, b, beta=2), [r64(2, 3), r64(2), r64(3)]),
    "trace": (lambda M, a: M.trace(a), [r64(3, 4)]),
    "tril": (lambda M, a: M.tril(a, -1), [r64(3, 4)]),
    "triu": (lambda M, a: M.triu(a, 1), [r64(2, 3, 3)]),
    "diag_1d": (lambda M, a: M.diag(a, 1), [r64(3)]),
    "diag_2d": (lambda M, a: M.diag(a, -1), [r64(3, 4)]),
    "diag_embed": (lambda M, a: M.diag_embed(a, 1, 0, 2), [r64(2, 2)]),
    "inverse": (lambda M, a: M.inverse(a), [sq(3)]),
    "inverse_batched": (lambda M, a: M.linalg.inv(a), [sq((2, 2, 2))]),
    "det": (lambda M, a: M.det(a), [sq(3)]),
    "det_batched": (lambda M, a: M.linalg.det(a), [sq((2, 3, 3))]),
    "logdet": (lambda M, a: M.logdet(a), [sq(2)]),
    "solve": (lambda M, a, b: M.linalg.solve(a, b), [sq(3), r64(3, 2)]),
    "kron": (lambda M, a, b: M.kron(a, b), [r64(2, 2), r64(2)]),
    "cross": (lambda M, a, b: M.cross(a, b, dim=1), [r64(2, 3), r64(2, 3)]),
    "tensordot": (lambda M, a, b: M.tensordot(a, b, dims=1), [r64(2, 3), r64(3, 2)]),
    "inner": (lambda M, a, b: M.inner(a, b), [r64(2, 3), r64(2, 3)]),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name):
    fn, arrays = GRADCHECK[name]
    gradcheck(fn, *arrays)
    # second order: squared inputs make the first derivative depend on the inputs even for
    # ops linear in them, so their backward's own backward is exercised
    gradcheck(lambda M, *xs: fn(M, *[x * x for x in xs]), *arrays, gradgrad=True)


# --- errors ----------------------------------------------------------------------------------
def f32(*s):
    return randn(*s)


def f64(*s):
    return randn(*s, dtype=np.float64)


def i64(*s):
    return np.ones(s, np.int64)


ERRORS = [
    ("dot", lambda M, a, b: M.dot(a, b), [f32(3, 3), f32(3, 3)], "1D tensors expected"),
    ("dot_dtype", lambda M, a, b: M.dot(a, b), [f32(3), f64(3)],
     "dot : expected both vectors to have same dtype, but found Float and Double"),
    ("dot_len", lambda M, a, b: M.dot(a, b), [f32(3), f32(4)], "inconsistent tensor size"),
    ("dot_bool", lambda M, a, b: M.dot(a, b), [np.ones(3, bool), np.ones(3, bool)], None),
    ("vdot", lambda M, a, b: M.vdot(a, b), [f32(3), f32(4)], None),
    ("mv", lambda M, a, b: M.mv(a, b), [f32(3, 4), f32(5)],
     r"size mismatch, got input \(3\), mat \(3x4\), vec \(5\)"),
    ("mv_ndim", lambda M, a, b: M.mv(a, b), [f32(3), f32(3)], None),
    ("mv_dtype", lambda M, a, b: M.mv(a, b), [f32(3, 4), f64(4)], "same dtype"),
    ("mm", lambda M, a, b: M.mm(a, b), [f32(3, 4), f32(5, 6)],
     r"mat1 and mat2 shapes cannot be multiplied \(3x4 and 5x6\)"),
    ("mm_dtype", lambda M, a, b: M.mm(a, b), [f32(3, 4), f64(4, 6)],
     "expected m1 and m2 to have the same dtype, but got: float != double"),
    ("mm_1d", lambda M, a, b: M.mm(a, b), [f32(3), f32(3, 4)], "self must be a matrix"),
    ("mm_1d_b", lambda M, a, b: M.mm(a, b), [f32(3, 4), f32(4)], "mat2 must be a matrix"),
    ("mm_bool", lambda M, a, b: M.mm(a, b), [np.ones((2, 2), bool), np.ones((2, 2), bool)],
     None),
    ("mm_int_float", lambda M, a, b: M.mm(a, b), [i64(2, 3), f32(3, 2)],
     "long int != float"),
    ("bmm", lambda M, a, b: M.bmm(a, b), [f32(2, 3, 4), f32(2, 5, 6)],
     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] but got: "
     r"\[2, 5\]"),
    ("bmm_ndim", lambda M, a, b: M.bmm(a, b), [f32(3, 4), f32(4, 6)],
     "batch1 must be a 3D tensor"),
    ("bmm_dtype", lambda M, a, b: M.bmm(a, b), [f32(2, 3, 4), f64(2, 4, 6)],
     "expected scalar type Float but found Double"),
    ("matmul_0d", lambda M, a, b: M.matmul(a, b), [np.ones((), np.float32), f32(3)],
     "at least 1D"),
    ("matmul_2d", lambda M, a, b: M.matmul(a, b), [f32(3, 4), f32(5, 6)],
     r"\(3x4 and 5x6\)"),
    ("matmul_1d2d", lambda M, a, b: M.matmul(a, b), [f32(4), f32(5, 6)], r"\(1x4 and 5x6\)"),
    ("matmul_3d2d", lambda M, a, b: M.matmul(a, b), [f32(2, 3, 4), f32(5, 6)],
     r"\(6x4 and 5x6\)"),
    ("matmul_3d1d", lambda M, a, b: M.matmul(a, b), [f32(2, 3, 4), f32(5)],
     r"size mismatch, got input \(6\), mat \(6x4\), vec \(5\)"),
    ("matmul_batch", lambda M, a, b: M.matmul(a, b), [f32(2, 3, 4), f32(3, 4, 6)],
     r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton "
     r"dimension 0"),
    ("matmul_inner", lambda M, a, b: M.matmul(a, b), [f32(2, 3, 4), f32(1, 5, 6)],
     r"\[2, 4\] but got: \[2, 5\]"),
    ("matmul_dtype", lambda M, a, b: M.matmul(a, b), [f32(3, 4), f64(4, 6)], "float != double"),
    ("matmul_dtype_3d", lambda M, a, b: M.matmul(a, b), [f32(2, 3, 4), f64(2, 4, 5)],
     "expected scalar type Float but found Double"),
    ("matmul_dtype_1d", lambda M, a, b: M.matmul(a, b), [f32(3), f64(3)], "dot :"),
    ("matmul_bool", lambda M, a, b: M.matmul(a, b), [np.ones((2, 2), bool),
                                                     np.ones((2, 2), bool)], None),
    ("matmul_scalar", lambda M, a: a @ 2, [f32(2, 2)], None),
    ("matmul_not_tensor", lambda M, a: M.matmul(a, 2), [f32(2, 2)], None),
    ("outer", lambda M, a, b: M.outer(a, b), [f32(3, 2), f32(4)],
     "outer: Expected 1-D argument self, but got 2-D"),
    ("addmm_expand", lambda M, c, a, b: M.addmm(c, a, b), [f32(5), f32(3, 4), f32(4, 3)],
     r"The expanded size of the tensor \(3\) must match the existing size \(5\)"),
    ("addmm_dtype", lambda M, c, a, b: M.addmm(c, a, b), [f64(3, 3), f32(3, 4), f32(4, 3)],
     "self and mat2 must have the same dtype, but got Double and Float"),
    ("addmm_dtype2", lambda M, c, a, b: M.addmm(c, a, b), [f64(3), f32(3, 4), f64(4, 3)],
     "mat1 and mat2 must have the same dtype, but got Float and Double"),
    ("addmm_shape", lambda M, c, a, b: M.addmm(c, a, b), [f32(3), f32(3, 4), f32(5, 3)],
     r"\(3x4 and 5x3\)"),
    ("addmm_1d", lambda M, c, a, b: M.addmm(c, a, b), [f32(3), f32(3), f32(5, 3)],
     "mat1 must be a matrix, got 1-D tensor"),
    ("addmm_inplace", lambda M, c, a, b: c.addmm_(a, b), [f32(4), f32(2, 3), f32(3, 4)], None),
    ("addmv", lambda M, c, a, b: M.addmv(c, a, b), [f32(2), f32(3, 4), f32(4)],
     r"size mismatch, got input \(2\), mat \(3x4\), vec \(4\)"),
    ("baddbmm", lambda M, c, a, b: M.baddbmm(c, a, b), [f32(5, 3), f32(2, 3, 4), f32(2, 4, 3)],
     "expanded size"),
    ("baddbmm_dtype", lambda M, c, a, b: M.baddbmm(c, a, b), [f64(3), f32(2, 3, 4),
                                                              f32(2, 4, 3)],
     "Input dtypes must be the same, got: input double, batch1: float, batch2: float"),
    ("addbmm", lambda M, c, a, b: M.addbmm(c, a, b), [f32(3), f32(2, 3, 4), f32(3, 4, 3)],
     "batch1 and batch2 must have same number of batches, got 2 and 3"),
    ("addbmm_inner", lambda M, c, a, b: M.addbmm(c, a, b), [f32(3, 3), f32(2, 3, 4),
                                                            f32(2, 5, 3)],
     r"Incompatible matrix sizes for bmm \(3x4 and 5x3\)"),
    ("einsum_size", lambda M, a, b: M.einsum("ij,jk->ik", a, b), [f32(3, 4), f32(5, 6)],
     "subscript j has size 5 for operand 1 which does not broadcast with previously seen size "
     "4"),
    ("einsum_fewer", lambda M, a: M.einsum("ij,jk", a), [f32(3, 4)], "fewer operands"),
    ("einsum_more", lambda M, a, b: M.einsum("i->", a, b), [f32(3), f32(3)], "more operands"),
    ("einsum_dtype", lambda M, a, b: M.einsum("ij,jk->ik", a, b), [f32(3, 4), f64(4, 6)],
     "expected scalar type Float but found Double"),
    ("einsum_out", lambda M, a: M.einsum("ij->ik", a), [f32(3, 4)],
     "output subscript k does not appear in the equation for any input operand"),
    ("einsum_out_twice", lambda M, a: M.einsum("ij->ii", a), [f32(3, 3)],
     "output subscript i appears more than once in the output"),
    ("einsum_ndim", lambda M, a: M.einsum("ijk->", a), [f32(3, 4)],
     r"the number of subscripts in the equation \(3\) does not match the number of dimensions "
     r"\(2\) for operand 0 and no ellipsis was given"),
    ("einsum_repeat", lambda M, a: M.einsum("ii->i", a), [f32(3, 4)],
     "subscript i is repeated for operand 0 but the sizes don't match, 4 != 3"),
    ("einsum_char", lambda M, a: M.einsum("i1->", a), [f32(3)],
     "invalid subscript given at index 1"),
    ("einsum_dot", lambda M, a: M.einsum("i.->", a), [f32(3)],
     "found '.' for operand 0 that is not part of any ellipsis"),
    ("trace_1d", lambda M, a: M.trace(a), [f32(3)],
     "trace: expected a matrix, but got tensor with dim 1"),
    ("trace_3d", lambda M, a: M.trace(a), [f32(2, 3, 4)], "dim 3"),
    ("trace_bool", lambda M, a: M.trace(a), [np.ones((2, 2), bool)], None),
    ("tril_1d", lambda M, a: M.tril(a), [f32(3)],
     "tril: input tensor must have at least 2 dimensions"),
    ("triu_0d", lambda M, a: M.triu(a), [np.ones((), np.float32)], "at least 2 dimensions"),
    ("diag_3d", lambda M, a: M.diag(a), [f32(2, 2, 2)],
     r"diag\(\): Supports 1D or 2D tensors. Got 3D"),
    ("diag_0d", lambda M, a: M.diag(a), [np.ones((), np.float32)], "Got 0D"),
    ("diag_embed_same", lambda M, a: M.diag_embed(a, 0, 0, 0), [f32(3)],
     "diagonal dimensions cannot be identical 0, 0"),
    ("diag_embed_0d", lambda M, a: M.diag_embed(a), [np.ones((), np.float32)], None),
    ("inverse_rect", lambda M, a: M.inverse(a), [f32(3, 4)],
     "linalg.inv: A must be batches of square matrices, but they are 3 by 4 matrices"),
    ("inverse_1d", lambda M, a: M.inverse(a), [f32(3)],
     "linalg.inv: The input tensor A must have at least 2 dimensions."),
    ("inverse_int", lambda M, a: M.inverse(a), [i64(3, 3)],
     "linalg.inv: Expected a floating point or complex tensor as input. Got Long"),
    ("inverse_half", lambda M, a: M.inverse(a), [f32(3, 3).astype(np.float16)],
     "Low precision dtypes not supported. Got Half"),
    ("inverse_singular", lambda M, a: M.inverse(a), [np.zeros((3, 3), np.float32)], "singular"),
    ("det_rect", lambda M, a: M.det(a), [f32(3, 4)],
     "linalg.det: A must be batches of square matrices, but they are 3 by 4 matrices"),
    ("det_int", lambda M, a: M.det(a), [i64(3, 3)], "Got Long"),
    ("det_1d", lambda M, a: M.linalg.det(a), [f32(3)], "at least 2 dimensions"),
    ("det_half", lambda M, a: M.det(a), [f32(2, 3, 3).astype(np.float16)], None),
    ("cross_size", lambda M, a, b: M.cross(a, b), [f32(4), f32(4)],
     "no dimension of size 3 in input"),
    ("cross_dtype", lambda M, a, b: M.cross(a, b), [f32(3), f64(3)],
     "expected scalar type Float but found Double"),
    ("cross_ndim", lambda M, a, b: M.linalg.cross(a, b), [f32(2, 3), f32(3)],
     "linalg.cross: inputs must have the same number of dimensions."),
    ("linalg_cross_len", lambda M, a, b: M.linalg.cross(a, b), [f32(3, 2), f32(3, 2)],
     "linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2"),
    ("tensordot", lambda M, a, b: M.tensordot(a, b, dims=1), [f32(2, 3), f32(4, 4)],
     "contracted dimensions need to match, but first has size 3 in dim -1 and second has size "
     "4 in dim 0"),
]


@pytest.mark.filterwarnings("ignore:Using (torch|ember).cross without specifying the dim")
@pytest.mark.parametrize("name,fn,arrays,match", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn, arrays, match):
    check_raises(fn, *arrays, match=match)


def test_matmul_operator_with_non_tensor_is_not_implemented():
    a = ember.ones(2, 2)
    assert a.__matmul__(3) is NotImplemented and a.__rmatmul__([1]) is NotImplemented


# --- doc examples of the namespace -----------------------------------------------------------
def test_linalg_namespace():
    for name in ["inv", "det", "slogdet", "matmul", "cross", "multi_dot", "vecdot", "solve",
                 "LinAlgError"]:
        assert hasattr(ember.linalg, name), name
        assert hasattr(torch.linalg, name), name
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)


# --- norms -----------------------------------------------------------------------------------
INF = float("inf")
NORMS = [
    (lambda M, a: M.linalg.vector_norm(a), (3, 4)),
    (lambda M, a: M.linalg.vector_norm(a, ord=1, dim=1), (3, 4)),
    (lambda M, a: M.linalg.vector_norm(a, ord=INF, dim=(0, 1), keepdim=True), (3, 4)),
    (lambda M, a: M.linalg.vector_norm(a, ord=3, dim=[-1]), (3, 4)),
    (lambda M, a: M.linalg.matrix_norm(a), (2, 3, 4)),
    (lambda M, a: M.linalg.matrix_norm(a, ord=1), (3, 4)),
    (lambda M, a: M.linalg.matrix_norm(a, ord=-1), (3, 4)),
    (lambda M, a: M.linalg.matrix_norm(a, ord=INF), (2, 3, 4)),
    (lambda M, a: M.linalg.matrix_norm(a, ord=-INF, keepdim=True), (2, 3, 4)),
    (lambda M, a: M.linalg.matrix_norm(a, ord=1, dim=(0, 2)), (2, 3, 4)),
    (lambda M, a: M.linalg.norm(a), (2, 3, 4)),
    (lambda M, a: M.linalg.norm(a, ord=1), (3,)),
    (lambda M, a: M.linalg.norm(a, ord=INF), (3, 4)),
    (lambda M, a: M.linalg.norm(a, ord="fro"), (3, 4)),
    (lambda M, a: M.linalg.norm(a, dim=1), (3, 4)),
    (lambda M, a: M.linalg.norm(a, ord=2, dim=0), (3, 4)),
]


@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("i", range(len(NORMS)))
def test_norms(i, dt):
    fn, shape = NORMS[i]
    check(fn, randn(*shape, dtype=dt))
    x = randn(*shape, dtype=np.float64, seed=i)
    gradcheck(fn, x)
    gradcheck(lambda M, a: fn(M, a * a), x, gradgrad=True)


def test_norm_errors():
    check_raises(lambda M, a: M.linalg.vector_norm(a), np.ones(3, np.int64))
    check_raises(lambda M, a: M.linalg.matrix_norm(a), f32(3))
    check_raises(lambda M, a: M.linalg.matrix_norm(a, ord=3), f32(3, 3))
    check_raises(lambda M, a: M.linalg.norm(a, ord=1), f32(2, 3, 4))
