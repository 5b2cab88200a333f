"""nn.utils against torch."""
import numpy as np
import pytest
import torch

import ember
import ember.nn  # noqa: F401
from tests.helpers import assert_same, randn


def _params(M, arrays, grads):
    ps = []
    for a, g in zip(arrays, grads):
        p = M.nn.Parameter(M.from_numpy(a.copy()))
        p.grad = M.from_numpy(g.copy())
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    arrays = [randn(3, 4), randn(5)]
    grads = [randn(3, 4), randn(5)]
    pe, pt = _params(ember, arrays, grads), _params(torch, arrays, grads)
    ne = ember.nn.utils.clip_grad_norm_(pe, max_norm, norm_type)
    nt = torch.nn.utils.clip_grad_norm_(pt, max_norm, norm_type)
    assert_same(ne, nt, 1e-5, 1e-6)
    for a, b in zip(pe, pt):
        assert_same(a.grad, b.grad, 1e-5, 1e-6)


def test_clip_grad_value_and_vectors():
    arrays = [randn(3, 4), randn(5)]
    grads = [randn(3, 4), randn(5)]
    pe, pt = _params(ember, arrays, grads), _params(torch, arrays, grads)
    ember.nn.utils.clip_grad_value_(pe, 0.3)
    torch.nn.utils.clip_grad_value_(pt, 0.3)
    for a, b in zip(pe, pt):
        assert_same(a.grad, b.grad)
    ve = ember.nn.utils.parameters_to_vector(pe)
    vt = torch.nn.utils.parameters_to_vector(pt)
    assert_same(ve, vt)
    v = randn(17)
    ember.nn.utils.vector_to_parameters(ember.from_numpy(v), pe)
    torch.nn.utils.vector_to_parameters(torch.from_numpy(v), pt)
    for a, b in zip(pe, pt):
        assert_same(a.detach(), b.detach())


@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_sequence(batch_first):
    seqs = [randn(3, 2), randn(1, 2), randn(4, 2)]
    e = ember.nn.utils.rnn.pad_sequence([ember.from_numpy(s) for s in seqs], batch_first,
                                        padding_value=-1.0)
    t = torch.nn.utils.rnn.pad_sequence([torch.from_numpy(s) for s in seqs], batch_first,
                                        padding_value=-1.0)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_unpack(enforce_sorted, batch_first):
    lengths = [5, 3, 2] if enforce_sorted else [2, 5, 3]
    x = randn(3, 5, 2) if batch_first else randn(5, 3, 2)
    out = []
    for M in (ember, torch):
        p = M.nn.utils.rnn.pack_padded_sequence(M.from_numpy(x), lengths, batch_first,
                                                enforce_sorted)
        pad, lens = M.nn.utils.rnn.pad_packed_sequence(p, batch_first, total_length=6)
        out.append((p.data.numpy(), p.batch_sizes.numpy(), pad.numpy(), lens.numpy()))
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_rnn_packed(name, bidirectional):
    lengths = [2, 5, 3]
    x = randn(5, 3, 4)
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(4, 6, num_layers=2, bidirectional=bidirectional)
    em = getattr(ember.nn, name)(4, 6, num_layers=2, bidirectional=bidirectional)
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    D = 2 if bidirectional else 1
    h0 = randn(2 * D, 3, 6)
    res = []
    for M, m in ((ember, em), (torch, tm)):
        xi = M.from_numpy(x.copy()).requires_grad_(True)
        p = M.nn.utils.rnn.pack_padded_sequence(xi, lengths, enforce_sorted=False)
        h = M.from_numpy(h0.copy())
        hx = (h, h * 0.5) if name == "LSTM" else h
        out, hn = m(p, hx)
        hn = hn[0] if name == "LSTM" else hn
        pad, _ = M.nn.utils.rnn.pad_packed_sequence(out)
        (pad.sum() + hn.sum()).backward()
        res.append((pad.detach().numpy(), hn.detach().numpy(), xi.grad.numpy(),
                    m.weight_hh_l0.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
