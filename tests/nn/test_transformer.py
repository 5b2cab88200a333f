"""MultiheadAttention, TransformerEncoder(Layer) and scaled_dot_product_attention
against torch with copied weights."""
import numpy as np
import pytest
import torch

import ember
import ember.nn  # noqa: F401
from tests.helpers import check, gradcheck, randn
from tests.nn.test_layers import compare

Q, K, V = randn(5, 2, 8), randn(6, 2, 8), randn(6, 2, 8)


@pytest.mark.parametrize("kwargs", [{}, {"bias": False}, {"kdim": 4, "vdim": 3},
                                    {"add_bias_kv": True}, {"add_zero_attn": True},
                                    {"add_bias_kv": True, "add_zero_attn": True, "kdim": 4}])
def test_mha(kwargs):
    k = randn(6, 2, kwargs.get("kdim", 8))
    v = randn(6, 2, kwargs.get("vdim", 8))
    compare("MultiheadAttention", (8, 2), kwargs, [Q, k, v])


@pytest.mark.parametrize("extra", [{}, {"add_bias_kv": True, "add_zero_attn": True}])
def test_mha_masks_and_batch_first(extra):
    kpm = np.array([[False, False, True, False, False, True], [False] * 6])
    am = np.triu(np.ones((5, 6), dtype=bool), 1)
    outs = []
    for M in (ember, torch):
        torch.manual_seed(0)
        m = M.nn.MultiheadAttention(8, 4, batch_first=True, **extra)
        outs.append(m)
    outs[0].load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                             for k, v in outs[1].state_dict().items()})
    res = []
    for M, m in zip((ember, torch), outs):
        q = M.from_numpy(Q.transpose(1, 0, 2).copy())
        kv = M.from_numpy(K.transpose(1, 0, 2).copy())
        o, w = m(q, kv, kv, key_padding_mask=M.from_numpy(kpm), attn_mask=M.from_numpy(am),
                 average_attn_weights=False)
        res.append((o.detach().numpy(), w.detach().numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer(norm_first):
    compare("TransformerEncoderLayer", (8, 2),
            {"dim_feedforward": 16, "dropout": 0.0, "norm_first": norm_first}, [Q],
            rtol=1e-5, atol=1e-5)


def test_encoder_stack_eval():
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    tm = torch.nn.TransformerEncoder(tl, 2, enable_nested_tensor=False)
    el = ember.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    em = ember.nn.TransformerEncoder(el, 2)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    tm.eval()
    em.eval()
    x = randn(2, 5, 8)
    with torch.no_grad():
        t = tm(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(em(ember.from_numpy(x)).detach().numpy(), t, rtol=1e-4,
                               atol=1e-5)


def test_sdpa():
    q, k, v = randn(2, 3, 4, 5), randn(2, 3, 6, 5), randn(2, 3, 6, 5)
    sdpa = lambda M, *a, **kw: M.nn.functional.scaled_dot_product_attention(*a, **kw)  # noqa
    check(lambda M, q, k, v: sdpa(M, q, k, v), q, k, v)
    check(lambda M, q, k, v: sdpa(M, q, k, v, scale=0.3), q, k, v)
    check(lambda M, q, k, v: sdpa(M, q, k[..., :4, :], v[..., :4, :], is_causal=True), q, k, v)
    mask = np.random.default_rng(0).random((4, 6)) > 0.3
    mask[:, 0] = True
    check(lambda M, q, k, v: sdpa(M, q, k, v, attn_mask=M.from_numpy(mask)), q, k, v)
    fm = randn(4, 6)
    check(lambda M, q, k, v, m: sdpa(M, q, k, v, attn_mask=m), q, k, v, fm)
    gradcheck(lambda M, q, k, v: sdpa(M, q, k, v), randn(1, 3, 2), randn(1, 4, 2),
              randn(1, 4, 2), gradgrad=True)


def _copy(em, tm):
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer(norm_first):
    compare("TransformerDecoderLayer", (8, 2),
            {"dim_feedforward": 16, "dropout": 0.0, "norm_first": norm_first}, [Q, K],
            rtol=1e-5, atol=1e-5)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
def test_full_transformer_with_masks():
    torch.manual_seed(0)
    kw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
              dim_feedforward=16, dropout=0.0)
    tm, em = torch.nn.Transformer(**kw), ember.nn.Transformer(**kw)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)
    _copy(em, tm)
    src, tgt = randn(6, 2, 8), randn(5, 2, 8)
    mt = torch.nn.Transformer.generate_square_subsequent_mask(5)
    me = ember.nn.Transformer.generate_square_subsequent_mask(5)
    np.testing.assert_array_equal(me.numpy(), mt.numpy())
    ot = tm(torch.from_numpy(src), torch.from_numpy(tgt), tgt_mask=mt)
    oe = em(ember.from_numpy(src), ember.from_numpy(tgt), tgt_mask=me)
    np.testing.assert_allclose(oe.detach().numpy(), ot.detach().numpy(), rtol=1e-4, atol=1e-5)
    ot.sum().backward()
    oe.sum().backward()
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        np.testing.assert_allclose(ep[n].grad.numpy(), p.grad.numpy(), rtol=1e-3, atol=1e-5,
                                   err_msg=n)
