"""nn.init: gains and fans against torch, distributions checked statistically, in place,
no autograd history, ember's RNG."""
import math

import numpy as np
import pytest
import torch

import ember
import ember.nn  # noqa: F401

I = ember.nn.init


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("selu",)])
def test_calculate_gain(args):
    assert I.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))


def test_gain_errors():
    for M in (ember, torch):
        with pytest.raises(ValueError):
            M.nn.init.calculate_gain("foo")
        with pytest.raises(ValueError):
            M.nn.init.xavier_uniform_(M.empty(3))
        with pytest.raises(ValueError):
            M.nn.init.kaiming_uniform_(M.empty(3, 4), mode="fan_avg")


@pytest.mark.parametrize("shape", [(30, 40), (8, 6, 3, 3)])
def test_fans(shape):
    assert I._calculate_fan_in_and_fan_out(ember.empty(shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def _std(t):
    return float(t._data.astype(np.float64).std())


def test_distributions():
    ember.manual_seed(0)
    w = ember.empty(200, 300, requires_grad=True)
    r = I.uniform_(w, -2, 3)
    assert r is w and w.is_leaf and w.requires_grad
    assert w._data.min() >= -2 and w._data.max() < 3
    I.normal_(w, 1.0, 2.0)
    assert abs(float(w._data.mean()) - 1) < 0.05 and abs(_std(w) - 2) < 0.05
    I.xavier_uniform_(w, gain=2.0)
    a = 2.0 * math.sqrt(6 / 500)
    assert np.abs(w._data).max() <= a and abs(_std(w) - a / math.sqrt(3)) < 0.01 * a
    I.xavier_normal_(w)
    assert abs(_std(w) - math.sqrt(2 / 500)) < 0.01
    I.kaiming_uniform_(w, a=math.sqrt(5))
    b = math.sqrt(1 / 3) * math.sqrt(3 / 300)
    assert np.abs(w._data).max() <= b * (1 + 1e-6)
    I.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(_std(w) - math.sqrt(2 / 200)) < 0.002
    I.trunc_normal_(w, 0.5, 1.0, -1.0, 1.5)
    assert w._data.min() >= -1.0 and w._data.max() <= 1.5
    I.constant_(w, 0.3)
    assert np.all(w._data == np.float32(0.3))
    I.ones_(w)
    I.zeros_(w)
    assert not w._data.any()
    assert w.grad_fn is None and w.dtype == ember.float32


def test_eye_dirac_orthogonal():
    e = I.eye_(ember.empty(3, 5))
    np.testing.assert_array_equal(e.numpy(), torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    d = I.dirac_(ember.empty(4, 2, 3, 3), groups=2)
    np.testing.assert_array_equal(d.numpy(),
                                  torch.nn.init.dirac_(torch.empty(4, 2, 3, 3), 2).numpy())
    q = I.orthogonal_(ember.empty(4, 6))
    np.testing.assert_allclose(q._data @ q._data.T, np.eye(4), atol=1e-5)
    q = I.orthogonal_(ember.empty(6, 3), gain=2)
    np.testing.assert_allclose(q._data.T @ q._data, 4 * np.eye(3), atol=1e-4)


def test_seeded_reproducible():
    ember.manual_seed(3)
    a = ember.nn.Linear(4, 4).weight.detach().clone()
    ember.manual_seed(3)
    b = ember.nn.Linear(4, 4).weight.detach().clone()
    assert np.array_equal(a.numpy(), b.numpy())
