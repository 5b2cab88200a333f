"""Shape ops against the torch oracle: values, dtypes, shapes, gradients, view layout
(strides, storage offset, contiguity, shared memory and version counter) and errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from tests.helpers import check, check_raises, gradcheck, randint, randn

DTYPES = ["float32", "float64", "int64"]


def make(shape, dtype="float32", seed=None):
    if dtype in ("float32", "float64"):
        return np.asarray(randn(*shape, dtype=np.dtype(dtype), seed=seed))
    if dtype == "bool":
        return np.asarray(randint(0, 2, *shape, seed=seed).astype(bool))
    return np.asarray(randint(-9, 10, *shape, dtype=np.dtype(dtype), seed=seed))


def both(arr):
    return ember.from_numpy(arr.copy()), torch.from_numpy(arr.copy())


def same_layout(e, t):
    """shape, contiguity, and (for non-empty tensors) strides and storage offset."""
    assert tuple(e.shape) == tuple(t.shape)
    assert e.is_contiguous() == t.is_contiguous(), (e.stride(), t.stride())
    if t.numel():
        assert e.stride() == t.stride(), (e.stride(), t.stride())
        assert e.storage_offset() == t.storage_offset()


def view_check(fn, arr, write=True):
    """``fn`` gives a view on both frameworks: same values and layout, memory and version
    counter shared with the base, and a write through the view is seen by the base."""
    e, t = both(arr)
    ve, vt = fn(ember, e), fn(torch, t)
    outs_e = ve if isinstance(ve, tuple) else (ve,)
    outs_t = vt if isinstance(vt, tuple) else (vt,)
    assert len(outs_e) == len(outs_t)
    for oe, ot in zip(outs_e, outs_t):
        np.testing.assert_array_equal(oe.numpy(), ot.numpy())
        assert oe.dtype == getattr(ember, str(ot.dtype).split(".")[1])
        same_layout(oe, ot)
        if ot.numel():
            assert np.shares_memory(oe.numpy(), e.numpy())
    if write:
        for oe, ot in zip(outs_e, outs_t):
            if ot.numel() == 0:
                continue
            v0 = e._version
            oe.mul_(2) if oe.is_floating_point() else oe.add_(1)
            ot.mul_(2) if ot.is_floating_point() else ot.add_(1)
            assert e._version == oe._version == v0 + 1
            np.testing.assert_array_equal(e.numpy(), t.numpy())
    return outs_e, outs_t


# --- view / reshape ----------------------------------------------------------------------------
RESHAPES = [((2, 3, 4), (6, 4)), ((2, 3, 4), (-1,)), ((2, 3, 4), (4, -1, 2)),
            ((2, 3, 4), (2, 1, 3, 1, 4)), ((6,), (1, 6)), ((), (1,)), ((1,), ()), ((), ()),
            ((0, 3), (3, 0)), ((0, 3), (-1, 3)), ((2, 0), (0,)), ((1, 1), (-1,))]


@pytest.mark.parametrize("shape,target", RESHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_view_reshape_values(shape, target, dtype):
    a = make(shape, dtype)
    if target:
        check(lambda M, x: x.view(*target), a)
        check(lambda M, x: x.reshape(*target), a)
    check(lambda M, x: x.view(target), a)
    check(lambda M, x: M.reshape(x, target), a)
    view_check(lambda M, x: x.view(target), a)
    view_check(lambda M, x: x.reshape(target), a)


def test_view_as_reshape_as():
    a, b = make((2, 6)), make((3, 4))
    check(lambda M, x, y: x.view_as(y), a, b)
    check(lambda M, x, y: x.reshape_as(y), a, b)


def test_view_accepts_size_and_tensors():
    check(lambda M, x: x.view(M.Size([4, 3])), make((2, 6)))
    check(lambda M, x: x.view(M.tensor(4), 3), make((2, 6)))
    check(lambda M, x: x.view(np.int64(4), -1), make((2, 6)))


@pytest.mark.parametrize("prep,target", [
    (lambda x: x.transpose(0, 1), (-1,)),
    (lambda x: x.transpose(0, 1), (2, 6)),
    (lambda x: x[:, ::3], (-1,)),
    (lambda x: x[:, 1:], (-1,)),
])
def test_view_of_noncontiguous_raises(prep, target):
    check_raises(lambda M, x: prep(x).view(target), make((3, 4)))
    # reshape copies instead: same values and gradients, and no shared memory
    check(lambda M, x: prep(x).reshape(target), make((3, 4)))
    e = ember.from_numpy(make((3, 4)))
    r = prep(e).reshape(target)
    assert not np.shares_memory(r.numpy(), e.numpy())
    v = e._version
    r.add_(1)
    assert e._version == v and r._version == 1


@pytest.mark.parametrize("prep,target", [
    (lambda x: x.transpose(0, 1), (4, 1, 3)),            # size-1 dims can be inserted
    (lambda x: x[:, :2], (3, 2, 1)),
    (lambda x: x[1:, :].transpose(0, 1), (2, 2, 2)),     # splits a strided dim
    (lambda x: x[::2], (2, 2, 2)),
])
def test_view_of_noncontiguous_possible(prep, target):
    view_check(lambda M, x: prep(x).view(target), make((3, 4)))
    view_check(lambda M, x: prep(x).reshape(target), make((3, 4)))


@pytest.mark.parametrize("fn", [
    lambda M, x: x.view(-1, -1),
    lambda M, x: x.view(-2, 12),
    lambda M, x: x.view(5, 5),
    lambda M, x: x.reshape(7, -1),
    lambda M, x: x.reshape(0, -1),
    lambda M, x: x.view(2.0, 12),
    lambda M, x: x.view(2, 12.5),
    lambda M, x: x.reshape([2, "a"]),
    lambda M, x: x.view_as(M.zeros(5)),
    lambda M, x: x.view(),
    lambda M, x: x.reshape(),
    lambda M, x: x.reshape_as(M.zeros(5)),
])
def test_view_errors(fn):
    check_raises(fn, make((2, 3, 4)))


def test_view_zero_elements_ambiguous():
    check_raises(lambda M, x: x.view(-1, 0), make((0, 3)))
    check(lambda M, x: x.view(-1), make((0, 3)))


def test_view_dtype_still_dispatches():
    e = ember.tensor([1.0, 2.0])
    assert e.view(ember.int32).dtype == ember.int32


# --- flatten / unflatten / ravel ---------------------------------------------------------------
@pytest.mark.parametrize("shape,s,e", [((2, 3, 4), 0, -1), ((2, 3, 4), 1, -1), ((2, 3, 4), 0, 1),
                                       ((2, 3, 4), -2, -1), ((2, 3, 4), 1, 1), ((), 0, -1),
                                       ((5,), 0, 0), ((2, 0, 3), 1, 2)])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_flatten(shape, s, e, dtype):
    a = make(shape, dtype)
    check(lambda M, x: M.flatten(x, s, e), a)
    check(lambda M, x: x.flatten(start_dim=s, end_dim=e), a)
    view_check(lambda M, x: x.flatten(s, e), a)


def test_flatten_identity_and_copy():
    x = ember.zeros(2, 3)
    assert x.flatten(1, 1) is x
    y = ember.zeros(4)
    assert y.flatten() is y
    check(lambda M, x: x.t().flatten(), make((3, 4)))


@pytest.mark.parametrize("fn", [lambda M, x: x.flatten(2, 1), lambda M, x: x.flatten(0, 3),
                                lambda M, x: x.flatten(-4)])
def test_flatten_errors(fn):
    check_raises(fn, make((2, 3, 4)))


@pytest.mark.parametrize("dim,sizes", [(2, (2, 2)), (2, (2, -1)), (-1, (1, 4, 1)), (0, [2]),
                                       (1, (3, 1))])
def test_unflatten(dim, sizes):
    check(lambda M, x: M.unflatten(x, dim, sizes), make((2, 3, 4)))
    view_check(lambda M, x: x.unflatten(dim, sizes), make((2, 3, 4)))


@pytest.mark.parametrize("dim,sizes", [(2, (3, -1)), (2, (3, 3)), (2, ()), (3, (2, 2)),
                                       (2, (-1, -1))])
def test_unflatten_errors(dim, sizes):
    check_raises(lambda M, x: x.unflatten(dim, sizes), make((2, 3, 4)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_ravel(dtype):
    a = make((3, 4), dtype)
    check(lambda M, x: M.ravel(x), a)
    check(lambda M, x: x.t().ravel(), a)
    check(lambda M, x: x[:, ::2].ravel(), a)
    view_check(lambda M, x: x.ravel(), a)
    e = ember.from_numpy(a.copy())
    assert not np.shares_memory(e.t().ravel().numpy(), e.numpy())
    # a strided 1-D tensor is copied too (contiguous().view(-1))
    r = e.reshape(-1)[::2].ravel()
    assert r.is_contiguous() and not np.shares_memory(r.numpy(), e.numpy())


# --- squeeze / unsqueeze -----------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(1, 3, 1, 2), (3,), (), (1,), (0, 1), (2, 1, 0)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_squeeze(shape, dtype):
    a = make(shape, dtype)
    check(lambda M, x: x.squeeze(), a)
    check(lambda M, x: M.squeeze(x), a)
    nd = max(len(shape), 1)
    for d in range(-nd, nd):
        check(lambda M, x, d=d: M.squeeze(x, d), a)
        view_check(lambda M, x, d=d: x.squeeze(dim=d), a)
    check(lambda M, x: x.squeeze(tuple(range(len(shape)))), a)
    view_check(lambda M, x: x.squeeze(), a)


@pytest.mark.parametrize("fn", [lambda M, x: x.squeeze(4), lambda M, x: x.squeeze((0, 0)),
                                lambda M, x: x.squeeze((0, 7)), lambda M, x: x.squeeze(1.0)])
def test_squeeze_errors(fn):
    check_raises(fn, make((1, 3, 1, 2)))


@pytest.mark.parametrize("prep", [lambda x: x, lambda x: x.transpose(0, 2), lambda x: x[:, 1:],
                                  lambda x: x[..., ::2], lambda x: x[:, :1]])
@pytest.mark.parametrize("dtype", DTYPES)
def test_unsqueeze(prep, dtype):
    a = make((2, 3, 4), dtype)
    for d in range(-4, 4):
        check(lambda M, x, d=d: M.unsqueeze(prep(x), d), a)
        view_check(lambda M, x, d=d: prep(x).unsqueeze(d), a)


def test_unsqueeze_0d_and_errors():
    check(lambda M, x: x.unsqueeze(0), make(()))
    check(lambda M, x: x.unsqueeze(-1), make(()))
    check_raises(lambda M, x: x.unsqueeze(4), make((2, 3, 4)))
    check_raises(lambda M, x: x.unsqueeze(-5), make((2, 3, 4)))
    check_raises(lambda M, x: x.unsqueeze(2), make(()))


def test_inplace_view_ops():
    for name, args in [("squeeze_", ()), ("squeeze_", (1,)), ("unsqueeze_", (0,)),
                       ("t_", ()), ("transpose_", (0, 1)), ("swapaxes_", (1, 0)),
                       ("swapdims_", (0, 1))]:
        a = make((3, 1))
        e, t = both(a)
        re, rt = getattr(e, name)(*args), getattr(t, name)(*args)
        assert re is e and rt is t
        same_layout(e, t)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    # on a leaf that requires grad: PyTorch's error; on a non-leaf: history follows
    check_raises(lambda M, x: x.requires_grad_().unsqueeze_(0), make((3,)))
    check_raises(lambda M, x: x.requires_grad_().t_(), make((3, 2)))
    x = ember.tensor([[1.0, 2.0]], requires_grad=True)
    y = x * 3
    y.t_()
    (y * ember.tensor([[1.0], [2.0]])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[3.0, 6.0]])


# --- transpose / permute / t / movedim ---------------------------------------------------------
@pytest.mark.parametrize("d0,d1", [(0, 1), (0, 2), (-1, 0), (1, 1), (2, -2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_transpose(d0, d1, dtype):
    a = make((2, 3, 4), dtype)
    for f in ("transpose", "swapaxes", "swapdims"):
        check(lambda M, x, f=f: getattr(M, f)(x, d0, d1), a)
        check(lambda M, x, f=f: getattr(x, f)(d0, d1), a)
    view_check(lambda M, x: x.transpose(d0, d1), a)


def test_transpose_0d_and_errors():
    check(lambda M, x: x.transpose(0, -1), make(()))
    check(lambda M, x: x.permute(()), make(()))
    check_raises(lambda M, x: x.permute(), make(()))
    check_raises(lambda M, x: x.expand(), make((2,)))
    check_raises(lambda M, x: x.repeat(), make((2,)))
    check_raises(lambda M, x: x.transpose(0, 3), make((2, 3, 4)))
    check_raises(lambda M, x: x.transpose(0, 1), make(()))


@pytest.mark.parametrize("dims", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (-1, 0, -2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_permute(dims, dtype):
    a = make((2, 3, 4), dtype)
    check(lambda M, x: M.permute(x, dims), a)
    check(lambda M, x: x.permute(*dims), a)
    view_check(lambda M, x: x.permute(dims), a)
    view_check(lambda M, x: x[:, 1:].permute(dims), a)


@pytest.mark.parametrize("dims", [(0, 1), (0, 1, 1), (0, 1, 3), (0, 1, 2, 3)])
def test_permute_errors(dims):
    check_raises(lambda M, x: x.permute(dims), make((2, 3, 4)))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (0, 3)])
def test_t(shape):
    check(lambda M, x: M.t(x), make(shape))
    check(lambda M, x: x.t(), make(shape, "int64"))
    view_check(lambda M, x: x.t(), make(shape))
    check_raises(lambda M, x: x.t(), make((2, 3, 4)))


def test_T_mT_H_mH_adjoint():
    a = make((2, 3, 4))
    check(lambda M, x: x.mT, a)
    check(lambda M, x: x.mH, a)
    check(lambda M, x: x.adjoint(), a)
    check(lambda M, x: M.adjoint(x), a)
    check(lambda M, x: x.H, make((3, 4)))
    with pytest.warns(UserWarning, match="deprecated on 0-D"):
        check(lambda M, x: x.H, make(()))
    check(lambda M, x: x.T, make((3, 4)))
    view_check(lambda M, x: x.mT, a)
    view_check(lambda M, x: x.H, make((3, 4)))
    for fn in (lambda M, x: x.H, lambda M, x: x.mH, lambda M, x: x.adjoint()):
        check_raises(fn, make((3,)))
    check_raises(lambda M, x: x.H, a)


@pytest.mark.parametrize("src,dst", [(0, 2), (-1, 0), ((0, 1), (2, 0)), ([0], [1]), ((), ())])
def test_movedim(src, dst):
    a = make((2, 3, 4))
    check(lambda M, x: M.movedim(x, src, dst), a)
    check(lambda M, x: M.moveaxis(x, src, dst), a)
    check(lambda M, x: x.movedim(src, dst), a)
    view_check(lambda M, x: x.moveaxis(src, dst), a)


@pytest.mark.parametrize("src,dst", [((0, 1), (2,)), ((0, 0), (2, 1)), ((0, 1), (1, 1)),
                                     (3, 0), (0, -4)])
def test_movedim_errors(src, dst):
    check_raises(lambda M, x: x.movedim(src, dst), make((2, 3, 4)))


# --- expand / broadcast ------------------------------------------------------------------------
@pytest.mark.parametrize("shape,target", [
    ((3, 1), (3, 4)), ((3, 1), (2, 3, 4)), ((3, 1), (-1, 5)), ((1,), (2, 1, 3)),
    ((2, 1, 4), (1, 2, 1, 4)), ((2, 1, 4), (5, 2, 1, 4)), ((), (2, 3)), ((), ()),
    ((1, 3), (0, 3)), ((2, 3), (2, 3)), ((0, 1), (0, 4)), ((1, 1), (1, 1, 1, 2)),
])
@pytest.mark.parametrize("dtype", DTYPES)
def test_expand(shape, target, dtype):
    a = make(shape, dtype)
    if target:
        check(lambda M, x: x.expand(*target), a)
    check(lambda M, x: x.expand(target), a)
    check(lambda M, x: M.broadcast_to(x, target), a)
    check(lambda M, x: x.broadcast_to(target), a)
    view_check(lambda M, x: x.expand(target), a, write=False)


def test_expand_as_and_strided_input():
    check(lambda M, x, y: x.expand_as(y), make((3, 1)), make((2, 3, 4)))
    view_check(lambda M, x: x.t()[:1].expand(5, 1, 3), make((3, 2)), write=False)
    view_check(lambda M, x: x[:, :1].expand(1, 2, 1, 4), make((2, 3, 4)), write=False)


@pytest.mark.parametrize("target", [(3, 3, 4), (3, 4), (-1, 2, 3, 4), (2, 3, -2), (2, -1, 5)])
def test_expand_errors(target):
    check_raises(lambda M, x: x.expand(target), make((2, 3, 4)))


@pytest.mark.parametrize("shapes", [[(2, 1), (3,)], [(1,), (2, 3), (1, 1, 3)], [()], [(0, 1), (4,)],
                                    [(3, 1, 2), (4, 1)]])
def test_broadcast_tensors_and_shapes(shapes):
    arrays = [make(s) for s in shapes]
    check(lambda M, *xs: M.broadcast_tensors(*xs), *arrays)
    assert tuple(ember.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
    assert isinstance(ember.broadcast_shapes(*shapes), ember.Size)


def test_broadcast_errors():
    check_raises(lambda M, x, y: M.broadcast_tensors(x, y), make((2,)), make((3,)))
    with pytest.raises(RuntimeError, match="broadcast"):
        ember.broadcast_shapes((2, 1), (3, 2))
    with pytest.raises(RuntimeError):
        torch.broadcast_shapes((2, 1), (3, 2))
    assert tuple(ember.broadcast_shapes(2, (3, 1))) == (3, 2)


# --- repeat / tile / repeat_interleave ---------------------------------------------------------
@pytest.mark.parametrize("shape,reps", [((2, 3), (2, 1)), ((2, 3), (1, 2, 3)), ((3,), (2,)),
                                        ((), (3,)), ((), ()), ((2, 3), (0, 2)), ((0, 2), (2, 2)),
                                        ((2, 1, 3), (1, 1, 1, 2))])
@pytest.mark.parametrize("dtype", DTYPES)
def test_repeat_tile(shape, reps, dtype):
    a = make(shape, dtype)
    if reps:
        check(lambda M, x: x.repeat(*reps), a)
    check(lambda M, x: x.repeat(reps), a)
    check(lambda M, x: M.tile(x, reps), a)
    check(lambda M, x: x.tile(reps[-1:]), a)


@pytest.mark.parametrize("fn", [lambda M, x: x.repeat(2, 2), lambda M, x: x.repeat(2, 2, -1),
                                lambda M, x: x.repeat(2.0, 1, 1)])
def test_repeat_errors(fn):
    check_raises(fn, make((2, 3, 4)))


@pytest.mark.parametrize("reps,dim", [(2, None), (2, 1), (3, 0), (0, 1), (1, -1), ("t", 0),
                                      ("t", 1), ("t1", None), ("t1", 1)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_repeat_interleave(reps, dim, dtype):
    a = make((2, 3), dtype)
    if reps == "t":
        n = 2 if dim == 0 else 3
        r = np.array([1, 0, 3][:n])
    elif reps == "t1":
        r = np.array([2])
    else:
        r = reps
    if isinstance(r, np.ndarray):
        check(lambda M, x, rr: M.repeat_interleave(x, rr, dim=dim), a, r)
        check(lambda M, x, rr: x.repeat_interleave(rr, dim), a, r)
    else:
        check(lambda M, x: M.repeat_interleave(x, r, dim=dim), a)
        check(lambda M, x: x.repeat_interleave(r, dim=dim), a)


def test_repeat_interleave_forms():
    check(lambda M, r: M.repeat_interleave(r), np.array([1, 0, 3]))
    check(lambda M, r: M.repeat_interleave(r), np.array([2, 1], dtype=np.int32))
    check_raises(lambda M, r: r.repeat_interleave(), np.array([2, 1]))
    check(lambda M, x: M.repeat_interleave(x, 3), make(()))
    check(lambda M, r: M.repeat_interleave(r, r, output_size=5), np.array([2, 3]))
    for fn, args in [(lambda M, x, r: M.repeat_interleave(x, r), (make((3,)), np.array([1, 0]))),
                     (lambda M, x, r: M.repeat_interleave(x, r), (make((3,)),
                                                                 np.array([1, -1, 2]))),
                     (lambda M, x, r: M.repeat_interleave(x, r), (make((3,)),
                                                                 np.array([1.0, 2.0, 1.0]))),
                     (lambda M, x, r: M.repeat_interleave(x, -1), (make((3,)), None)),
                     (lambda M, x, r: M.repeat_interleave(x, 2, dim=1), (make(()), None))]:
        check_raises(fn, *args)


# --- cat / stack and friends -------------------------------------------------------------------
@pytest.mark.parametrize("shapes,dim", [([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1), (2, 0)], 1),
                                        ([(2, 3)], -1), ([(3,), (0,), (2,)], 0),
                                        ([(2, 3), (0,)], 1), ([(0,), (2, 3)], -1),
                                        ([(0,), (0,)], 0), ([(0,), (2, 0)], 0),
                                        ([(0, 3), (2, 3)], 0), ([(1, 2, 3), (1, 2, 3)], 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_cat(shapes, dim, dtype):
    arrays = [make(s, dtype) for s in shapes]
    for f in ("cat", "concat", "concatenate"):
        check(lambda M, *xs, f=f: getattr(M, f)(xs, dim), *arrays)
    check(lambda M, *xs: M.cat(list(xs), dim=dim), *arrays)


@pytest.mark.parametrize("dtypes", [("int32", "uint8"), ("int32", "float16"), ("bool", "int8"),
                                    ("float32", "float64"), ("int64", "float32"),
                                    ("bool", "float32")])
def test_cat_stack_promotion(dtypes):
    arrays = [make((2,), d) for d in dtypes]
    check(lambda M, x, y: M.cat([x, y]), *arrays)
    check(lambda M, x, y: M.stack([x, y]), *arrays)
    # skipped empty tensors still take part in promotion
    check(lambda M, x, y: M.cat([x, y]), make((0,), dtypes[0]), make((2, 3), dtypes[1]))


def test_cat_out_and_axis():
    x, y = make((2, 3)), make((1, 3))
    o = ember.empty(0)
    r = ember.cat([ember.from_numpy(x), ember.from_numpy(y)], out=o)
    assert r is o
    np.testing.assert_array_equal(o.numpy(), torch.cat([torch.from_numpy(x),
                                                         torch.from_numpy(y)]).numpy())
    check(lambda M, a, b: M.cat((a, b), axis=0), x, y)


@pytest.mark.parametrize("fn,shapes", [
    (lambda M, *xs: M.cat(xs), [(2, 3), (2, 4)]),
    (lambda M, *xs: M.cat(xs), [(2, 3), (3,)]),
    (lambda M, *xs: M.cat(xs), [(), ()]),
    (lambda M, *xs: M.cat(xs, 2), [(2, 3)]),
    (lambda M, *xs: M.cat(xs[0]), [(2, 3)]),
    (lambda M, *xs: M.cat([]), []),
    (lambda M, *xs: M.cat([xs[0], 1]), [(2,)]),
    (lambda M, *xs: M.cat(xs), [(0, 4), (2, 3)]),
    (lambda M, *xs: M.stack(xs), [(2, 3), (2, 4)]),
    (lambda M, *xs: M.stack([]), []),
    (lambda M, *xs: M.stack(xs, 3), [(2, 3), (2, 3)]),
    (lambda M, *xs: M.hstack(xs), [(2, 3), (3, 3)]),
    (lambda M, *xs: M.vstack(xs), [(2, 3), (2, 4)]),
])
def test_cat_stack_errors(fn, shapes):
    check_raises(fn, *[make(s) for s in shapes])


@pytest.mark.parametrize("shapes", [[(2, 3), (2, 3)], [(3,), (3,)], [(), ()], [(0, 2), (0, 2)]])
@pytest.mark.parametrize("dtype", DTYPES)
def test_stack(shapes, dtype):
    arrays = [make(s, dtype) for s in shapes]
    for dim in range(-len(shapes[0]) - 1, len(shapes[0]) + 1):
        check(lambda M, *xs, dim=dim: M.stack(xs, dim), *arrays)


@pytest.mark.parametrize("shapes", [[(), ()], [(3,), (3,)], [(2, 3), (2, 3)], [(2,), (3,)],
                                    [(2, 3, 4), (2, 3, 4)], [(2, 1), (2, 3)]])
@pytest.mark.parametrize("fname", ["hstack", "vstack", "row_stack", "dstack", "column_stack"])
def test_hvd_stack(shapes, fname):
    arrays = [make(s) for s in shapes]
    try:
        getattr(torch, fname)([torch.from_numpy(a) for a in arrays])
    except RuntimeError:
        check_raises(lambda M, *xs: getattr(M, fname)(xs), *arrays)
        return
    check(lambda M, *xs: getattr(M, fname)(xs), *arrays)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)])
def test_atleast(shape):
    for n in (1, 2, 3):
        f = f"atleast_{n}d"
        check(lambda M, x, f=f: getattr(M, f)(x), make(shape))
        check(lambda M, x, y, f=f: getattr(M, f)(x, y), make(shape), make((2,)))
        check(lambda M, x, y, f=f: getattr(M, f)([x, y]), make(shape), make((2,)))
        view_check(lambda M, x, f=f: getattr(M, f)(x), make(shape))


# --- split / chunk / unbind --------------------------------------------------------------------
@pytest.mark.parametrize("size,dim", [(2, 0), (2, 1), (3, -1), (1, 0), (10, 1), ([1, 3], 1),
                                      ([0, 4], -1), ([2], 0), ((1, 1, 2), 1)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_split(size, dim, dtype):
    a = make((2, 4), dtype)
    check(lambda M, x: M.split(x, size, dim), a)
    check(lambda M, x: x.split(size, dim=dim), a)
    view_check(lambda M, x: x.split(size, dim), a)


def test_split_empty_dim():
    check(lambda M, x: x.split(2), make((0, 3)))
    check(lambda M, x: x.split(0), make((0, 3)))
    check(lambda M, x: x.chunk(3), make((0, 3)))
    check(lambda M, x: x.unbind(0), make((0, 3)))
    assert ember.zeros(0, 3).unbind() == ()


@pytest.mark.parametrize("fn", [lambda M, x: x.split([1, 1], 1), lambda M, x: x.split(0, 1),
                                lambda M, x: x.split(-1, 1), lambda M, x: x.split(2, 2),
                                lambda M, x: x.split([5, -1], 1), lambda M, x: x.chunk(0),
                                lambda M, x: x.chunk(-1), lambda M, x: x.chunk(2, 3),
                                lambda M, x: x.unbind(2), lambda M, x: x.tensor_split(0),
                                lambda M, x: x.split(1.5)])
def test_split_errors(fn):
    check_raises(fn, make((2, 4)))


def test_split_0d_errors():
    for fn in (lambda M, x: x.split(1), lambda M, x: x.chunk(1), lambda M, x: x.unbind(),
               lambda M, x: x.tensor_split(2)):
        check_raises(fn, make(()))


@pytest.mark.parametrize("n,chunks,dim", [(5, 4, 0), (5, 2, 0), (6, 3, 0), (3, 5, 0), (4, 1, 1),
                                          (1, 3, 0), (7, 3, -1)])
def test_chunk(n, chunks, dim):
    a = make((n, n))
    check(lambda M, x: M.chunk(x, chunks, dim), a)
    check(lambda M, x: x.chunk(chunks, dim=dim), a)
    view_check(lambda M, x: x.chunk(chunks, dim), a)


@pytest.mark.parametrize("arg", [3, 1, 8, [1, 5, 3, 9], [2, 2], [], [-2], (0, 7), [-10, 3]])
def test_tensor_split(arg):
    a = make((7, 3))
    check(lambda M, x: M.tensor_split(x, arg), a)
    check(lambda M, x: x.tensor_split(arg, dim=0), a)
    check(lambda M, x: M.tensor_split(x.t(), arg, 1), a)
    if isinstance(arg, list) and arg:
        check(lambda M, x, i: M.tensor_split(x, i), a, np.array(arg))
    view_check(lambda M, x: x.tensor_split(arg), a, write=False)


@pytest.mark.parametrize("fname,shape,arg", [("hsplit", (4, 6), 3), ("hsplit", (6,), 2),
                                             ("vsplit", (4, 6), [1, 3]), ("dsplit", (2, 2, 4), 2),
                                             ("hsplit", (4, 6), 4), ("vsplit", (4,), 2),
                                             ("dsplit", (2, 4), 2)])
def test_hvdsplit(fname, shape, arg):
    a = make(shape)
    try:
        getattr(torch, fname)(torch.from_numpy(a), arg)
    except RuntimeError:
        check_raises(lambda M, x: getattr(M, fname)(x, arg), a)
        return
    check(lambda M, x: getattr(M, fname)(x, arg), a)
    check(lambda M, x: getattr(x, fname)(arg), a)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("dtype", DTYPES)
def test_unbind(dim, dtype):
    a = make((2, 3, 4), dtype)
    check(lambda M, x: M.unbind(x, dim), a)
    check(lambda M, x: x.unbind(dim=dim), a)
    view_check(lambda M, x: x.unbind(dim), a)


def test_multi_output_partial_use():
    """Only some outputs reach the loss: the others contribute zero gradient."""
    a = make((6, 6))
    check(lambda M, x: M.split(x, 2, 1)[1] * 3, a)
    check(lambda M, x: x.chunk(3)[0].sum() + x.chunk(3)[2].sum(), a)
    check(lambda M, x: x.unbind(1)[4], a)
    check(lambda M, x: x.tensor_split([1, 5, 3])[1] + x.tensor_split([1, 5, 3])[3][:1], a)
    check(lambda M, x: list(x)[2], a)


def test_iteration_unbinds():
    e, t = both(make((3, 2)))
    for re, rt in zip(e, t):
        same_layout(re, rt)
        np.testing.assert_array_equal(re.numpy(), rt.numpy())


# --- narrow / select / diagonal ----------------------------------------------------------------
@pytest.mark.parametrize("dim,start,length", [(0, 0, 1), (1, 1, 2), (-1, 2, 2), (2, -1, 1),
                                              (1, 3, 0), (2, -4, 4)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_narrow(dim, start, length, dtype):
    a = make((2, 3, 4), dtype)
    check(lambda M, x: M.narrow(x, dim, start, length), a)
    check(lambda M, x: x.narrow(dim, M.tensor(start), length), a)
    view_check(lambda M, x: x.narrow(dim, start, length), a)
    view_check(lambda M, x: x.transpose(0, 1).transpose(0, 1)[:, :, 1:].narrow(0, 1, 1), a)
    view_check(lambda M, x: x.transpose(0, 2).narrow(1, start % 3, 1), a)


@pytest.mark.parametrize("fn", [lambda M, x: x.narrow(2, 3, 2), lambda M, x: x.narrow(2, 0, -1),
                                lambda M, x: x.narrow(3, 0, 1), lambda M, x: x.narrow(2, 5, 0),
                                lambda M, x: x.narrow(2, -5, 1)])
def test_narrow_errors(fn):
    check_raises(fn, make((2, 3, 4)))


@pytest.mark.parametrize("dim,index", [(0, 1), (1, -1), (-1, 2), (2, 0)])
def test_select(dim, index):
    a = make((2, 3, 4))
    check(lambda M, x: M.select(x, dim, index), a)
    check(lambda M, x: x.select(dim, index), a)
    view_check(lambda M, x: x.select(dim, index), a)
    check_raises(lambda M, x: x.select(dim, 5), a)


@pytest.mark.parametrize("offset,d1,d2", [(0, 0, 1), (1, 1, 2), (-1, 2, 0), (2, -1, -2),
                                          (10, 1, 2), (-2, 0, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_diagonal(offset, d1, d2, dtype):
    a = make((3, 4, 5), dtype)
    check(lambda M, x: M.diagonal(x, offset, d1, d2), a)
    check(lambda M, x: x.diagonal(offset=offset, dim1=d1, dim2=d2), a)
    view_check(lambda M, x: x.diagonal(offset, d1, d2), a)
    view_check(lambda M, x: x.transpose(0, 2).diagonal(offset, d1, d2), a)


def test_diagonal_errors():
    check_raises(lambda M, x: x.diagonal(0, 1, 1), make((3, 4)))
    check_raises(lambda M, x: x.diagonal(), make((3,)))
    check_raises(lambda M, x: x.diagonal(0, 0, 2), make((3, 4)))


# --- flip / roll -------------------------------------------------------------------------------
@pytest.mark.parametrize("dims", [(0,), (1, 2), (-1,), (), (0, 1, 2)])
@pytest.mark.parametrize("dtype", DTYPES + ["bool"])
def test_flip(dims, dtype):
    a = make((2, 3, 4), dtype)
    check(lambda M, x: M.flip(x, dims), a)
    if dims:
        check(lambda M, x: x.flip(*dims), a)
    else:
        check_raises(lambda M, x: x.flip(), a)
    check(lambda M, x: x.flip(list(dims)), a)
    e = ember.from_numpy(a.copy())
    assert not np.shares_memory(e.flip(list(dims)).numpy(), e.numpy())


def test_flip_lr_ud():
    for shape in [(2, 3), (2, 3, 4)]:
        check(lambda M, x: M.fliplr(x), make(shape))
        check(lambda M, x: x.flipud(), make(shape))
    check(lambda M, x: M.flipud(x), make((3,)))
    check_raises(lambda M, x: M.fliplr(x), make((3,)))
    check_raises(lambda M, x: M.flipud(x), make(()))
    check_raises(lambda M, x: M.flip(x, (0, 0)), make((3,)))
    check_raises(lambda M, x: M.flip(x, (1,)), make((3,)))
    check(lambda M, x: x.flip(0), make((3,)))
    check(lambda M, x: M.flip(x, ()), make(()))


@pytest.mark.parametrize("shifts,dims", [(1, None), (-7, None), (1, 0), ((1, 2), (0, 2)),
                                         (5, -1), ((1, -1), (1, 1)), (0, 1)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_roll(shifts, dims, dtype):
    a = make((2, 3, 4), dtype)
    check(lambda M, x: M.roll(x, shifts, dims), a)
    check(lambda M, x: x.roll(shifts, dims=dims), a)
    check(lambda M, x: x.transpose(0, 2).roll(shifts, dims=dims), a)


def test_roll_errors_and_edges():
    check_raises(lambda M, x: M.roll(x, (1, 2), (0,)), make((2, 3)))
    check_raises(lambda M, x: M.roll(x, (1, 2)), make((2, 3)))
    check_raises(lambda M, x: M.roll(x, 1, 2), make((2, 3)))
    check(lambda M, x: M.roll(x, 2), make((0, 3)))
    check(lambda M, x: M.roll(x, 2), make(()))


# --- gradients: finite differences, first and second order -------------------------------------
GRAD_FNS = [
    lambda M, x: x.view(4, 3) * x.reshape(4, 3),
    lambda M, x: x.t().reshape(-1) ** 2,
    lambda M, x: x.permute(1, 0).unsqueeze(1) ** 2,
    lambda M, x: x[:1].expand(3, 3, 4) ** 2,
    lambda M, x: x.unsqueeze(0).squeeze() ** 2,
    lambda M, x: x.narrow(1, 1, 2) ** 2,
    lambda M, x: x.diagonal(1) ** 2,
    lambda M, x: x.flatten() * x.unflatten(1, (2, 2)).flatten(),
    lambda M, x: M.stack(x.split([1, 3], 1)[1].unbind(0)) ** 2,
    lambda M, x: M.cat([x, x.chunk(2, 1)[0] ** 2], 1),
    lambda M, x: M.cat(x.tensor_split([1, 3, 2], 1), 1) ** 2,
    lambda M, x: x.repeat(2, 1, 2) ** 2,
    lambda M, x: M.tile(x, (2,)) ** 2,
    lambda M, x: x.repeat_interleave(2, 1) ** 2,
    lambda M, x: x.repeat_interleave(M.tensor([2, 0, 1]), 0) ** 2,
    lambda M, x: x.flip(0, 1) * x,
    lambda M, x: x.roll((1, 2), (0, 1)) * x,
    lambda M, x: x.roll(5) * x,
    lambda M, x: M.movedim(x, 0, 1) ** 2,
    lambda M, x: M.broadcast_tensors(x, x[:1])[1] ** 2,
    lambda M, x: M.hstack([x, x])[:, 2:6] * M.vstack([x, x])[2:5],
]


@pytest.mark.parametrize("fn", GRAD_FNS)
def test_gradcheck(fn):
    a = randn(3, 4, dtype=np.float64, seed=3)
    gradcheck(fn, a, gradgrad=True)
    check(fn, a.astype(np.float32))


# --- hypothesis: layouts and shapes ------------------------------------------------------------
@st.composite
def strided_case(draw):
    """A base shape, a permutation and per-dim slices, and a target shape with the same
    number of elements (often size-1 dims and -1)."""
    nd = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=nd, max_size=nd)))
    perm = draw(st.permutations(range(nd)))
    sl = []
    for s in shape:
        start = draw(st.integers(0, s - 1))
        step = draw(st.integers(1, 2))
        sl.append(slice(start, None, step))
    sizes = [len(range(*slc.indices(s))) for slc, s in zip(sl, shape)]
    sizes = [sizes[p] for p in perm]
    n = int(np.prod(sizes))
    # factor n into a random target shape
    target = []
    m = n
    for _ in range(draw(st.integers(0, 3))):
        divs = [d for d in range(1, m + 1) if m % d == 0]
        d = draw(st.sampled_from(divs))
        target.append(d)
        m //= d
    target.append(m)
    target = draw(st.permutations(target))
    if draw(st.booleans()):
        target = list(target)
        target.insert(draw(st.integers(0, len(target))), 1)
    if draw(st.booleans()) and target:
        target = list(target)
        target[draw(st.integers(0, len(target) - 1))] = -1
    return shape, tuple(perm), tuple(sl), tuple(target)


@settings(max_examples=100)
@given(strided_case())
def test_view_reshape_layout_fuzz(case):
    shape, perm, sl, target = case
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    e, t = both(a)
    pe, pt = e[sl].permute(perm), t[sl].permute(perm)
    same_layout(pe, pt)
    try:
        vt = pt.view(target)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            pe.view(target)
    else:
        ve = pe.view(target)
        same_layout(ve, vt)
        np.testing.assert_array_equal(ve.numpy(), vt.numpy())
    re, rt = pe.reshape(target), pt.reshape(target)
    same_layout(re, rt)
    assert np.shares_memory(re.numpy(), e.numpy()) == (rt.untyped_storage().data_ptr()
                                                       == t.untyped_storage().data_ptr())
    np.testing.assert_array_equal(re.numpy(), rt.numpy())
    for d in range(-len(perm) - 1, len(perm) + 1):
        same_layout(pe.unsqueeze(d), pt.unsqueeze(d))


@given(st.lists(st.integers(1, 3), min_size=0, max_size=3), st.data())
def test_expand_layout_fuzz(shape, data):
    target = [data.draw(st.sampled_from([s, -1] if s != 1 else [1, 2, 3, -1])) for s in shape]
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2))
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    e, t = both(a)
    same_layout(e.expand(lead + target), t.expand(lead + target))
    same_layout(e.t().expand(lead + target[::-1]) if len(shape) == 2 else e,
                t.t().expand(lead + target[::-1]) if len(shape) == 2 else t)


@given(st.lists(st.lists(st.integers(1, 3), min_size=0, max_size=3), min_size=1, max_size=3))
def test_broadcast_shapes_fuzz(shapes):
    try:
        expect = tuple(torch.broadcast_shapes(*shapes))
    except RuntimeError:
        with pytest.raises(RuntimeError):
            ember.broadcast_shapes(*shapes)
    else:
        assert tuple(ember.broadcast_shapes(*shapes)) == expect


@given(st.integers(1, 3), st.data())
def test_cat_split_fuzz(nd, data):
    shape = data.draw(st.lists(st.integers(0, 3), min_size=nd, max_size=nd))
    dim = data.draw(st.integers(-nd, nd - 1))
    parts = []
    for k in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[dim] = data.draw(st.integers(0, 3))
        parts.append(make(tuple(s), seed=k))
    check(lambda M, *xs: M.cat(xs, dim), *parts)
    total = sum(p.shape[dim] for p in parts)
    size = data.draw(st.integers(1, 4))
    full = make(tuple(parts[0].shape[:dim % nd]) + (total,) + tuple(parts[0].shape[dim % nd + 1:]))
    check(lambda M, x: M.split(x, size, dim), full)
    check(lambda M, x: M.chunk(x, size, dim), full)


# --- unfold ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dim,size,step", [(2, 2, 1), (1, 2, 2), (-1, 4, 3), (2, 0, 1), (0, 1, 1),
                                           (2, 3, 1), (2, 1, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_unfold(dim, size, step, dtype):
    a = make((2, 3, 4), dtype)
    check(lambda M, x: x.unfold(dim, size, step), a)
    view_check(lambda M, x: x.unfold(dim, size, step), a, write=size <= step)
    view_check(lambda M, x: x.transpose(0, 2).unfold(dim % 3 if dim % 3 != 2 else 0, 1, 1), a)


def test_unfold_0d_errors_and_grad():
    check(lambda M, x: x.unfold(0, 1, 1), make(()))
    for fn in (lambda M, x: x.unfold(2, 5, 1), lambda M, x: x.unfold(2, 2, 0),
               lambda M, x: x.unfold(3, 1, 1), lambda M, x: x.unfold(2, -1, 1)):
        check_raises(fn, make((2, 3, 4)))
    gradcheck(lambda M, x: x.unfold(1, 3, 1) ** 2, make((2, 5), "float64"), gradgrad=True)
    gradcheck(lambda M, x: x.unfold(0, 4, 1) ** 2, make((5, 2), "float64"), gradgrad=True)
