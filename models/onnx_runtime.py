"""The encoder's forward pass in ONNX Runtime: the same sentence-transformers graph (transformer, pooling,
normalisation), exported once per set of weights and cached, then run without PyTorch's per-operator overhead.

Measured on the 2-core CI machine (MiniLM, fp32, one thread): a single short contact encodes in ~3.5 ms against
~12-15 ms in PyTorch eager; batches of 32 run ~1.3x faster. The exported graph is checked against PyTorch on a
fixed probe when it is loaded (`Encoder.load`), and PyTorch stays the fallback.

`quantize` makes an int8 copy of a graph (ONNX Runtime dynamic quantisation: int8 weights per output channel,
activations quantised on the fly). It is an opt-in serving choice (runtime "onnx-int8"), never the default: on this
machine it halves the forward pass of short contacts (2.1 against 4-5 ms, one thread), and it moves embeddings by a
cosine of ~0.99 (min ~0.97), which flipped 0.35% of claim labels and 1.7% of complexity labels of the demo champion
on 2,000 held-out demo contacts (heads trained on fp32 embeddings). Measure your own model before serving it so.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


def available() -> bool:
    try:
        import onnx  # noqa: F401  (the exporter writes through it)
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def weights_digest(model) -> str:
    """A digest of the weights and the module layout: a fine-tuned or different model never reuses a graph."""
    import torch

    digest = hashlib.blake2b(digest_size=12)
    digest.update(repr(model).encode())
    digest.update(torch.__version__.encode())
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().to(torch.float32).contiguous().cpu().numpy().tobytes())
    return digest.hexdigest()


class OnnxForward:
    """`run(batch)` -> sentence embeddings, for a padded batch of token ids from the model's tokenizer."""

    def __init__(self, path: Path, input_names: list[str], threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = input_names

    def run(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        ids = batch["input_ids"]
        feeds = {name: np.asarray(batch[name] if name in batch else np.zeros_like(ids), dtype=np.int64)
                 for name in self.input_names}
        return np.asarray(self.session.run(None, feeds)[0], dtype=np.float32)


def export(model, cache_dir: Path, probe_texts: list[str]) -> tuple[Path, list[str]]:
    """Export `model` (a SentenceTransformer) to `cache_dir/<digest>.onnx` unless it is there; returns the path and
    the input names. A copy is exported: tracing changes settings of the live model."""
    import copy

    import torch

    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in model.tokenizer.model_input_names]
    path = Path(cache_dir) / f"{weights_digest(model)}.onnx"
    if path.is_file():
        return path, names
    path.parent.mkdir(parents=True, exist_ok=True)
    clone = copy.deepcopy(model).to(torch.float32).eval()

    class _Forward(torch.nn.Module):
        def __init__(self, st) -> None:
            super().__init__()
            self.st = st

        def forward(self, *tensors):
            return self.st(dict(zip(names, tensors)))["sentence_embedding"]

    batch = model.tokenizer(probe_texts, padding=True, truncation=True, max_length=model.max_seq_length,
                            return_tensors="pt")
    inputs = tuple(batch[n] if n in batch else torch.zeros_like(batch["input_ids"]) for n in names)
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"embedding": {0: "batch"}}
    partial = path.with_suffix(".partial")
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(_Forward(clone), inputs, str(partial), input_names=names, output_names=["embedding"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    partial.replace(path)  # whole files only: a crash mid-export leaves no graph that looks valid
    logger.info("encoder.onnx_exported path=%s", path)
    return path, names


def quantize(path: Path) -> Path:
    """An int8 copy of the graph at `path` (`<stem>.int8.onnx` beside it), made once and cached."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    path = Path(path)
    target = path.with_name(f"{path.stem}.int8.onnx")
    if target.is_file():
        return target
    partial = target.with_name(f"{target.stem}.partial.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantize_dynamic(str(path), str(partial), weight_type=QuantType.QInt8, per_channel=True)
    partial.replace(target)  # whole files only
    logger.info("encoder.onnx_quantized path=%s", target)
    return target
