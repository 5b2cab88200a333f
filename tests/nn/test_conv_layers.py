"""Conv and pooling modules against torch.nn (kernels live in ember.ops.nn)."""
import numpy as np
import pytest
import torch

import ember
import ember.nn  # noqa: F401
from tests.helpers import randn
from tests.nn.test_layers import compare

X1 = randn(2, 4, 9)
X2 = randn(2, 4, 7, 6)
X3 = randn(1, 2, 4, 5, 4)

CASES = [
    ("Conv1d", (4, 6, 3), {}, [X1]),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}, [X1]),
    ("Conv1d", (4, 3, 4), {"padding": "same", "padding_mode": "reflect"}, [X1]),
    ("Conv1d", (4, 3, 3), {"padding": "valid", "bias": False}, [X1]),
    ("Conv2d", (4, 6, 3), {}, [X2]),
    ("Conv2d", (4, 6, (3, 2)), {"stride": (2, 1), "padding": (1, 2), "groups": 2}, [X2]),
    ("Conv2d", (4, 5, 3), {"padding": "same", "dilation": 2}, [X2]),
    ("Conv2d", (4, 5, 3), {"padding": 1, "padding_mode": "circular"}, [X2]),
    ("Conv2d", (4, 5, 3), {"padding": 2, "padding_mode": "replicate"}, [X2]),
    ("Conv3d", (2, 3, 2), {"padding": 1}, [X3]),
    ("ConvTranspose1d", (4, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}, [X1]),
    ("ConvTranspose2d", (4, 6, 3), {"stride": 2, "groups": 2}, [X2]),
    ("ConvTranspose2d", (4, 3, (2, 3)), {"padding": (1, 0), "dilation": 2, "bias": False},
     [X2]),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1}, [X1]),
    ("MaxPool2d", (2,), {}, [X2]),
    ("MaxPool2d", (3,), {"stride": 2, "ceil_mode": True, "return_indices": True}, [X2]),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, [X1]),
    ("AvgPool2d", (2,), {"ceil_mode": True}, [X2]),
    ("AvgPool2d", (3,), {"stride": 1, "padding": 1, "divisor_override": 2}, [X2]),
    ("AdaptiveAvgPool1d", (4,), {}, [X1]),
    ("AdaptiveAvgPool2d", ((3, 2),), {}, [X2]),
    ("AdaptiveAvgPool2d", (1,), {}, [X2]),
    ("AdaptiveMaxPool2d", (3,), {"return_indices": True}, [X2]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_conv_pool_layer(case):
    name, args, kwargs, inputs = case
    compare(name, args, kwargs, inputs, rtol=1e-5, atol=1e-5)


def test_conv_transpose_output_size():
    em, tm = compare("ConvTranspose2d", (4, 3, 3), {"stride": 2}, [X2])
    xe, xt = ember.from_numpy(X2), torch.from_numpy(X2)
    assert tuple(em(xe, output_size=(16, 14)).shape) == tuple(tm(xt, output_size=(16, 14)).shape)


def test_conv_errors():
    for M in (ember, torch):
        with pytest.raises(ValueError):
            M.nn.Conv2d(3, 4, 3, groups=2)
        with pytest.raises(ValueError):
            M.nn.Conv2d(4, 4, 3, padding="same", stride=2)
        with pytest.raises(ValueError):
            M.nn.Conv2d(4, 4, 3, padding="full")
        with pytest.raises(ValueError):
            M.nn.Conv2d(4, 4, 3, padding_mode="bad")
        with pytest.raises(ValueError):
            M.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect")


def test_conv_init_matches_torch_distribution():
    ember.manual_seed(0)
    c = ember.nn.Conv2d(16, 32, 3)
    fan_in = 16 * 9
    bound = 1 / np.sqrt(fan_in)
    assert np.abs(c.weight._data).max() <= bound
    assert np.abs(c.bias._data).max() <= bound
    assert c.weight.shape == (32, 16, 3, 3)
    assert ember.nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape == (4, 3, 3, 3)
