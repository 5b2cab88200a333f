"""nn.functional against torch: values, dtypes, gradients; float64 gradchecks."""
import numpy as np
import pytest
import torch

import ember
import ember.nn  # noqa: F401
from tests.helpers import check, check_raises, gradcheck, rand, randint, randn


def F(M):
    return M.nn.functional


X = randn(3, 4)
X4 = randn(2, 4, 3, 3)

UNARY = {
    "relu": lambda M, x: F(M).relu(x),
    "relu6": lambda M, x: F(M).relu6(x * 4),
    "leaky_relu": lambda M, x: F(M).leaky_relu(x, 0.2),
    "elu": lambda M, x: F(M).elu(x, 0.7),
    "selu": lambda M, x: F(M).selu(x),
    "celu": lambda M, x: F(M).celu(x, 1.3),
    "gelu": lambda M, x: F(M).gelu(x),
    "gelu_tanh": lambda M, x: F(M).gelu(x, approximate="tanh"),
    "silu": lambda M, x: F(M).silu(x),
    "mish": lambda M, x: F(M).mish(x),
    "sigmoid": lambda M, x: F(M).sigmoid(x),
    "tanh": lambda M, x: F(M).tanh(x),
    "hardtanh": lambda M, x: F(M).hardtanh(x, -0.5, 0.7),
    "hardsigmoid": lambda M, x: F(M).hardsigmoid(x * 4),
    "hardswish": lambda M, x: F(M).hardswish(x * 4),
    "softplus": lambda M, x: F(M).softplus(x, beta=2, threshold=1.5),
    "softsign": lambda M, x: F(M).softsign(x),
    "threshold": lambda M, x: F(M).threshold(x, 0.1, 20.0),
    "glu": lambda M, x: F(M).glu(x, 1),
    "logsigmoid": lambda M, x: F(M).logsigmoid(x * 10),
    "tanhshrink": lambda M, x: F(M).tanhshrink(x),
    "softshrink": lambda M, x: F(M).softshrink(x, 0.3),
    "hardshrink": lambda M, x: F(M).hardshrink(x, 0.3),
    "softmax": lambda M, x: F(M).softmax(x, 1),
    "softmax0": lambda M, x: F(M).softmax(x, dim=0),
    "log_softmax": lambda M, x: F(M).log_softmax(x * 30, -1),
    "softmin": lambda M, x: F(M).softmin(x, 1),
    "normalize": lambda M, x: F(M).normalize(x),
    "normalize_p1": lambda M, x: F(M).normalize(x, p=1, dim=0),
    "layer_norm": lambda M, x: F(M).layer_norm(x, (4,)),
    "pad_const": lambda M, x: F(M).pad(x, (1, 2, 0, 1), value=0.5),
    "pad_neg": lambda M, x: F(M).pad(x, (-1, 2)),
    "pad_reflect": lambda M, x: F(M).pad(x.reshape(1, 3, 4), (2, 1), mode="reflect"),
    "pad_replicate": lambda M, x: F(M).pad(x.reshape(1, 1, 3, 4), (2, 1, 1, 2), mode="replicate"),
    "pad_circular": lambda M, x: F(M).pad(x.reshape(1, 1, 3, 4), (2, 1, 1, 2), mode="circular"),
    "dropout_eval": lambda M, x: F(M).dropout(x, 0.5, training=False),
    "rrelu_eval": lambda M, x: F(M).rrelu(x, 0.1, 0.3),
    "alpha_dropout_eval": lambda M, x: F(M).alpha_dropout(x, 0.5),
}


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_unary(name, dt):
    check(UNARY[name], X.astype(dt), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", [n for n in UNARY if n not in ("dropout_eval",
                                                                   "alpha_dropout_eval")])
def test_unary_gradcheck(name):
    x = randn(3, 4, dtype=np.float64, seed=3)
    # keep away from kinks
    x = np.where(np.abs(x) < 0.05, 0.3, x)
    if name in ("hardtanh", "threshold", "softshrink", "hardshrink"):
        x = np.where(np.abs(np.abs(x) - 0.3) < 0.05, 0.9, x)
        x = np.where(np.abs(x - 0.1) < 0.05, 0.9, x)
        x = np.where(np.abs(x - 0.7) < 0.05, 0.9, x)
    if name in ("relu6", "hardsigmoid", "hardswish"):
        x = np.where(np.abs(np.abs(x * 4) - 3) < 0.2, 0.2, x)
        x = np.where(np.abs(x * 4 - 6) < 0.2, 0.2, x)
    gradcheck(UNARY[name], x, gradgrad=name not in ("relu", "hardtanh", "relu6"))


def test_relu_int_and_inplace():
    check(lambda M, x: F(M).relu(x), randint(-3, 3, 5))
    check(lambda M, x: F(M).relu(x.clone(), inplace=True), X)
    check(lambda M, x: F(M).leaky_relu(x * 1, 0.1, inplace=True), X)
    check(lambda M, x: F(M).elu(x * 1, inplace=True), X)


def test_prelu_linear_bilinear():
    check(lambda M, x, w: F(M).prelu(x, w), X4, rand(4))
    check(lambda M, x, w: F(M).prelu(x, w), X4, rand(1))
    check(lambda M, x, w, b: F(M).linear(x, w, b), randn(5, 3), randn(4, 3), randn(4))
    check(lambda M, x, w: F(M).linear(x, w), randn(2, 5, 3), randn(4, 3))
    check(lambda M, a, b, w, c: F(M).bilinear(a, b, w, c), randn(5, 3), randn(5, 2),
          randn(4, 3, 2), randn(4), rtol=1e-5, atol=1e-5)
    gradcheck(lambda M, a, b, w, c: F(M).bilinear(a, b, w, c), randn(2, 3), randn(2, 2),
              randn(2, 3, 2), randn(2), gradgrad=True)


def test_softmax_dtype_and_errors():
    check(lambda M, x: F(M).softmax(x, 1, dtype=M.float64), X)
    check(lambda M, x: F(M).log_softmax(x, 0), randn())
    check_raises(lambda M, x: F(M).softmax(x, 0), randint(0, 3, 4))
    check_raises(lambda M, x: F(M).softmax(x, 3), X)
    check_raises(lambda M, x: F(M).glu(x, 1), randn(2, 3))


def test_one_hot_embedding():
    check(lambda M, t: F(M).one_hot(t), randint(0, 5, 2, 3), grad=False)
    check(lambda M, t: F(M).one_hot(t, 7), randint(0, 5, 4), grad=False)
    check_raises(lambda M, t: F(M).one_hot(t, 3), randint(3, 5, 4))
    check_raises(lambda M, t: F(M).one_hot(t.int(), 3), randint(0, 2, 4))
    idx = np.array([[0, 2, 1], [2, 2, 3]])
    check(lambda M, w: F(M).embedding(M.from_numpy(idx), w), randn(4, 3))
    check(lambda M, w: F(M).embedding(M.from_numpy(idx), w, padding_idx=2), randn(4, 3))
    check_raises(lambda M, w: F(M).embedding(M.from_numpy(idx), w), randn(3, 3))


def test_embedding_max_norm():
    w = randn(5, 3) * 3
    idx = np.array([0, 2, 2])
    we, wt = ember.from_numpy(w.copy()), torch.from_numpy(w.copy())
    oe = F(ember).embedding(ember.from_numpy(idx), we, max_norm=1.0)
    ot = F(torch).embedding(torch.from_numpy(idx), wt, max_norm=1.0)
    np.testing.assert_allclose(oe.numpy(), ot.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(we.numpy(), wt.numpy(), rtol=1e-5, atol=1e-6)


def test_distances():
    a, b = randn(4, 5), randn(4, 5)
    check(lambda M, a, b: F(M).cosine_similarity(a, b), a, b)
    check(lambda M, a, b: F(M).cosine_similarity(a, b, dim=0), a, b)
    check(lambda M, a, b: F(M).pairwise_distance(a, b), a, b)
    check(lambda M, a, b: F(M).pairwise_distance(a, b, p=1, keepdim=True), a, b)
    gradcheck(lambda M, a, b: F(M).cosine_similarity(a, b), randn(2, 3), randn(2, 3),
              gradgrad=True)


def test_norms():
    x = randn(4, 6, 3, 2)
    check(lambda M, x, w, b: F(M).layer_norm(x, (3, 2), w, b), x, randn(3, 2), randn(3, 2),
          rtol=1e-4, atol=1e-5)
    check(lambda M, x, w, b: F(M).group_norm(x, 3, w, b), x, randn(6), randn(6), rtol=1e-4,
          atol=1e-5)
    check(lambda M, x, w, b: F(M).batch_norm(x, None, None, w, b, training=True), x, randn(6),
          randn(6), rtol=1e-4, atol=1e-5)
    rm, rv = randn(6), rand(6, low=0.5, high=2)
    check(lambda M, x, w, b: F(M).batch_norm(x, M.from_numpy(rm.copy()),
                                             M.from_numpy(rv.copy()), w, b), x, randn(6),
          randn(6), rtol=1e-4, atol=1e-5)
    check(lambda M, x: F(M).instance_norm(x), x, rtol=1e-4, atol=1e-5)
    check(lambda M, x: F(M).local_response_norm(x, 3), x * 10, rtol=1e-4, atol=1e-5)
    check(lambda M, x: F(M).local_response_norm(x, 2, k=2.0), x * 10, rtol=1e-4, atol=1e-5)
    gradcheck(lambda M, x, w, b: F(M).layer_norm(x, (3,), w, b), randn(2, 3), randn(3),
              randn(3), gradgrad=True)
    gradcheck(lambda M, x: F(M).group_norm(x, 2), randn(2, 4, 3), gradgrad=True)
    gradcheck(lambda M, x: F(M).local_response_norm(x, 3), randn(2, 4, 3), gradgrad=True)
    check_raises(lambda M, x: F(M).group_norm(x, 4), x)
    check_raises(lambda M, x: F(M).layer_norm(x, (4,)), x)
    check_raises(lambda M, x: F(M).batch_norm(x, None, None, training=True), randn(1, 3))


def test_batch_norm_running_stats():
    x = randn(5, 3)
    out = {}
    for M in (ember, torch):
        rm, rv = M.zeros(3), M.ones(3)
        F(M).batch_norm(M.from_numpy(x.copy()), rm, rv, training=True, momentum=0.3)
        out[M.__name__] = (rm.numpy().copy(), rv.numpy().copy())
    np.testing.assert_allclose(out["ember"][0], out["torch"][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["ember"][1], out["torch"][1], rtol=1e-5, atol=1e-6)


def test_dropout():
    ember.manual_seed(0)
    x = ember.ones(1000)
    y = F(ember).dropout(x, 0.3)
    kept = y._data != 0
    assert 0.6 < kept.mean() < 0.8
    np.testing.assert_allclose(y._data[kept], 1 / 0.7, rtol=1e-6)
    assert F(ember).dropout(x, 0.3, training=False) is x
    assert float(F(ember).dropout(x, 1.0).sum()) == 0
    z = F(ember).dropout2d(ember.ones(4, 8, 3, 3), 0.5)
    per_channel = z._data.reshape(4, 8, 9)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))
    check_raises(lambda M, x: F(M).dropout(x, 1.5), X)
    xr = ember.ones(3, 3, requires_grad=True)
    F(ember).dropout(xr, 0.5).sum().backward()
    assert set(np.unique(xr.grad._data)) <= {0.0, 2.0}


CLS = randint(0, 4, 5)
W4 = rand(4, seed=7)
W34 = rand(3, 4, seed=8)


def _w(M, x, shape=(4,)):
    """A class-weight tensor (not requiring grad) in ``x``'s dtype."""
    w = W4 if shape == (4,) else W34
    return M.from_numpy(w.astype(np.float64 if x.dtype == M.float64 else np.float32))
CLS_IGN = np.array([0, -100, 3, 1, -100])
LOSSES = {
    "mse": (lambda M, a, b: F(M).mse_loss(a, b), (randn(3, 4), randn(3, 4))),
    "mse_sum": (lambda M, a, b: F(M).mse_loss(a, b, reduction="sum"), (randn(3, 4),
                                                                        randn(3, 4))),
    "l1_none": (lambda M, a, b: F(M).l1_loss(a, b, reduction="none"), (randn(3, 4),
                                                                       randn(3, 4))),
    "smooth_l1": (lambda M, a, b: F(M).smooth_l1_loss(a, b, beta=0.5), (randn(3, 4),
                                                                         randn(3, 4))),
    "huber": (lambda M, a, b: F(M).huber_loss(a, b, delta=0.7), (randn(3, 4), randn(3, 4))),
    "ce": (lambda M, x: F(M).cross_entropy(x, M.from_numpy(CLS)), (randn(5, 4),)),
    "ce_weight_ignore": (lambda M, x: F(M).cross_entropy(
        x, M.from_numpy(CLS_IGN), weight=_w(M, x)), (randn(5, 4),)),
    "ce_smooth": (lambda M, x: F(M).cross_entropy(
        x, M.from_numpy(CLS_IGN), weight=_w(M, x), label_smoothing=0.2), (randn(5, 4),)),
    "ce_smooth_sum": (lambda M, x: F(M).cross_entropy(
        x, M.from_numpy(CLS_IGN), label_smoothing=0.1, reduction="sum"), (randn(5, 4),)),
    "ce_smooth_none": (lambda M, x: F(M).cross_entropy(
        x, M.from_numpy(CLS_IGN), label_smoothing=0.1, reduction="none"), (randn(5, 4),)),
    "ce_probs": (lambda M, x, p: F(M).cross_entropy(x, p.softmax(1), label_smoothing=0.1),
                 (randn(5, 4), randn(5, 4))),
    "ce_probs_w": (lambda M, x, p: F(M).cross_entropy(x, p.softmax(1), weight=_w(M, x)),
                   (randn(5, 4), randn(5, 4))),
    "ce_spatial": (lambda M, x: F(M).cross_entropy(x, M.from_numpy(randint(0, 3, 2, 4, 5,
                                                                           seed=4))),
                   (randn(2, 3, 4, 5),)),
    "ce_unbatched": (lambda M, x: F(M).cross_entropy(x, M.tensor(2)), (randn(4),)),
    "nll": (lambda M, x: F(M).nll_loss(x, M.from_numpy(CLS), reduction="none"),
            (randn(5, 4),)),
    "bce": (lambda M, x, t: F(M).binary_cross_entropy(x, t, _w(M, x, (3, 4))),
            (rand(3, 4, low=0.05, high=0.95), rand(3, 4))),
    "bce_logits": (lambda M, x, t: F(M).binary_cross_entropy_with_logits(x * 20, t),
                   (randn(3, 4), rand(3, 4))),
    "bce_logits_pw": (lambda M, x, t: F(M).binary_cross_entropy_with_logits(
        x, t, pos_weight=_w(M, x), reduction="sum"), (randn(3, 4), rand(3, 4))),
    "kl": (lambda M, x, t: F(M).kl_div(x.log_softmax(1), t.softmax(1),
                                       reduction="batchmean"), (randn(3, 4), randn(3, 4))),
    "kl_log": (lambda M, x, t: F(M).kl_div(x, t, reduction="sum", log_target=True),
               (randn(3, 4), randn(3, 4))),
    "cos_emb": (lambda M, a, b: F(M).cosine_embedding_loss(
        a, b, M.tensor([1, -1, 1, -1]), margin=0.1), (randn(4, 5), randn(4, 5))),
    "margin_rank": (lambda M, a, b: F(M).margin_ranking_loss(
        a, b, M.tensor([1.0, -1.0, 1.0, -1.0]), margin=0.2), (randn(4), randn(4))),
    "triplet": (lambda M, a, p, n: F(M).triplet_margin_loss(a, p, n, swap=True),
                (randn(4, 5), randn(4, 5), randn(4, 5))),
    "poisson": (lambda M, x, t: F(M).poisson_nll_loss(x, t), (randn(3, 4), rand(3, 4) * 3)),
    "poisson_full": (lambda M, x, t: F(M).poisson_nll_loss(x, t, log_input=False, full=True),
                     (rand(3, 4, low=0.5, high=2), rand(3, 4) * 3)),
    "gaussian": (lambda M, x, t, v: F(M).gaussian_nll_loss(x, t, v, full=True),
                 (randn(3, 4), randn(3, 4), rand(3, 4, low=0.1, high=1))),
    "gaussian_1": (lambda M, x, t, v: F(M).gaussian_nll_loss(x, t, v),
                   (randn(3, 4), randn(3, 4), rand(3, 1, low=0.1, high=1))),
    "hinge": (lambda M, x: F(M).hinge_embedding_loss(x, M.tensor([1.0, -1.0, -1.0, 1.0])),
              (randn(4),)),
    "multi_margin": (lambda M, x: F(M).multi_margin_loss(x, M.from_numpy(CLS)),
                     (randn(5, 4),)),
    "multi_margin_p2": (lambda M, x: F(M).multi_margin_loss(
        x, M.from_numpy(CLS), p=2, margin=0.5, weight=_w(M, x), reduction="none"),
        (randn(5, 4),)),
    "multilabel_soft": (lambda M, x, t: F(M).multilabel_soft_margin_loss(x, t, _w(M, x)),
                        (randn(5, 4), rand(5, 4))),
    "soft_margin": (lambda M, x: F(M).soft_margin_loss(x, M.tensor([1.0, -1.0, -1.0, 1.0])),
                    (randn(4),)),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss(name):
    fn, arrays = LOSSES[name]
    check(fn, *arrays, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["mse", "smooth_l1", "ce", "ce_smooth", "ce_probs", "bce",
                                  "bce_logits_pw", "kl", "cos_emb", "triplet", "gaussian"])
def test_loss_gradcheck(name):
    fn, arrays = LOSSES[name]
    gradcheck(fn, *[a.astype(np.float64) for a in arrays], gradgrad=True)


def test_loss_errors():
    check_raises(lambda M, x: F(M).mse_loss(x, x, reduction="bad"), X)
    check_raises(lambda M, x: F(M).cross_entropy(x, M.tensor([0, 1, 9])), randn(3, 4))
    check_raises(lambda M, x: F(M).nll_loss(x, M.tensor([0, 1])), randn(3, 4))
    check_raises(lambda M, x: F(M).binary_cross_entropy(x, x), randn(3, 4) + 5)
    check_raises(lambda M, x, t: F(M).binary_cross_entropy(x, t), rand(3), rand(2))
    check_raises(lambda M, x, t: F(M).binary_cross_entropy_with_logits(x, t), rand(3), rand(2))


def test_random_activations_training():
    ember.manual_seed(0)
    x = ember.from_numpy(-np.ones(2000, np.float32))
    y = F(ember).rrelu(x, 0.1, 0.3, training=True)._data
    assert -0.3 <= y.min() and y.max() <= -0.1 and abs(y.mean() + 0.2) < 0.01
    z = F(ember).alpha_dropout(ember.randn(20000), 0.2, training=True)._data
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag(mode, padding_idx):
    inp = np.array([1, 2, 4, 5, 4, 3, 2, 9])
    off = np.array([0, 4, 4, 6])
    check(lambda M, w: F(M).embedding_bag(M.from_numpy(inp), w, M.from_numpy(off), mode=mode,
                                          padding_idx=padding_idx), randn(10, 3))
    check(lambda M, w: F(M).embedding_bag(M.from_numpy(inp.reshape(2, 4)), w, mode=mode,
                                          padding_idx=padding_idx), randn(10, 3))


def test_embedding_bag_weights_and_module():
    inp, off = np.array([1, 2, 4, 5, 4]), np.array([0, 2, 5])
    check(lambda M, w, p: F(M).embedding_bag(M.from_numpy(inp), w, M.from_numpy(off),
                                             mode="sum", per_sample_weights=p,
                                             include_last_offset=True), randn(10, 3), randn(5))
    from tests.nn.test_layers import compare
    compare("EmbeddingBag", (10, 3), {"mode": "max"}, [np.array([[1, 2], [3, 3]])])
    compare("EmbeddingBag", (10, 3), {"padding_idx": 1}, [np.array([[1, 2], [3, 3]])])


def test_embedding_scale_grad_by_freq():
    idx = np.array([[0, 2, 2], [2, 1, 0]])
    check(lambda M, w: F(M).embedding(M.from_numpy(idx), w, scale_grad_by_freq=True),
          randn(4, 3))
    check(lambda M, w: F(M).embedding(M.from_numpy(idx), w, padding_idx=0,
                                      scale_grad_by_freq=True), randn(4, 3))


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 5), (2, 3, 4, 5), (2, 3, 2, 2, 3)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_fused_op(shape, training, affine):
    """One op (NativeBatchNormBackward0): values and gradients of input, weight and bias,
    train and eval, 2-D to 5-D, against torch; second derivatives by finite differences."""
    rm, rv = randn(3), rand(3, low=0.5, high=2)
    wb = (randn(3), randn(3)) if affine else ()

    def f(M, x, *wb):
        w, b = wb if wb else (None, None)
        stats = (None, None) if training else (M.from_numpy(rm.copy()), M.from_numpy(rv.copy()))
        return F(M).batch_norm(x, *stats, w, b, training=training)
    check(f, randn(*shape), *wb, rtol=1e-4, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-5)
    x = ember.from_numpy(randn(*shape)).requires_grad_()
    assert f(ember, x).grad_fn.name() == "NativeBatchNormBackward0"
    if len(shape) <= 3:
        gradcheck(f, randn(*shape, dtype=np.float64),
                  *(a.astype(np.float64) for a in wb), gradgrad=True)


def test_batch_norm_half_precision():
    x = randn(4, 3, 5).astype(np.float16)
    check(lambda M, x: F(M).batch_norm(x, None, None, training=True), x, rtol=2e-3,
          atol=2e-3, grad_rtol=5e-3, grad_atol=5e-3)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_one_op(reduction, weighted):
    """nll_loss (and cross_entropy with class indices) is one NllLossBackward0 node, with
    ignore_index and class weights; values and gradients against torch, first and second
    derivatives by finite differences."""
    x = randn(5, 4, 3)
    t = np.array([[0, 3, 1], [2, -100, 3], [1, 1, 0], [3, 2, -100], [0, 0, 2]])
    w = rand(4, low=0.5, high=2.0) if weighted else None

    def f(M, x):
        wt = None if w is None else M.from_numpy(w.copy())
        return F(M).nll_loss(x, M.from_numpy(t), wt, ignore_index=-100, reduction=reduction)
    check(f, x)
    check(lambda M, x: F(M).cross_entropy(x, M.from_numpy(t), None if w is None else
                                          M.from_numpy(w.copy()), reduction=reduction), x,
          rtol=1e-5, atol=1e-6)
    assert f(ember, ember.from_numpy(x).requires_grad_()).grad_fn.name() == "NllLossBackward0"
    gradcheck(f, x.astype(np.float64), gradgrad=True)


def test_nll_loss_all_ignored_mean_is_nan():
    x = randn(2, 3)
    check(lambda M, x: F(M).nll_loss(x, M.tensor([-100, -100])), x)
