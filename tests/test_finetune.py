"""Fine-tuning the shared encoder: it changes the weights, only train-role texts reach it, the fine-tuned weights
travel with the saved model (PyTorch and ONNX Runtime), caches never mix them up, and config mistakes are clear."""

from __future__ import annotations

import numpy as np
import pytest

from claimtriage.models.embedding_cache import EmbeddingCache, encoder_key
from claimtriage.models.encoder import Encoder
from claimtriage.models.onnx_runtime import weights_digest
from claimtriage.models.triage_model import TriageModel
from claimtriage.training import finetune
from claimtriage.training.config import ConfigError, FinetuneConfig, TrainConfig, load_config
from claimtriage.training.dataset import HeadData
from claimtriage.training.labels import Examples
from claimtriage.training.train import train

from conftest import _config

TEXTS = ["I want my money back", "refund my last payment please", "where is my parcel", "my package never arrived",
         "cancel my subscription today", "I wish to end the contract", "refund the double charge", "delivery is late"]
LABELS = ["refund", "refund", "delivery", "delivery", "cancel", "cancel", "refund", "delivery"]
ONE_STEP = {"batch_size": 8, "learning_rate": 1e-4, "max_examples": 8, "max_seq_length": 32, "warmup_ratio": 0.0}


def _head_data(texts=TEXTS, labels=LABELS) -> HeadData:
    none = Examples([], [], [])
    return HeadData(Examples([None] * len(texts), list(texts), list(labels)), none, none)


@pytest.mark.model
@pytest.mark.parametrize("method", ["contrastive", "full"])
def test_one_step_changes_weights_embeddings_and_cache_key(method, tmp_path):
    encoder = Encoder.load(dtype="fp32", runtime="torch")
    base_digest, base_key = weights_digest(encoder.model), encoder_key(encoder)
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    before = cache.encode(encoder, TEXTS)
    report = finetune.finetune_encoder(encoder, {"claim": _head_data()},
                                       FinetuneConfig(method=method, heads=["claim"], **ONE_STEP), seed=0)
    assert report["steps"] >= 1 and np.isfinite(report["train_loss"]) and report["examples"] == {"claim": 8}
    assert encoder.weights_digest == weights_digest(encoder.model) != base_digest
    assert encoder_key(encoder) != base_key
    assert not encoder.model.training and encoder.max_seq_length == 256  # back to inference with its own window
    after = encoder.encode(TEXTS)
    assert np.sum(before * after, axis=1).min() < 0.9999  # the embeddings moved
    np.testing.assert_allclose(cache.encode(encoder, TEXTS), after, atol=1e-6)  # the cache serves the new ones


@pytest.mark.model
def test_same_seed_gives_the_same_weights():
    digests = []
    for _ in range(2):
        encoder = Encoder.load(dtype="fp32", runtime="torch")
        finetune.finetune_encoder(encoder, {"claim": _head_data()},
                                  FinetuneConfig(method="full", heads=["claim"], **ONE_STEP), seed=3)
        digests.append(encoder.weights_digest)
    assert digests[0] == digests[1]


@pytest.mark.unit
def test_pairs_follow_the_labels_and_unseen_labels_never_reach_training():
    rng = np.random.default_rng(0)
    drawn = finetune.training_texts("claim", _head_data(), unseen=["cancel"], max_examples=None, rng=rng)
    assert "cancel" not in drawn.labels and len(drawn.texts) == 6
    label_of = dict(zip(drawn.texts, drawn.labels))
    pairs = finetune.build_pairs(drawn, per_example=2, max_pairs=None, rng=rng)
    assert len(pairs) == 2 * 2 * 6
    assert all((label_of[a] == label_of[b]) == (target == 1.0) and a != b for a, b, target in pairs)
    multi = finetune.training_texts("claim", _head_data(labels=[["refund", "cancel"], ["delivery"]] * 4),
                                    unseen=["cancel"], max_examples=None, rng=rng)
    assert multi.labels == [("delivery",)] * 4  # a multi-label example with an unseen label is left out whole


@pytest.fixture(scope="module")
def finetuned(corpus, own_registry, tmp_path_factory):
    """A model trained on the demo corpus with a fine-tuned encoder, with a spy on what reached fine-tuning; tracked
    and registered in this module's own MLflow store."""
    config = _config(corpus, "finetune", limit=120, registered_model="tests-finetuned").model_dump()
    config["heads"]["claim"]["unseen_labels"] = ["refund"]
    config["finetune"] = {"method": "contrastive", "heads": ["claim", "sentiment"], "batch_size": 16,
                          "max_examples": {"claim": 24, "sentiment": 16}, "max_seq_length": 64}
    seen: list = []
    original = finetune.training_texts
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(finetune, "training_texts", lambda *a, **k: seen.append(original(*a, **k)) or seen[-1])
        result = train(TrainConfig.model_validate(config), output_dir=tmp_path_factory.mktemp("ft"), track=True)
    return result, seen


@pytest.mark.model
def test_only_train_role_texts_reach_fine_tuning(finetuned):
    result, seen = finetuned
    assert [d.head for d in seen] == ["claim", "sentiment"]
    for drawn in seen:
        roles = result.data[drawn.head]
        held_out = set(roles.validation.texts) | set(roles.test.texts)
        assert drawn.texts and set(drawn.texts) <= set(roles.train.texts)
        assert not set(drawn.texts) & held_out
    assert "refund" not in seen[0].labels
    assert "refund" in result.data["claim"].test.labels  # it exists, and stays for the out-of-scope test


@pytest.mark.model
def test_finetuned_model_saves_and_loads_its_own_weights(finetuned, corpus_contacts):
    result, _ = finetuned
    model = result.model
    assert model.info["encoder_finetuned"] and model.info["finetune"]["method"] == "contrastive"
    assert result.metrics["finetune"]["examples"] == {"claim": 24, "sentiment": 16}
    assert result.metrics["finetune"]["steps"] >= 1 and result.metrics["finetune"]["seconds"] > 0
    assert (result.model_dir / "encoder" / "model.safetensors").is_file()
    loaded = TriageModel.load(result.model_dir, dtype=model.encoder.dtype)
    digest = weights_digest(loaded.encoder.model)
    assert digest == model.encoder.weights_digest != weights_digest(Encoder.load(dtype="fp32", runtime="torch").model)
    if model.encoder.runtime == "onnx":  # the exported graph is the fine-tuned one, in memory and after loading
        assert loaded.encoder.runtime == "onnx" and loaded.encoder._onnx_graph[0].stem == digest
        assert model.encoder._onnx_graph[0].stem == digest
    contacts = corpus_contacts[:30]
    before, after = model.predict(contacts), loaded.predict(contacts)
    assert [s.claim for s in before] == [s.claim for s in after]
    np.testing.assert_allclose([s.claim_confidence for s in before], [s.claim_confidence for s in after], atol=1e-5)
    np.testing.assert_allclose([s.sentiment_score for s in before], [s.sentiment_score for s in after], atol=1e-5)


@pytest.mark.model
def test_finetuned_run_is_tracked_and_loads_as_pyfunc(finetuned, corpus_contacts):
    import mlflow
    import pandas as pd

    from claimtriage.models.registry import connect

    result, _ = finetuned
    connect()
    run = mlflow.get_run(result.run_id)
    assert run.data.params["finetune.method"] == "contrastive"
    assert run.data.params["finetune.heads"] == "claim,sentiment"
    assert "finetune.train_loss" in run.data.metrics and "finetune.seconds" in run.data.metrics
    assert run.data.tags["encoder_finetuned"] == "true"
    pyfunc = mlflow.pyfunc.load_model(f"runs:/{result.run_id}/model")
    contacts = corpus_contacts[:8]
    predicted = pyfunc.predict(pd.DataFrame({"contact": [c.model_dump_json() for c in contacts]}))
    assert list(predicted["claim"]) == [s.claim for s in result.model.predict(contacts)]


@pytest.mark.unit
@pytest.mark.parametrize("section, message", [
    ("{method: lora, heads: [claim]}", "finetune.method: Input should be 'contrastive' or 'full'"),
    ("{method: full, heads: [sentiment]}", "finetune.heads: ['sentiment'] not among the configured heads"),
    ("{method: full, heads: [claim, claim]}", "finetune.heads: Value error, a head is listed twice"),
    ("{method: full, heads: []}", "finetune.heads: List should have at least 1 item"),
    ("{method: full, heads: [claim], epoch: 2}", "finetune.epoch: Extra inputs are not permitted"),
    ("{method: full, heads: [claim], learning_rate: 0}", "finetune.learning_rate: Input should be greater than 0"),
    ("{method: full, heads: [claim], max_examples: 1}", "finetune.max_examples: Value error, at least 2 examples"),
    ("{method: full, heads: [claim], max_examples: {sentiment: 9}}",
     "finetune.max_examples: ['sentiment'] not among finetune.heads"),
])
def test_finetune_config_errors_name_the_field(tmp_path, section, message):
    path = tmp_path / "ft.yaml"
    path.write_text(f"heads:\n  claim:\n    sources: [{{source: x}}]\n    label: claim\nfinetune: {section}\n")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        load_config(path)
