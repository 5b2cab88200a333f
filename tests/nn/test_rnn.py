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
