"""Every layer against torch.nn: same constructor, torch's initial weights copied in through
load_state_dict, then outputs, input gradients and parameter gradients compared, plus
repr and state_dict keys; default initialisations checked statistically."""
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
import ember.nn  # noqa: F401
from tests.helpers import assert_same, rand, randint, randn


def _e(t):
    return ember.from_numpy(t.detach().numpy().copy())


def _arr(M, a, grad):
    t = M.from_numpy(a.copy())
    if grad and a.dtype.kind == "f":
        t.requires_grad_(True)
    return t


def _flat(o):
    if isinstance(o, (tuple, list)):
        return [y for x in o for y in _flat(x)]
    return [o]


def compare(name, args, kwargs, inputs, train=True, rtol=1e-5, atol=1e-5, double=False,
            steps=1, nograd=()):
    """Build ``nn.<name>(*args, **kwargs)`` in both, copy torch's state into ember, run
    ``steps`` forward/backward passes on ``inputs`` and compare everything."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(*args, **kwargs)
    em = getattr(ember.nn, name)(*args, **kwargs)
    if double:
        tm.double()
        em.double()
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)
    r = em.load_state_dict(OrderedDict((k, _e(v)) for k, v in tm.state_dict().items()))
    assert not r.missing_keys and not r.unexpected_keys
    tm.train(train)
    em.train(train)
    for _ in range(steps):
        ti = [_arr(torch, a, i not in nograd) for i, a in enumerate(inputs)]
        ei = [_arr(ember, a, i not in nograd) for i, a in enumerate(inputs)]
        to, eo = tm(*ti), em(*ei)
        tf, ef = _flat(to), _flat(eo)
        for i, (x, y) in enumerate(zip(ef, tf)):
            assert_same(x, y, rtol, atol, what=f"{name} output {i}")
        rng = np.random.default_rng(1)
        lt, le = 0, 0
        for x, y in zip(ef, tf):
            if y.dtype.is_floating_point and y.requires_grad:
                g = rng.standard_normal(tuple(y.shape)).astype(y.detach().numpy().dtype)
                lt = lt + (y * torch.from_numpy(g)).sum()
                le = le + (x * ember.from_numpy(g.copy())).sum()
        if isinstance(lt, int):
            continue
        lt.backward()
        le.backward()
        for i, (x, y) in enumerate(zip(ei, ti)):
            if y.grad is not None:
                assert_same(x.grad, y.grad, rtol * 10, atol * 10, what=f"{name} input grad {i}")
        ep = dict(em.named_parameters())
        for n, p in tm.named_parameters():
            if p.grad is not None:
                assert_same(ep[n].grad, p.grad, rtol * 10, atol * 10, what=f"{name} grad {n}")
    for n, b in tm.named_buffers():
        assert_same(dict(em.named_buffers())[n], b, rtol, atol, what=f"{name} buffer {n}")
    return em, tm


X2 = randn(4, 5)
X4 = randn(2, 3, 5, 5)
LAYERS = [
    ("Linear", (5, 3), {}, [X2]),
    ("Linear", (5, 3), {"bias": False}, [randn(2, 4, 5)]),
    ("Bilinear", (5, 2, 3), {}, [X2, randn(4, 2)]),
    ("Identity", (3,), {"x": 1}, [X2]),
    ("Flatten", (), {}, [X4]),
    ("Unflatten", (1, (5, 1)), {}, [X2]),
    ("ReLU", (), {}, [X2]),
    ("ReLU6", (), {}, [X2 * 4]),
    ("LeakyReLU", (0.2,), {}, [X2]),
    ("PReLU", (3,), {}, [X4]),
    ("PReLU", (), {"init": 0.1}, [X2]),
    ("ELU", (), {"alpha": 0.5}, [X2]),
    ("SELU", (), {}, [X2]),
    ("CELU", (1.5,), {}, [X2]),
    ("GELU", (), {}, [X2]),
    ("GELU", ("tanh",), {}, [X2]),
    ("SiLU", (), {}, [X2]),
    ("Mish", (), {}, [X2]),
    ("Sigmoid", (), {}, [X2]),
    ("Tanh", (), {}, [X2]),
    ("Hardtanh", (-0.5, 0.5), {}, [X2]),
    ("Hardsigmoid", (), {}, [X2 * 4]),
    ("Hardswish", (), {}, [X2 * 4]),
    ("Softplus", (2.0, 3.0), {}, [X2]),
    ("Softsign", (), {}, [X2]),
    ("Threshold", (0.1, 2.0), {}, [X2]),
    ("GLU", (), {}, [randn(4, 6)]),
    ("LogSigmoid", (), {}, [X2]),
    ("Softmax", (1,), {}, [X2]),
    ("LogSoftmax", (-1,), {}, [X2]),
    ("Softmin", (0,), {}, [X2]),
    ("Softmax2d", (), {}, [X4]),
    ("Dropout", (0.4,), {}, [X2]),
    ("AlphaDropout", (0.4,), {}, [X2]),
    ("RReLU", (0.1, 0.2), {}, [X2]),
    ("Embedding", (6, 3), {"padding_idx": 2}, [randint(0, 6, 3, 4)]),
    ("LayerNorm", ((5, 5),), {}, [X4]),
    ("LayerNorm", (5,), {"elementwise_affine": False}, [X2]),
    ("GroupNorm", (3, 6), {}, [randn(2, 6, 4)]),
    ("LocalResponseNorm", (3,), {}, [X4 * 5]),
    ("BatchNorm1d", (5,), {}, [X2]),
    ("BatchNorm1d", (3,), {"momentum": None}, [randn(4, 3, 6)]),
    ("BatchNorm2d", (3,), {"affine": False}, [X4]),
    ("BatchNorm2d", (3,), {"track_running_stats": False}, [X4]),
    ("InstanceNorm2d", (3,), {}, [X4]),
    ("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True}, [X4]),
    ("InstanceNorm1d", (3,), {}, [randn(3, 6)]),
]


@pytest.mark.parametrize("case", LAYERS, ids=lambda c: c[0] if isinstance(c, tuple) else "")
def test_layer_train(case):
    name, args, kwargs, inputs = case
    if name == "Identity":
        em = ember.nn.Identity(3, x=1)
        assert em(ember.ones(2)) is not None and repr(em) == repr(torch.nn.Identity())
        return
    if name in ("Dropout", "AlphaDropout", "RReLU"):
        compare(name, args, kwargs, inputs, train=False)
        return
    compare(name, args, kwargs, inputs, steps=2 if "Norm" in name else 1)


@pytest.mark.parametrize("case", [c for c in LAYERS if "Norm" in c[0]],
                         ids=lambda c: c[0])
def test_layer_eval(case):
    name, args, kwargs, inputs = case
    compare(name, args, kwargs, inputs, train=False)


def test_batchnorm_train_then_eval():
    em, tm = compare("BatchNorm2d", (3,), {"momentum": None}, [X4], steps=3)
    em.eval()
    tm.eval()
    assert_same(em(ember.from_numpy(X4)), tm(torch.from_numpy(X4)), 1e-5, 1e-5)
    assert int(em.num_batches_tracked) == 3


def test_double_layers():
    compare("Linear", (5, 3), {}, [X2.astype(np.float64)], double=True)
    compare("BatchNorm1d", (5,), {}, [X2.astype(np.float64)], double=True)


LOSS_CASES = [
    ("MSELoss", (), {}, [X2, randn(4, 5)]),
    ("L1Loss", (), {"reduction": "sum"}, [X2, randn(4, 5)]),
    ("SmoothL1Loss", (), {"beta": 0.5}, [X2, randn(4, 5)]),
    ("HuberLoss", (), {"delta": 0.5}, [X2, randn(4, 5)]),
    ("CrossEntropyLoss", (), {"label_smoothing": 0.1}, [X2, randint(0, 5, 4)]),
    ("CrossEntropyLoss", (), {"ignore_index": 1}, [X2, randint(0, 5, 4)]),
    ("NLLLoss", (), {}, [X2, randint(0, 5, 4)]),
    ("BCELoss", (), {}, [rand(4, 5, low=0.1, high=0.9), rand(4, 5)]),
    ("BCEWithLogitsLoss", (), {}, [X2, rand(4, 5)]),
    ("KLDivLoss", (), {"reduction": "batchmean"}, [X2, rand(4, 5)]),
    ("CosineEmbeddingLoss", (), {"margin": 0.2}, [X2, randn(4, 5),
                                                  np.array([1, -1, 1, -1])]),
    ("MarginRankingLoss", (), {"margin": 0.1}, [randn(4), randn(4),
                                                np.array([1.0, -1.0, 1.0, -1.0],
                                                         np.float32)]),
    ("TripletMarginLoss", (), {}, [X2, randn(4, 5), randn(4, 5)]),
    ("PoissonNLLLoss", (), {}, [X2, rand(4, 5)]),
    ("GaussianNLLLoss", (), {}, [X2, randn(4, 5), rand(4, 5, low=0.2)]),
    ("HingeEmbeddingLoss", (), {}, [randn(4), np.array([1.0, -1.0, 1.0, -1.0], np.float32)]),
    ("SoftMarginLoss", (), {}, [randn(4), np.array([1.0, -1.0, 1.0, -1.0], np.float32)]),
    ("MultiMarginLoss", (), {"margin": 0.7}, [X2, randint(0, 5, 4)]),
    ("MultiLabelSoftMarginLoss", (), {}, [X2, rand(4, 5)]),
]


@pytest.mark.parametrize("case", LOSS_CASES, ids=lambda c: c[0])
def test_loss_modules(case):
    name, args, kwargs, inputs = case
    nograd = (1,) if name in ("SoftMarginLoss", "MultiLabelSoftMarginLoss") else ()
    compare(name, args, kwargs, inputs, nograd=nograd)


def test_weighted_loss_modules():
    w = rand(5)
    for name in ("CrossEntropyLoss", "NLLLoss"):
        tm = getattr(torch.nn, name)(weight=torch.from_numpy(w))
        em = getattr(ember.nn, name)(weight=ember.from_numpy(w.copy()))
        assert list(em.state_dict()) == list(tm.state_dict()) == ["weight"]
        t = randint(0, 5, 4)
        assert_same(em(ember.from_numpy(X2), ember.from_numpy(t)),
                    tm(torch.from_numpy(X2), torch.from_numpy(t)), 1e-5, 1e-6)
    tm = torch.nn.BCEWithLogitsLoss(pos_weight=torch.from_numpy(w))
    em = ember.nn.BCEWithLogitsLoss(pos_weight=ember.from_numpy(w.copy()))
    assert list(em.state_dict()) == list(tm.state_dict())
    y = rand(4, 5)
    assert_same(em(ember.from_numpy(X2), ember.from_numpy(y)),
                tm(torch.from_numpy(X2), torch.from_numpy(y)), 1e-5, 1e-6)


def test_default_init_statistics():
    ember.manual_seed(0)
    lin = ember.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = lin.weight._data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert np.abs(lin.bias._data).max() <= bound
    emb = ember.nn.Embedding(300, 100, padding_idx=0)
    assert abs(emb.weight._data[1:].std() - 1) < 0.02
    assert not emb.weight._data[0].any()
    assert lin.weight.dtype == ember.float32 and lin.weight.requires_grad
    assert ember.nn.Linear(2, 2, dtype=ember.float64).weight.dtype == ember.float64


def test_embedding_from_pretrained():
    w = randn(4, 3)
    em = ember.nn.Embedding.from_pretrained(ember.from_numpy(w))
    tm = torch.nn.Embedding.from_pretrained(torch.from_numpy(w))
    assert not em.weight.requires_grad and repr(em) == repr(tm)


def test_layer_errors():
    for M in (ember, torch):
        with pytest.raises(ValueError):
            M.nn.GroupNorm(4, 6)
        with pytest.raises(ValueError):
            M.nn.Dropout(2.0)
        with pytest.raises(ValueError):
            M.nn.BatchNorm2d(3)(M.ones(2, 3))
        with pytest.raises(AssertionError):
            M.nn.Embedding(3, 2, padding_idx=5)
