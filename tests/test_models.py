"""Model parts: encoder chunking and bf16, the out-of-scope gate, the embedding cache, evaluation metrics."""

from __future__ import annotations

import numpy as np
import pytest

from claimtriage.models.metrics import OUT_OF_SCOPE, json_ready, out_of_scope_metrics
from claimtriage.models.embedding_cache import EmbeddingCache
from claimtriage.models.encoder import Encoder
from claimtriage.models.oos import OutOfScopeDetector


@pytest.fixture(scope="session")
def encoder():
    return Encoder.load(dtype="fp32")


@pytest.mark.model
def test_long_texts_are_chunked_not_cut(encoder):
    sentence = "The invoice for March charged me twice for the same fibre subscription. "
    long_text = sentence * 80 + "Also my router has been broken since Monday and nobody came."
    plan = encoder.plan_chunks([long_text, "short one"])
    assert (plan.owner == 0).sum() > 1 and (plan.owner == 1).sum() == 1
    vectors = encoder.encode([long_text, sentence])
    assert vectors.shape == (2, encoder.dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    truncated = encoder.encode([long_text], chunk=False)
    assert not np.allclose(vectors[0], truncated[0])  # the tail (router) reaches the vector only when chunked


@pytest.mark.model
def test_bf16_stays_within_cosine_of_fp32(encoder):
    # forced bf16 works on any CPU (emulated where there is no native support), so this always runs
    texts = ["where is my refund?", "la linea internet non funziona da ieri sera", "I want to cancel my contract"]
    bf16 = Encoder.load(dtype="bf16")
    cosine = np.sum(encoder.encode(texts) * bf16.encode(texts), axis=1)
    assert cosine.min() >= 0.999


@pytest.mark.model
def test_onnx_runtime_agrees_with_pytorch_on_short_long_and_batched_texts(encoder):
    """The fixture's encoder runs its forward pass in ONNX Runtime (the default where installed); PyTorch on the same
    weights gives the same vectors, alone and in padded batches, for short texts and chunked long ones."""
    assert encoder.runtime == "onnx"
    torch_encoder = Encoder.load(dtype="fp32", runtime="torch")
    assert torch_encoder.runtime == "torch"
    texts = ["ok", "where is my refund?", "la linea internet non funziona da ieri sera " * 60, "grazie mille 🙏"]
    batched = encoder.encode(texts)
    np.testing.assert_allclose(batched, torch_encoder.encode(texts), atol=2e-4)
    alone = np.concatenate([encoder.encode([t]) for t in texts])
    np.testing.assert_allclose(alone, batched, atol=2e-4)


@pytest.mark.model
def test_onnx_runtime_follows_the_torch_thread_count(encoder):
    import torch

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        encoder.encode(["one thread"])
        assert encoder._onnx_threads == 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.model
def test_int8_runtime_is_opt_in_close_to_fp32_and_runs_every_batch(encoder, monkeypatch):
    """runtime onnx-int8 quantises the exported graph (cached beside it), stays within the documented cosine of
    fp32, encodes long batches too (never mixing fp32 vectors in), and reports dtype int8 so no embedding cache
    confuses its vectors with fp32 ones."""
    from claimtriage.models import encoder as encoder_module
    from claimtriage.models.embedding_cache import encoder_key
    from claimtriage.models.encoder import INT8_MIN_COSINE

    # as on a CPU with AMX, where "auto" would pick bf16 for PyTorch: the int8 graph is still quantised from fp32
    monkeypatch.setattr(encoder_module, "cpu_bf16_is_faster", lambda: True)
    quantized = Encoder.load(dtype="auto", runtime="onnx-int8")
    assert (quantized.runtime, quantized.dtype) == ("onnx-int8", "int8")
    assert quantized._onnx_graph[0].name.endswith(".int8.onnx") and quantized._onnx_graph[0].is_file()
    assert encoder_key(quantized) != encoder_key(encoder)
    texts = ["where is my refund?", "la linea internet non funziona da ieri sera " * 60, "ok thanks"]
    cosine = np.sum(quantized.encode(texts) * encoder.encode(texts), axis=1)
    assert cosine.min() >= INT8_MIN_COSINE and cosine.max() < 0.99999  # close, and really quantised

    def no_torch(*args, **kwargs):
        raise AssertionError("an int8 encoder ran a batch in PyTorch")

    monkeypatch.setattr(quantized.model, "forward", no_torch)
    assert quantized.encode(["a long complaint " * 400] * 4).shape == (4, quantized.dimension)
    with pytest.raises(ValueError, match="onnx-int8"):
        Encoder.load(dtype="bf16", runtime="onnx-int8")


@pytest.mark.model
def test_without_onnx_runtime_the_encoder_stays_on_pytorch(monkeypatch):
    from claimtriage.models import onnx_runtime

    monkeypatch.setattr(onnx_runtime, "available", lambda: False)
    assert Encoder.load(dtype="fp32").runtime == "torch"
    with pytest.raises(RuntimeError, match="onnxruntime"):
        Encoder.load(dtype="fp32", runtime="onnx")
    with pytest.raises(ValueError, match="runtime"):
        Encoder.load(dtype="fp32", runtime="tensorrt")


def _clusters(rng, centres, n):
    points = np.concatenate([c + 0.05 * rng.standard_normal((n, c.size)) for c in centres])
    return points / np.linalg.norm(points, axis=1, keepdims=True)


@pytest.mark.unit
def test_out_of_scope_gate_rejects_an_unseen_kind_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    centres = np.eye(8)[:3]
    train = _clusters(rng, centres, 50)
    labels = [lab for lab in ("a", "b", "c") for _ in range(50)]
    held = _clusters(rng, centres, 20)
    unseen = _clusters(rng, np.eye(8)[5:6], 20)
    probs = lambda x: np.full((len(x), 3), 1 / 3)  # noqa: E731 - an uninformative head isolates the kNN part
    gate = OutOfScopeDetector(accept_rate=0.95).fit_bank(train, labels).fit_threshold(held, probs(held))
    assert gate.reject(unseen, probs(unseen)).all()
    assert gate.reject(held, probs(held)).mean() <= 0.1
    loaded = OutOfScopeDetector.load(gate.save(tmp_path / "oos"))
    np.testing.assert_array_equal(loaded.reject(unseen, probs(unseen)), gate.reject(unseen, probs(unseen)))


class _CountingEncoder:
    """Stands in for the encoder inside this unit test of the cache: counts what it is asked to encode."""

    name, dtype, max_seq_length, overlap, max_chunks, dimension = "fake", "fp32", 8, 2, 4, 3

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts, batch_size=64, show_progress=False):
        self.seen += texts
        return np.asarray([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


@pytest.mark.unit
def test_embedding_cache_encodes_each_text_once(tmp_path):
    cache, fake = EmbeddingCache(tmp_path / "e.sqlite"), _CountingEncoder()
    first = cache.encode(fake, ["a", "bb", "a"])
    second = cache.encode(fake, ["bb", "ccc"])
    assert fake.seen == ["a", "bb", "ccc"]
    assert first[1].tolist() == second[0].tolist() == [2.0, 1.0, 0.0]
    assert first[0].tolist() == first[2].tolist() == [1.0, 1.0, 0.0]


@pytest.mark.unit
def test_out_of_scope_metrics_count_rejections_and_misses():
    truth = ["a", "a", "b", "new", "new"]
    predicted = ["a", OUT_OF_SCOPE, "b", OUT_OF_SCOPE, "a"]
    metrics = out_of_scope_metrics(truth, predicted, known={"a", "b"})
    assert metrics["in_scope_accuracy"] == pytest.approx(2 / 3)
    assert metrics["oos_recall"] == 0.5 and metrics["oos_precision"] == 0.5


@pytest.mark.unit
def test_json_ready_turns_nan_into_null():
    assert json_ready({"a": float("nan"), "b": [1.0, float("nan")]}) == {"a": None, "b": [1.0, None]}


@pytest.mark.unit
def test_a_paired_comparison_counts_the_rows_only_one_model_gets_right():
    from claimtriage.models.metrics import paired_comparison

    truth = ["a"] * 10
    ours = ["a"] * 8 + ["b"] * 2
    theirs = ["b"] * 6 + ["a"] * 4
    result = paired_comparison(truth, ours, theirs)
    assert (result["ours_only"], result["theirs_only"]) == (6, 2)  # rows 0-5 only ours, rows 8-9 only theirs
    assert result["p_value"] == pytest.approx(2 * (28 + 8 + 1) / 256, abs=1e-4)  # exact two-sided binomial, 6 of 8
    assert paired_comparison(truth, ours, ours) == {"ours_only": 0, "theirs_only": 0, "p_value": 1.0}
    with pytest.raises(ValueError):
        paired_comparison(truth, ours, theirs[:-1])  # the same rows, or no comparison
