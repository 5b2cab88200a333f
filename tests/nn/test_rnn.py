"""RNN/LSTM/GRU and cells against torch.nn with copied weights."""
import pytest
import torch

import ember
import ember.nn  # noqa: F401
from tests.helpers import randn
from tests.nn.test_layers import compare

XS = randn(5, 3, 4)       # (L, N, H_in)
CASES = [
    ("RNN", (4, 6), {}, [XS]),
    ("RNN", (4, 6), {"nonlinearity": "relu", "num_layers": 2, "bias": False}, [XS]),
    ("RNN", (4, 6), {"batch_first": True, "bidirectional": True}, [XS]),
    ("RNN", (4, 6), {}, [randn(5, 4)]),
    ("RNN", (4, 6), {"num_layers": 2}, [XS, randn(2, 3, 6)]),
    ("GRU", (4, 6), {}, [XS]),
    ("GRU", (4, 5), {"num_layers": 2, "bidirectional": True}, [XS, randn(4, 3, 5)]),
    ("LSTM", (4, 6), {}, [XS]),
    ("LSTM", (4, 5), {"num_layers": 2, "bidirectional": True, "batch_first": True}, [XS]),
    ("LSTM", (4, 5), {"dropout": 0.5, "num_layers": 2}, [randn(5, 4)]),
    ("LSTM", (4, 6), {"proj_size": 3}, [XS]),
    ("LSTM", (4, 6), {"proj_size": 2, "num_layers": 2, "bidirectional": True, "bias": False},
     [XS]),
    ("LSTM", (4, 6), {"proj_size": 3, "batch_first": True}, [randn(3, 4)]),
    ("LSTM", (4, 6), {"bias": False}, [randn(1, 2, 4)]),
    ("RNNCell", (4, 6), {}, [randn(3, 4), randn(3, 6)]),
    ("RNNCell", (4, 6), {"nonlinearity": "relu", "bias": False}, [randn(4)]),
    ("GRUCell", (4, 6), {}, [randn(3, 4), randn(3, 6)]),
    ("LSTMCell", (4, 6), {}, [randn(3, 4)]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_rnn(case):
    name, args, kwargs, inputs = case
    compare(name, args, kwargs, inputs, train="dropout" not in kwargs, rtol=1e-5, atol=1e-5)


def test_lstm_with_state_and_cell_state():
    h, c = randn(1, 3, 6), randn(1, 3, 6)
    for M in (ember, torch):
        m = M.nn.LSTM(4, 6)
        out, (hn, cn) = m(M.from_numpy(XS), (M.from_numpy(h), M.from_numpy(c)))
        assert tuple(out.shape) == (5, 3, 6) and tuple(cn.shape) == (1, 3, 6)
    tm = torch.nn.LSTMCell(4, 6)
    em = ember.nn.LSTMCell(4, 6)
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    x = randn(3, 4)
    he, ce = em(ember.from_numpy(x), (ember.from_numpy(h[0]), ember.from_numpy(c[0])))
    ht, ct = tm(torch.from_numpy(x), (torch.from_numpy(h[0]), torch.from_numpy(c[0])))
    assert (abs(he.detach().numpy() - ht.detach().numpy()).max() < 1e-5)
    assert (abs(ce.detach().numpy() - ct.detach().numpy()).max() < 1e-5)


def test_rnn_errors():
    for M in (ember, torch):
        with pytest.raises(RuntimeError):
            M.nn.GRU(4, 6)(M.ones(5, 3, 3))
        with pytest.raises(RuntimeError):
            M.nn.GRU(4, 6)(M.ones(5, 3, 4), M.zeros(2, 3, 6))
        with pytest.raises(ValueError):
            M.nn.RNN(4, 6, nonlinearity="sigmoid")
        with pytest.raises(ValueError):
            M.nn.LSTM(4, 6, dropout=2)


def _lstm_pair(*args, double=False, **kw):
    """The same LSTM in torch and in ember (torch's initial weights copied)."""
    tm, em = torch.nn.LSTM(*args, **kw), ember.nn.LSTM(*args, **kw)
    if double:
        tm, em = tm.double(), em.double()
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    return tm, em


@pytest.mark.parametrize("kw", [{}, {"proj_size": 3}, {"bidirectional": True, "num_layers": 2}])
def test_lstm_states_in_and_out(kw):
    """Initial (h0, c0) get gradients; h_n/c_n alone (output unused) backpropagate."""
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    P = kw.get("proj_size", 6)
    arrays = [randn(5, 3, 4), randn(L * D, 3, P), randn(L * D, 3, 6)]
    res = {}
    for M, m in zip((torch, ember), _lstm_pair(4, 6, **kw)):
        x, h0, c0 = (M.from_numpy(a.copy()).requires_grad_() for a in arrays)
        out, (hn, cn) = m(x, (h0, c0))
        (hn.sum() * 2 + (cn * cn).sum()).backward()
        res[M.__name__] = [t.detach().numpy() for t in (out, hn, cn, x.grad, h0.grad, c0.grad)]
        res[M.__name__] += [p.grad.numpy() for p in m.parameters()]
    for a, b in zip(res["ember"], res["torch"]):
        assert a.shape == b.shape and abs(a - b).max() < 1e-5


def test_lstm_double_backward_matches_torch():
    """create_graph=True through the fused layer: second derivatives equal torch's (float64)."""
    arrays = [randn(4, 2, 3, dtype="float64"), randn(1, 2, 5, dtype="float64"),
              randn(1, 2, 5, dtype="float64")]
    res = {}
    for M, m in zip((torch, ember), _lstm_pair(3, 5, double=True)):
        x, h0, c0 = (M.from_numpy(a.copy()).requires_grad_() for a in arrays)
        out, (hn, cn) = m(x, (h0, c0))
        loss = (out * out).sum() + cn.sum()
        gx, gw = M.autograd.grad(loss, (x, m.weight_hh_l0), create_graph=True)
        ((gx * gx).sum() + gw.sum()).backward()
        res[M.__name__] = [x.grad.numpy(), h0.grad.numpy(), m.weight_hh_l0.grad.numpy(),
                           m.bias_ih_l0.grad.numpy()]
    for a, b in zip(res["ember"], res["torch"]):
        assert abs(a - b).max() < 1e-10


def test_lstm_layer_gradcheck():
    """The fused layer alone, with a projection, walking backwards: first and second
    derivatives against finite differences."""
    from ember.ops.rnn import lstm_layer
    arrays = [randn(2, 1, 8, dtype="float64"), randn(1, 1, dtype="float64"),
              randn(1, 2, dtype="float64"), randn(8, 1, dtype="float64"),
              randn(8, dtype="float64"), randn(1, 2, dtype="float64")]
    ts = [ember.from_numpy(a).requires_grad_() for a in arrays]
    assert ember.autograd.gradcheck(lambda *t: lstm_layer(*t, reverse=True), ts)
    assert ember.autograd.gradgradcheck(lambda *t: lstm_layer(*t, reverse=True), ts)


def test_lstm_proj_errors():
    for M in (ember, torch):
        with pytest.raises(ValueError):
            M.nn.LSTM(4, 6, proj_size=6)
        with pytest.raises(ValueError):
            M.nn.GRU(4, 6, proj_size=2)
        with pytest.raises(ValueError):
            M.nn.LSTM(4, 6, proj_size=-1)
        with pytest.raises(RuntimeError):
            M.nn.LSTM(4, 6, proj_size=2)(M.ones(5, 3, 4), (M.zeros(1, 3, 6), M.zeros(1, 3, 6)))


def test_dropout_with_one_layer_warns():
    for M in (ember, torch):
        with pytest.warns(UserWarning, match="num_layers greater than 1"):
            M.nn.LSTM(4, 4, 1, dropout=0.2)


@pytest.mark.parametrize("kw", [{}, {"bias": False}, {"bidirectional": True, "num_layers": 2}])
def test_gru_state_and_weight_grads(kw):
    """The fused GRU layer: output, h_n and every gradient (inputs, h0, weights)."""
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    arrays = [randn(5, 3, 4), randn(L * D, 3, 6)]
    tm, em = torch.nn.GRU(4, 6, **kw), ember.nn.GRU(4, 6, **kw)
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    res = {}
    for M, m in ((torch, tm), (ember, em)):
        x, h0 = (M.from_numpy(a.copy()).requires_grad_() for a in arrays)
        out, hn = m(x, h0)
        ((out * out).sum() + hn.sum() * 3).backward()
        res[M.__name__] = [t.detach().numpy() for t in (out, hn, x.grad, h0.grad)]
        res[M.__name__] += [p.grad.numpy() for p in m.parameters()]
    for a, b in zip(res["ember"], res["torch"]):
        assert a.shape == b.shape and abs(a - b).max() < 1e-5


def test_gru_double_backward_matches_torch():
    arrays = [randn(4, 2, 3, dtype="float64"), randn(1, 2, 5, dtype="float64")]
    tm, em = torch.nn.GRU(3, 5).double(), ember.nn.GRU(3, 5).double()
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    res = {}
    for M, m in ((torch, tm), (ember, em)):
        x, h0 = (M.from_numpy(a.copy()).requires_grad_() for a in arrays)
        out, hn = m(x, h0)
        gx, gw = M.autograd.grad((out * out).sum() + hn.sum(), (x, m.weight_hh_l0),
                                 create_graph=True)
        ((gx * gx).sum() + gw.sum()).backward()
        res[M.__name__] = [x.grad.numpy(), h0.grad.numpy(), m.weight_hh_l0.grad.numpy()]
    for a, b in zip(res["ember"], res["torch"]):
        assert abs(a - b).max() < 1e-10


def test_gru_layer_gradcheck():
    from ember.ops.rnn import gru_layer
    arrays = [randn(2, 1, 6, dtype="float64"), randn(1, 2, dtype="float64"),
              randn(6, 2, dtype="float64"), randn(6, dtype="float64")]
    ts = [ember.from_numpy(a).requires_grad_() for a in arrays]
    assert ember.autograd.gradcheck(lambda *t: gru_layer(*t, reverse=True), ts)
    assert ember.autograd.gradgradcheck(lambda *t: gru_layer(*t, reverse=True), ts)
