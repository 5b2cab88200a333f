"""F.ctc_loss and nn.CTCLoss against torch: values, gradients, reductions, errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
import ember.nn  # noqa: F401

from tests.helpers import check, check_raises, gradcheck, rand, randint, randn


def F(M):
    return M.nn.functional


def log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(x.dtype)


def concat(tg, tl):
    return np.concatenate([tg[n, :tl[n]] for n in range(len(tl))]).astype(tg.dtype)


def lens(M, v, as_tensor):
    return M.tensor(list(v)) if as_tensor else tuple(int(a) for a in v)


@settings(max_examples=40, deadline=None)
@given(T=st.integers(1, 7), N=st.integers(1, 3), C=st.integers(2, 5), S=st.integers(0, 4),
       seed=st.integers(0, 2 ** 16), packed=st.booleans(), raw=st.booleans(),
       reduction=st.sampled_from(["none", "mean", "sum"]), zero_inf=st.booleans(),
       f64=st.booleans(), as_tensor=st.booleans())
def test_ctc_loss_matches_torch(T, N, C, S, seed, packed, raw, reduction, zero_inf, f64,
                                as_tensor):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, N, C)).astype(np.float64 if f64 else np.float32)
    if not raw:                                       # torch's gradient formula assumes this
        x = log_softmax(x)
    blank = int(rng.integers(0, C))
    tl = rng.integers(0, S + 1, N)
    il = rng.integers(0, T + 1, N)
    tg = rng.integers(0, C, (N, S))                   # labels equal to blank included
    if packed:
        tg = concat(tg, tl)
    tol = 1e-10 if f64 else 1e-5
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, lens(M, il, as_tensor), lens(M, tl, as_tensor),
                                         blank=blank, reduction=reduction,
                                         zero_infinity=zero_inf),
          x, tg, rtol=tol, atol=tol, grad_rtol=1e-4 if not f64 else 1e-8,
          grad_atol=1e-4 if not f64 else 1e-8)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_ctc_loss_typical_batch(reduction):
    x = log_softmax(randn(12, 4, 6))
    tg = randint(1, 6, 4, 5)
    il, tl = (12, 10, 12, 7), (5, 3, 0, 4)
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, il, tl, reduction=reduction), x, tg,
          rtol=1e-5, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-5)
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, M.tensor(il, dtype=M.int32),
                                         M.tensor(tl, dtype=M.int32), reduction=reduction),
          x, concat(tg, tl).astype(np.int32), rtol=1e-5, atol=1e-5, grad_rtol=1e-4,
          grad_atol=1e-5)


def test_ctc_loss_long_confident_sequence():
    # peaked distributions, long input: log-space accuracy over many steps
    rng = np.random.default_rng(3)
    T, N, C, S = 60, 3, 8, 12
    x = log_softmax((rng.standard_normal((T, N, C)) * 8).astype(np.float32))
    tg = rng.integers(1, C, (N, S))
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, (60, 45, 30), (12, 9, 12), reduction="none"),
          x, tg, rtol=1e-5, atol=1e-4, grad_rtol=1e-4, grad_atol=1e-5)
    # raw scores of large magnitude (not log-probabilities): same formula as torch
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, (60, 45, 30), (12, 9, 12), reduction="sum"),
          (rng.standard_normal((T, N, C)) * 30).astype(np.float64), tg, rtol=1e-10,
          atol=1e-8, grad_rtol=1e-8, grad_atol=1e-8)


@pytest.mark.parametrize("red", ["none", "mean", "sum"])
def test_ctc_loss_unbatched(red):
    x = log_softmax(randn(6, 4))
    tg = randint(1, 4, 3)
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, M.tensor(6), M.tensor(3), reduction=red),
          x, tg, grad_rtol=1e-4, grad_atol=1e-5)
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, (5,), (2,)), x, tg[:2], grad_rtol=1e-4,
          grad_atol=1e-5)
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, M.tensor([6]), M.tensor([2]), reduction="none"),
          x, tg[None], grad_rtol=1e-4, grad_atol=1e-5)


@pytest.mark.parametrize("red", ["none", "mean", "sum"])
@pytest.mark.parametrize("zi", [False, True])
def test_ctc_loss_impossible_and_zero_infinity(red, zi):
    x = log_softmax(randn(4, 3, 5))
    tg = np.array([[1, 1, 2], [1, 2, 3], [3, 3, 3]])
    il, tl = (4, 2, 4), (3, 3, 3)          # 1 1 2 needs 4 steps; 3 in 2 steps and 3 3 3 in 4
    # are impossible: inf (nan gradients), or 0 with zero_infinity
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, il, tl, reduction=red, zero_infinity=zi),
          x, tg, grad_rtol=1e-4, grad_atol=1e-5)
    out = F(ember).ctc_loss(ember.from_numpy(x), ember.from_numpy(tg), il, tl, reduction="none")
    assert np.isinf(out.numpy()[1:]).all() and np.isfinite(out.numpy()[0])


def test_ctc_loss_empty_targets_and_lengths():
    x = log_softmax(randn(5, 3, 4))
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, (5, 0, 3), (0, 0, 0), reduction="none"),
          x, np.zeros((3, 0), np.int64))
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, (5, 0, 3), (0, 1, 2)), x,
          randint(1, 4, 3, 2), grad_rtol=1e-4, grad_atol=1e-5)
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, (1, 1, 1), (0, 1, 1), reduction="none"),
          x, np.array([2, 2]), grad_rtol=1e-4, grad_atol=1e-5)


def test_ctc_loss_dtypes():
    x = log_softmax(randn(5, 2, 4))
    for tdt in (np.int32, np.uint8, np.float32):     # torch converts targets to integers
        check(lambda M, lp, t: F(M).ctc_loss(lp, t, (5, 5), (2, 1), reduction="none"), x,
              np.array([[1, 2], [3, 0]]).astype(tdt), grad_rtol=1e-4, grad_atol=1e-5)
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, (M.tensor(5), 4), (2, 1)), x,
          np.array([[1, 2], [3, 0]]), grad_rtol=1e-4, grad_atol=1e-5)
    out = F(ember).ctc_loss(ember.from_numpy(x.astype(np.float64)), ember.tensor([[1], [2]]),
                            (5, 5), (1, 1))
    assert out.dtype == ember.float64


def test_ctc_loss_gradcheck():
    tg = np.array([[1, 2, 2], [2, 1, 0]])
    # through log_softmax, torch's gradient formula is the true derivative
    gradcheck(lambda M, x: F(M).ctc_loss(F(M).log_softmax(x, 2), M.tensor(tg), (5, 4), (3, 2)),
              randn(5, 2, 3, dtype=np.float64))
    gradcheck(lambda M, x: F(M).ctc_loss(F(M).log_softmax(x, 2), M.tensor(tg) + 1, (5, 4),
                                         (3, 2), blank=0, reduction="none"),
              randn(5, 2, 4, dtype=np.float64))
    gradcheck(lambda M, x: F(M).ctc_loss(F(M).log_softmax(x, 1), M.tensor(tg[0]), (5,), (3,),
                                         blank=3, reduction="sum"),
              randn(5, 4, dtype=np.float64))
    # (a target equal to the blank at a sample's end makes torch's gradient differ from the
    # derivative; ember follows torch there, see test_ctc_loss_matches_torch)


def test_ctc_loss_double_backward_raises():
    x = log_softmax(randn(5, 2, 4, dtype=np.float64))
    tg = np.array([[1, 2], [3, 1]])

    def f(M, lp, t):
        lp.requires_grad_()
        loss = F(M).ctc_loss(lp, t, (5, 4), (2, 2))
        (g,) = M.autograd.grad(loss, lp, create_graph=True)
        return M.autograd.grad(g.sum(), lp)

    e, _ = check_raises(f, x, tg)
    assert "ctc_loss_backward" in str(e)
    # create_graph itself works and gives the first derivative
    lp = ember.from_numpy(x.copy()).requires_grad_()
    (g,) = ember.autograd.grad(F(ember).ctc_loss(lp, ember.from_numpy(tg), (5, 4), (2, 2)), lp,
                               create_graph=True)
    lt = torch.from_numpy(x.copy()).requires_grad_()
    (gt,) = torch.autograd.grad(F(torch).ctc_loss(lt, torch.from_numpy(tg), (5, 4), (2, 2)), lt)
    np.testing.assert_allclose(g.detach().numpy(), gt.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kw", [{}, {"blank": 4, "reduction": "sum"},
                                {"zero_infinity": True, "reduction": "none"}])
def test_ctc_loss_module(kw):
    x = log_softmax(randn(6, 2, 5))
    tg = np.array([[1, 2, 3], [4, 4, 0]])
    assert repr(ember.nn.CTCLoss(**kw)) == repr(torch.nn.CTCLoss(**kw))
    check(lambda M, lp, t: M.nn.CTCLoss(**kw)(lp, t, M.tensor([6, 3]), M.tensor([3, 2])),
          x, tg, grad_rtol=1e-4, grad_atol=1e-5)
    m = ember.nn.CTCLoss(blank=3, zero_infinity=True)
    assert (m.blank, m.zero_infinity, m.reduction) == (3, True, "mean")
    check_raises(lambda M, lp, t: M.nn.CTCLoss(reduction="avg")(lp, t, (6, 3), (3, 2)), x, tg)


X = log_softmax(randn(6, 2, 4))
TG = np.array([[1, 2, 3], [2, 2, 1]])


@pytest.mark.parametrize("fn", [
    lambda M, lp, t: F(M).ctc_loss(lp, t, [6, 5], M.tensor([3, 2])),          # mixed kinds
    lambda M, lp, t: F(M).ctc_loss(lp, t, M.tensor([6, 5]), (3, 2)),
    lambda M, lp, t: F(M).ctc_loss(lp, t, 6, 3),                              # plain ints
    lambda M, lp, t: F(M).ctc_loss(lp, t, (6.0, 5.0), (3, 2)),                # float tuple
    lambda M, lp, t: F(M).ctc_loss(lp, t, (6, 5), (3, 2), blank=1.0),
    lambda M, lp, t: F(M).ctc_loss(lp, t, M.tensor([6.0, 5.0]), M.tensor([3, 2])),
    lambda M, lp, t: F(M).ctc_loss(lp, t, M.tensor([6, 5]), M.tensor([3.0, 2.0])),
    lambda M, lp, t: F(M).ctc_loss(lp, t, M.tensor([True, True]), M.tensor([1, 1])),
    lambda M, lp, t: F(M).ctc_loss(lp, t, (7, 5), (3, 2)),                    # il > T
    lambda M, lp, t: F(M).ctc_loss(lp, t, (6, 5), (4, 2)),                    # tl > S
    lambda M, lp, t: F(M).ctc_loss(lp, t, (-1, 5), (3, 2)),
    lambda M, lp, t: F(M).ctc_loss(lp, t, (6, 5), (-1, 2)),
    lambda M, lp, t: F(M).ctc_loss(lp, t, (6, 5), (3, 2), blank=4),
    lambda M, lp, t: F(M).ctc_loss(lp, t, (6, 5), (3, 2), blank=-1),
    lambda M, lp, t: F(M).ctc_loss(lp, t, (6, 5, 4), (3, 2)),
    lambda M, lp, t: F(M).ctc_loss(lp, t, (6, 5), (3,)),
    lambda M, lp, t: F(M).ctc_loss(lp, t[:1], (6, 5), (3, 2)),                # batch of targets
    lambda M, lp, t: F(M).ctc_loss(lp, t.flatten()[:4], (6, 5), (3, 2)),      # concat too short
    lambda M, lp, t: F(M).ctc_loss(lp, t[None], (6, 5), (3, 2)),              # 3-D targets
    lambda M, lp, t: F(M).ctc_loss(lp, t[0, 0], (6, 5), (3, 2)),              # 0-D targets
    lambda M, lp, t: F(M).ctc_loss(lp[None], t, (6, 5), (3, 2)),              # 4-D log_probs
    lambda M, lp, t: F(M).ctc_loss(lp[:, 0, 0], t[0], (6,), (3,)),            # 1-D log_probs
    lambda M, lp, t: F(M).ctc_loss(lp[0, 0, 0], t[0], (6,), (3,)),            # 0-D log_probs
    lambda M, lp, t: F(M).ctc_loss(lp[:, 0], t, (6,), (3,)),                  # unbatched, 2 rows
    lambda M, lp, t: F(M).ctc_loss(lp[:, 0], t[0], (6, 5), (3,)),
    lambda M, lp, t: F(M).ctc_loss(lp[:, :0], t[:0], (), ()),                 # empty
    lambda M, lp, t: F(M).ctc_loss(lp[:0], t, (0, 0), (0, 0)),
    lambda M, lp, t: F(M).ctc_loss(lp.long(), t, (6, 5), (3, 2)),             # integer input
    lambda M, lp, t: F(M).ctc_loss(lp, t, (6, 5), (3, 2), reduction="avg"),
    lambda M, lp, t: F(M).ctc_loss(lp, t, (6, 5), (3, 2), reduction=None),
    lambda M, lp, t: F(M).ctc_loss(lp.numpy(), t, (6, 5), (3, 2)),
])
def test_ctc_loss_errors(fn):
    check_raises(fn, X, TG)


def test_ctc_loss_target_out_of_range():
    # torch reads out of bounds here (undefined values); ember refuses with torch's type
    lp = ember.from_numpy(X)
    with pytest.raises(RuntimeError, match="target value 4 is out of range for 4 classes"):
        F(ember).ctc_loss(lp, ember.tensor([[1, 2, 4], [1, 1, 1]]), (6, 5), (3, 2))
    with pytest.raises(RuntimeError, match="target value -1"):
        F(ember).ctc_loss(lp, ember.tensor([1, 2, 3, -1, 1]), (6, 5), (3, 2))
    # entries past a sample's target length are padding: not looked at
    check(lambda M, lp, t: F(M).ctc_loss(lp, t, (6, 5), (2, 2)), X,
          np.array([[1, 2, 99], [1, 1, -5]]), grad_rtol=1e-4, grad_atol=1e-5)


def test_ctc_loss_elementwise_mean_is_deprecated():
    with pytest.warns(UserWarning, match="elementwise_mean"):
        out = F(ember).ctc_loss(ember.from_numpy(X), ember.from_numpy(TG), (6, 5), (3, 2),
                                reduction="elementwise_mean")
    with pytest.warns(UserWarning):
        ref = F(torch).ctc_loss(torch.from_numpy(X), torch.from_numpy(TG), (6, 5), (3, 2),
                                reduction="elementwise_mean")
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)


def test_top_level_ctc_loss_takes_enum_reductions():
    """torch.ctc_loss (not the functional) defaults to no reduction and takes 0/1/2."""
    x = np.log(rand(6, 2, 4, low=0.05, high=1.0))
    tg = randint(1, 4, 2, 2)
    for args in ((), (0, 1), (0, 2), (1, 0)):
        check(lambda M, lp, t, a=args: M.ctc_loss(lp, t, [6, 5], [2, 2], *a), x, tg,
              grad_rtol=1e-4, grad_atol=1e-5)
