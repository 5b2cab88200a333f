"""ember.set_num_threads / get_num_threads reach NumPy's OpenBLAS, errors as torch's."""
import pytest
import torch

import ember
from ember.backend import cpu


def test_set_and_get_num_threads():
    before = ember.get_num_threads()
    assert cpu.get_blas_threads() is not None      # the NumPy wheels ship OpenBLAS
    try:
        ember.set_num_threads(1)
        assert ember.get_num_threads() == 1
    finally:
        ember.set_num_threads(before)
    assert ember.get_num_threads() == before


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_thread_counts(bad):
    errors = []
    for M in (ember, torch):
        try:
            M.set_num_threads(bad)
        except Exception as e:
            errors.append(type(e))
        else:
            errors.append(None)
    assert errors[0] is errors[1]
