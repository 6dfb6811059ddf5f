"""How many cores the model's math may use: PyTorch's intra-op pool, the BLAS under numpy and scipy (the heads, the
out-of-scope bank), and ONNX Runtime (which follows PyTorch's count, `models/onnx_runtime.py`).

Entry points decide (the server's model thread runs one thread; training and batch jobs use every core). Setting only
PyTorch's count leaves OpenBLAS at every core: on a 2-core machine whose other core is busy with the event loop and the
journey store, a 1 x 384 by 384 x 3,300 product then waits for the busy core and took 1-5 ms instead of 0.2 ms.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


def set_compute_threads(threads: int) -> None:
    """Use `threads` cores for PyTorch, ONNX Runtime and BLAS from now on, in this process."""
    import torch
    from threadpoolctl import threadpool_limits

    if threads < 1:
        raise ValueError(f"threads must be >= 1, not {threads}")
    torch.set_num_threads(threads)
    threadpool_limits(limits=threads, user_api="blas")


@contextmanager
def limited_threads(threads: int) -> Iterator[None]:
    """`set_compute_threads(threads)` inside the block, the previous counts after it."""
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    with threadpool_limits(limits=threads, user_api="blas"):
        torch.set_num_threads(threads)
        try:
            yield
        finally:
            torch.set_num_threads(before)
