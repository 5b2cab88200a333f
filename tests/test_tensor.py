"""The Tensor object itself: construction, views, strides, versions, devices, conversions."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_same, check, check_raises, dtype_name, randn


def test_tensor_vs_Tensor_semantics():
    """seed 004 §2.4.2: Tensor uses the default dtype, tensor infers it; Tensor(1) is a
    size-1 uninitialised tensor while tensor(1) is the 0-d value 1."""
    for M in (ember, torch):
        t1 = M.Tensor(1)
        t2 = M.tensor(1)
        assert tuple(t1.shape) == (1,) and dtype_name(t1.dtype) == "float32"
        assert tuple(t2.shape) == () and dtype_name(t2.dtype) == "int64" and t2.item() == 1
        assert dtype_name(M.Tensor([1, 2]).dtype) == "float32"
        assert tuple(M.Tensor(2, 3).shape) == (2, 3)
        assert tuple(M.Tensor().shape) == (0,)


@pytest.mark.parametrize("data", [[1, 2], [1.5, 2], [True, False], [[1, 2], [3, 4]], 3, 2.5,
                                  True, [], [[1, 2.5], [True, 0]]])
def test_tensor_dtype_inference(data):
    e, t = ember.tensor(data), torch.tensor(data)
    assert_same(e, t)


def test_tensor_from_numpy_shares_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ember.from_numpy(a)
    t.mul_(2)
    assert a[1, 2] == 10
    assert t.numpy() is a
    assert ember.tensor(a).numpy() is not a


def test_ragged_nested_list_raises():
    for M in (ember, torch):
        with pytest.raises(ValueError):
            M.tensor([[1, 2], [3]])


def test_views_share_memory_and_version():
    x = ember.zeros(2, 3)
    v = x.transpose(0, 1)
    v.add_(1)
    assert float(x.sum()) == 6
    assert x._version == v._version == 1
    w = x.reshape(3, 2)
    w.fill_(2)
    assert float(x.sum()) == 12 and x._version == 2


@pytest.mark.parametrize("make", [
    lambda M: M.zeros(2, 3, 4),
    lambda M: M.zeros(2, 3, 4).transpose(0, 2),
    lambda M: M.zeros(2, 3, 4).permute(1, 2, 0),
    lambda M: M.zeros(2, 1, 4).expand(2, 5, 4),
    lambda M: M.zeros(4, 6).reshape(2, 12),
    lambda M: M.zeros(0, 3),
    lambda M: M.zeros(()),
])
def test_stride_contiguity(make):
    e, t = make(ember), make(torch)
    assert e.stride() == t.stride()
    assert e.is_contiguous() == t.is_contiguous()
    assert e.storage_offset() == t.storage_offset()
    assert e.dim() == t.dim() and e.numel() == t.numel()
    assert tuple(e.size()) == tuple(t.size())
    if e.dim():
        assert e.size(-1) == t.size(-1) and e.stride(0) == t.stride(0)


def test_size_object():
    s = ember.zeros(2, 3).shape
    assert s == (2, 3) and repr(s) == "ember.Size([2, 3])" and s.numel() == 6
    assert isinstance(s[1:], ember.Size)


def test_size_dim_out_of_range():
    for M in (ember, torch):
        with pytest.raises(IndexError, match="Dimension out of range"):
            M.zeros(2, 3).size(2)


def test_device_and_cuda():
    x = ember.ones(2)
    assert x.device == ember.device("cpu") and str(x.device) == "cpu"
    assert x.to("cpu") is x and x.cpu() is x and x.is_cuda is False
    assert not ember.cuda.is_available() and ember.cuda.device_count() == 0
    assert repr(ember.device("cuda", 1)) == "device(type='cuda', index=1)"
    with pytest.raises(AssertionError, match="CUDA"):
        x.cuda()
    with pytest.raises(RuntimeError, match="CUDA"):
        x.to("cuda")
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.zeros(2, device="cuda")
    with pytest.raises(RuntimeError):
        ember.device("tpu")


@pytest.mark.parametrize("meth", ["float", "double", "half", "int", "long", "short", "char",
                                  "byte", "bool"])
def test_casting_methods(meth):
    check(lambda M, x: getattr(x, meth)(), randn(3, 2) * 3, grad=meth in ("double", "half"))


def test_to_variants():
    check(lambda M, x: x.to(M.float64) * 2, randn(3))
    check(lambda M, x: x.to("cpu", M.float16), randn(3), rtol=1e-3)
    check(lambda M, x: x.to(dtype=M.int32), randn(3) * 4, grad=False)
    check(lambda M, x, y: x.to(y), randn(3), randn(2).astype(np.float64), grad=False)
    check(lambda M, x: x.type(M.float64), randn(3))
    for M in (ember, torch):
        x = M.ones(2)
        assert x.to(M.float32) is x and x.to(M.float32, copy=True) is not x
        assert x.type().endswith("FloatTensor")
        assert x.type("torch.DoubleTensor" if M is torch else "ember.DoubleTensor").dtype \
            == M.float64


def test_item_tolist_numpy():
    for M in (ember, torch):
        assert M.tensor([[1.5]]).item() == 1.5
        assert M.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
        with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
            M.ones(2).item()
        with pytest.raises(RuntimeError, match="numpy"):
            M.ones(2, requires_grad=True).numpy()
        assert int(M.tensor(3.7)) == 3 and float(M.tensor(2)) == 2.0


def test_python_protocols():
    for M in (ember, torch):
        with pytest.raises(RuntimeError, match="ambiguous"):
            bool(M.ones(2))
        assert bool(M.ones(1)) and not bool(M.zeros(()))
        with pytest.raises(TypeError):
            len(M.tensor(1.0))
        assert len(M.zeros(4, 2)) == 4
        assert [1, 2, 3][M.tensor(1)] == 2
        with pytest.raises(TypeError):
            [1, 2][M.tensor(1.0)]
        with pytest.raises(TypeError):
            iter(M.tensor(1.0))
        assert f"{M.tensor(2.5):.2f}" == "2.50"


def test_clone_contiguous_copy_fill_zero():
    check(lambda M, x: x.clone() * 2, randn(2, 3))
    check(lambda M, x: x.transpose(0, 1).contiguous(), randn(2, 3))
    for M in (ember, torch):
        x = M.ones(2, 3)
        assert x.contiguous() is x
        y = x.transpose(0, 1).contiguous()
        assert y.is_contiguous() and y.stride() == (2, 1)
    check(lambda M, x, y: (x * 1).copy_(y), randn(2, 3), randn(3))
    check(lambda M, x, y: (x * 1).copy_(y), randn(2, 3), randn(2, 3).astype(np.float64))
    check(lambda M, x: (x * 1).fill_(3.5), randn(2, 3))
    check(lambda M, x: (x * 1).zero_(), randn(2, 3))
    check_raises(lambda M, x, y: x.copy_(y), randn(2, 3), randn(4))
    check_raises(lambda M, x: x.fill_(M.ones(2)), randn(2))


def test_requires_grad_flag_and_data():
    x = ember.ones(2, requires_grad=True)
    d = x.data
    assert not d.requires_grad and d._version == 0
    d.add_(1)
    assert x._version == 0 and float(x.sum()) == 4
    x.data = ember.zeros(3)
    assert x.shape == (3,) and x.requires_grad


def test_pickle_and_deepcopy():
    x = ember.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.requires_grad and y.tolist() == x.tolist()
    z = copy.deepcopy(x)
    z.data.mul_(0)
    assert x.tolist() == [[1., 2.], [3., 4.]]
    with pytest.raises(RuntimeError):
        copy.deepcopy(x * 2)


def test_creation_size_errors():
    for M in (ember, torch):
        with pytest.raises(RuntimeError):
            M.zeros(-1)
        with pytest.raises(TypeError):
            M.zeros(2.5)


def test_is_tensor_and_numel():
    assert ember.is_tensor(ember.ones(1)) and not ember.is_tensor(np.ones(1))
    assert ember.numel(ember.ones(2, 3)) == 6


def test_non_native_byte_order_is_a_value_error():
    a = np.array([1, 2], dtype=">i4")
    for M in (ember, torch):
        with pytest.raises(ValueError, match="byte order"):
            M.as_tensor(a)
        with pytest.raises(ValueError, match="byte order"):
            M.from_numpy(a)
