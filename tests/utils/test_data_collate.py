"""default_collate / default_convert against torch's on the same Python / NumPy structures:
structure, container types, tensor values and dtypes, and error types and messages."""
import collections

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from ember.utils.data._collate import collate, default_collate_fn_map

Point = collections.namedtuple("Point", ["x", "y"])


class MySeq(collections.abc.Sequence):
    """An immutable sequence whose constructor does not take a list (collate falls back)."""

    def __init__(self, *items):
        self._items = items

    def __getitem__(self, i):
        return self._items[i]

    def __len__(self):
        return len(self._items)


def same(e, t, path="batch"):
    """An ember result against a torch (or ember) result, recursively."""
    if isinstance(t, (torch.Tensor, ember.Tensor)):
        assert isinstance(e, ember.Tensor), f"{path}: {type(e)} is not a Tensor"
        assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1], \
            f"{path}: dtype {e.dtype} != {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{path}: shape {e.shape} != {t.shape}"
        np.testing.assert_array_equal(e.numpy(), t.numpy(), err_msg=path)
        return
    if type(t) is list:   # TensorDataset.__getitems__ returns a list subclass
        assert isinstance(e, list), f"{path}: type {type(e)} is not a list"
    else:
        assert type(e) is type(t), f"{path}: type {type(e)} != {type(t)}"
    if isinstance(t, collections.abc.Mapping):
        assert list(e) == list(t), f"{path}: keys {list(e)} != {list(t)}"
        for k in t:
            same(e[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple, MySeq)):
        assert len(e) == len(t), f"{path}: length {len(e)} != {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            same(a, b, f"{path}[{i}]")
    elif isinstance(t, np.ndarray):
        np.testing.assert_array_equal(e, t)
    else:
        assert e == t, f"{path}: {e!r} != {t!r}"


def _arr(*shape, dtype=np.float32, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 10).astype(dtype)


# each case builds the batch for framework M (tensors made from the same NumPy data)
CASES = {
    "ints": lambda M: [1, 2, 3],
    "floats": lambda M: [1.5, -2.25],
    "bools": lambda M: [True, False],
    "bool_and_int": lambda M: [True, 2],
    "int_then_float": lambda M: [2, 1.5],
    "float_then_int": lambda M: [1.5, 2],
    "np_float32_scalars": lambda M: [np.float32(1.5), np.float32(2)],
    "np_float64_scalars": lambda M: [np.float64(1.5), np.float64(2)],
    "np_int32_scalars": lambda M: [np.int32(1), np.int32(-2)],
    "np_int64_scalars": lambda M: [np.int64(7), np.int64(8)],
    "np_bool_scalars": lambda M: [np.bool_(True), np.bool_(False)],
    "np_uint8_scalars": lambda M: [np.uint8(3), np.uint8(250)],
    "np_0d_arrays": lambda M: [np.array(1.5), np.array(2.5)],
    "np_arrays_f32": lambda M: [_arr(2, 3, seed=i) for i in range(4)],
    "np_arrays_f64": lambda M: [_arr(3, dtype=np.float64, seed=i) for i in range(3)],
    "np_arrays_i64": lambda M: [_arr(2, 2, dtype=np.int64, seed=i) for i in range(3)],
    "np_arrays_u8": lambda M: [_arr(4, dtype=np.uint8, seed=i) for i in range(2)],
    "np_arrays_i16": lambda M: [_arr(4, dtype=np.int16, seed=i) for i in range(2)],
    "np_arrays_bool": lambda M: [_arr(3, seed=i) > 0 for i in range(2)],
    "np_arrays_f16": lambda M: [_arr(3, dtype=np.float16, seed=i) for i in range(2)],
    "np_arrays_empty": lambda M: [np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32)],
    "np_arrays_mixed_dtypes": lambda M: [_arr(2), _arr(2, dtype=np.float64)],
    "np_noncontiguous": lambda M: [_arr(4, 6, seed=i)[::2, 1::2] for i in range(3)],
    "np_memmap_like_subclass": lambda M: [np.asarray(_arr(2)).view(np.ndarray)] * 2,
    "tensors_f32": lambda M: [M.from_numpy(_arr(2, 3, seed=i)) for i in range(4)],
    "tensors_0d": lambda M: [M.tensor(1.5), M.tensor(2.5)],
    "tensors_i64": lambda M: [M.from_numpy(_arr(3, dtype=np.int64, seed=i)) for i in range(2)],
    "tensors_mixed_dtypes": lambda M: [M.from_numpy(_arr(2)),
                                       M.from_numpy(_arr(2, dtype=np.float64))],
    "tensors_int_float": lambda M: [M.from_numpy(_arr(2, dtype=np.int64)),
                                    M.from_numpy(_arr(2))],
    "tensors_noncontiguous": lambda M: [M.from_numpy(_arr(3, 4, seed=i)).t() for i in range(2)],
    "strings": lambda M: ["a", "bc"],
    "bytes": lambda M: [b"a", b"b"],
    "np_str_scalars": lambda M: [np.str_("a"), np.str_("b")],
    "tuples": lambda M: [(1, 2.0, "a"), (3, 4.0, "b")],
    "lists": lambda M: [[1, 2.5], [3, 4.5]],
    "list_of_tensors_and_labels": lambda M: [(M.from_numpy(_arr(3, seed=i)), i % 2)
                                             for i in range(5)],
    "dicts": lambda M: [{"x": M.from_numpy(_arr(2, seed=i)), "y": i, "name": f"s{i}"}
                        for i in range(3)],
    "ordered_dicts": lambda M: [collections.OrderedDict(b=i, a=float(i)) for i in range(3)],
    "nested": lambda M: [{"a": [(np.float32(i), {"b": _arr(2, seed=i)})], "c": (i, "z")}
                         for i in range(3)],
    "namedtuples": lambda M: [Point(i, _arr(2, seed=i)) for i in range(3)],
    "namedtuple_of_tensors": lambda M: [Point(M.from_numpy(_arr(2, seed=i)), float(i))
                                        for i in range(2)],
    "ranges": lambda M: [range(2), range(2)],
    "custom_sequence": lambda M: [MySeq(1, 2.0), MySeq(3, 4.0)],
    "single_sample": lambda M: [(M.from_numpy(_arr(2)), 7)],
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_default_collate_matches_torch(case):
    make = CASES[case]
    same(edata.default_collate(make(ember)), tdata.default_collate(make(torch)))


CONVERT_CASES = {
    "int": lambda M: 3,
    "str": lambda M: "abc",
    "np_array": lambda M: _arr(2, 2),
    "np_scalar": lambda M: np.float32(2.5),
    "np_int_scalar": lambda M: np.int64(4),
    "np_str_array": lambda M: np.array(["a", "b"]),
    "np_object_array": lambda M: np.array([1, "a"], dtype=object),
    "tensor": lambda M: M.from_numpy(_arr(3)),
    "tuple": lambda M: (np.array(0), "x", 1.5),
    "list": lambda M: [np.array([1, 2]), [np.float64(2)]],
    "dict": lambda M: {"a": np.zeros(1), "b": "s"},
    "ordered_dict": lambda M: collections.OrderedDict(a=np.ones(2, np.float32)),
    "namedtuple": lambda M: Point(np.array(0), 2),
    "range": lambda M: range(3),
    "custom_sequence": lambda M: MySeq(np.int32(1), "q"),
}


@pytest.mark.parametrize("case", list(CONVERT_CASES), ids=list(CONVERT_CASES))
def test_default_convert_matches_torch(case):
    make = CONVERT_CASES[case]
    same(edata.default_convert(make(ember)), tdata.default_convert(make(torch)))


def test_default_convert_shares_numpy_memory():
    a = np.zeros(3, np.float32)
    t = edata.default_convert(a)
    t[0] = 5
    assert a[0] == 5


ERROR_CASES = {
    "none": lambda M: [None, None],
    "object": lambda M: [object()],
    "np_str_arrays": lambda M: [np.array(["a"]), np.array(["b"])],
    "np_object_arrays": lambda M: [np.array([1], dtype=object)] * 2,
    "ragged_lists": lambda M: [[1, 2], [1]],
    "ragged_tuples": lambda M: [(1, 2), (1,)],
    "tensor_shapes": lambda M: [M.zeros(2), M.zeros(3)],
    "tensor_ndims": lambda M: [M.zeros(2), M.zeros(1, 2)],
    "np_shapes": lambda M: [np.zeros(2), np.zeros(3)],
    "negative_strides": lambda M: [np.zeros(3)[::-1]] * 2,
    "dict_keys_differ": lambda M: [{"a": 1}, {"b": 2}],
    "int_overflow": lambda M: [2 ** 70, 1],
}


@pytest.mark.parametrize("case", list(ERROR_CASES), ids=list(ERROR_CASES))
def test_default_collate_errors_match_torch(case):
    make = ERROR_CASES[case]
    with pytest.raises(Exception) as te:
        tdata.default_collate(make(torch))
    with pytest.raises(Exception) as ee:
        edata.default_collate(make(ember))
    assert ee.type is te.type, f"{ee.type.__name__}: {ee.value} vs {te.type.__name__}"
    if case != "int_overflow":
        assert str(ee.value).replace("ember.", "") == str(te.value).replace("torch.", "")


def test_collate_with_custom_map():
    def as_len(batch, *, collate_fn_map):
        return len(batch)

    fmap = dict(default_collate_fn_map)
    fmap[str] = as_len
    assert collate([("a", 1), ("b", 2)], collate_fn_map=fmap)[0] == 2
    # a subclass finds its base's entry, in insertion order
    assert collate([True, False], collate_fn_map={int: as_len}) == 2


def test_collate_keeps_autograd():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    out = edata.default_collate([a, b])
    assert out.requires_grad and out.grad_fn is not None
    (out * ember.tensor([[1.0], [2.0]])).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [2.0, 2.0]


def test_collate_result_owns_its_memory():
    rows = [ember.arange(3.0), ember.arange(3.0)]
    out = edata.default_collate(rows)
    out[0, 0] = 9
    assert rows[0][0].item() == 0 and out.is_contiguous()
