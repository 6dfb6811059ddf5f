"""Test-wide settings: offline like every entry point of the project."""

from __future__ import annotations

import os

from claimtriage.data.paths import OFFLINE_DEFAULTS

for _key, _value in OFFLINE_DEFAULTS.items():
    os.environ.setdefault(_key, _value)


# ---- one small demo corpus and one trained model per test session, shared by every module that needs them ----
import pytest  # noqa: E402

from claimtriage.data.demo import write_demo  # noqa: E402
from claimtriage.training.config import TrainConfig  # noqa: E402
from claimtriage.training.train import train  # noqa: E402

HEADS = {
    "claim": {"label": "claim", "oos_accept_rate": 0.97, "head": {"C": 10, "sparse": {"word_ngrams": [1, 2], "char_ngrams": [2, 4]}}},
    "sentiment": {"label": "sentiment", "head": {"C": 4, "sparse": {"word_ngrams": [1, 2], "char_ngrams": None}}},
    "complexity": {"label": "complexity", "text": "first_customer_turn"},
}


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    home = tmp_path_factory.mktemp("workspace")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLAIMTRIAGE_HOME", str(home))
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield home


@pytest.fixture(scope="session")
def corpus(workspace):
    return write_demo(workspace / "corpus", n_contacts=800, seed=3)


def _config(corpus, name: str, *, limit: int | None = None, C: float = 10) -> TrainConfig:
    heads = {k: {**v, "sources": [{"source": str(corpus), **({"limit": limit} if limit else {})}]} for k, v in HEADS.items()}
    heads["claim"]["head"] = {**heads["claim"]["head"], "C": C}
    return TrainConfig.model_validate({
        "name": name, "split": {"validation": 0.15, "test": 0.2, "group_by": "customer"}, "heads": heads,
        "tracking": {"experiment": "tests", "registered_model": "tests-model"},
    })


@pytest.fixture(scope="session")
def trained(corpus, workspace):
    return train(_config(corpus, "session"), output_dir=workspace / "models" / "session", track=True)


@pytest.fixture(scope="session")
def trained_model(trained):
    """The session's trained TriageModel (the same object as `trained.model`)."""
    return trained.model


@pytest.fixture(scope="session")
def corpus_contacts(corpus):
    """The session corpus as Contact objects, in time order."""
    from claimtriage.data.io import read_contacts

    return sorted(read_contacts(corpus).contacts, key=lambda c: c.timestamp)
