"""The model's compute threads: PyTorch and the BLAS under numpy move together, and come back after a block."""

import pytest
import torch
from threadpoolctl import threadpool_info

from claimtriage.models.threads import limited_threads, set_compute_threads

pytestmark = pytest.mark.unit

def _blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_limited_threads_sets_torch_and_blas_then_restores():
    torch_before, blas_before = torch.get_num_threads(), _blas_threads()
    with limited_threads(1):
        assert torch.get_num_threads() == 1
        assert _blas_threads() == {1}
    assert torch.get_num_threads() == torch_before
    assert _blas_threads() == blas_before


def test_set_compute_threads_rejects_zero():
    import pytest

    with pytest.raises(ValueError, match="threads must be >= 1"):
        set_compute_threads(0)
