"""Real customer-care sentiment in the demo sentiment head or not: `python -m claimtriage.evaluation.sentiment_sources`
(writes evaluation/sentiment_sources.json and the "sentiment-sources" section of RESULTS.md).

The demo config's sentiment head is trained twice: on its tweets-and-generated sources without STC-3, and with 70% of
STC-3's labelled helpdesk threads (by thread) as `derived_sentiment` (the annotators' mean satisfaction; an explicit
sentiment label wins where a contact has one). Both are scored, beside the two plain baselines trained on the same
train role in the same process (TF-IDF word+char + LinearSVC; the frozen encoder + LinearSVC), on text neither saw:
XLM-T's Italian and English validation tweets, and the other 30% of STC-3's labelled threads. No hand-written
journeys are used here.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from claimtriage.data.io import write_contacts
from claimtriage.data.paths import PROJECT_ROOT
from claimtriage.data.sources import load_source
from claimtriage.evaluation.results import benchmark_main
from claimtriage.training.config import SourceConfig, load_config
from claimtriage.training.labels import build_examples
from claimtriage.training.train import train

DEFAULT_OUT = PROJECT_ROOT / "evaluation" / "sentiment_sources.json"
DEMO_CONFIG = PROJECT_ROOT / "training" / "configs" / "demo.yaml"
STC3 = "stc3_helpdesk_dq"
HELD_SHARE = 3  # of 10 thread buckets


def held_out(contact) -> bool:
    """30% of STC-3's threads, by a hash of the thread id (deterministic, independent of order)."""
    key = (contact.thread_id or contact.id).encode()
    return int(hashlib.sha1(key).hexdigest(), 16) % 10 < HELD_SHARE


def macro_f1(truth: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, average="macro"))


def run() -> dict:
    from claimtriage.evaluation.byo_baselines import embedding_svm, tfidf_svm

    started = time.perf_counter()
    threads = load_source(STC3, split="train").contacts
    stc_train = [c for c in threads if not held_out(c)]
    for contact in stc_train:
        contact.metadata.pop("split", None)  # a source the config carves its own roles from
    tweets = [c for c in load_source("xlmt_sentiment", split="validation").contacts if c.language in ("it", "en")]
    evals = {"xlmt_it": [c for c in tweets if c.language == "it"], "xlmt_en": [c for c in tweets if c.language == "en"],
             "stc3_held_out": [c for c in threads if held_out(c)]}
    base = load_config(DEMO_CONFIG)
    report: dict = {"config": str(DEMO_CONFIG.relative_to(PROJECT_ROOT)), "variants": {}}
    with tempfile.TemporaryDirectory() as scratch:
        stc_file = write_contacts(stc_train, Path(scratch) / "stc3_train_70.jsonl")
        for name, with_stc3 in (("without STC-3", False), ("with STC-3", True)):
            config = base.model_copy(deep=True)
            config.heads = {"sentiment": config.heads["sentiment"]}
            head = config.heads["sentiment"]
            head.sources = [s for s in head.sources if s.source != STC3]
            head.label = "derived_sentiment"
            if with_stc3:
                head.sources.append(SourceConfig(source=str(stc_file)))
            result = train(config, output_dir=Path(scratch) / f"m{int(with_stc3)}", track=False)
            role = result.data["sentiment"].train
            labels = [str(y) for y in role.labels]
            row = {"n_train": len(labels)}
            for eval_name, contacts in evals.items():
                examples = build_examples(contacts, label="derived_sentiment", view="customer_text")
                truth = [str(y) for y in examples.labels]
                predicted = {
                    "ours": [s.sentiment for s in result.model.predict(examples.contacts)],
                    "tfidf_svm": tfidf_svm(role.texts, labels, examples.texts),
                    "encoder_svm": embedding_svm(result.model.encoder, role.texts, labels, examples.texts),
                }
                row[eval_name] = {"n": len(truth), **{
                    model: {"accuracy": float(np.mean([p == t for p, t in zip(pred, truth)])),
                            "macro_f1": macro_f1(truth, pred)} for model, pred in predicted.items()}}
            report["variants"][name] = row
            print(name, json.dumps(row), flush=True)
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["load_average"] = round(os.getloadavg()[0], 1)
    return report


def markdown(report: dict) -> str:
    evals = ("xlmt_it", "xlmt_en", "stc3_held_out")
    first = next(iter(report["variants"].values()))
    lines = [
        "## Sentiment: real customer-care threads in the demo head (`python -m claimtriage.evaluation.sentiment_sources`)",
        "",
        f"The demo config's sentiment head ({report['config']}) without and with 70% of STC-3's labelled helpdesk "
        "threads (annotators' mean satisfaction as sentiment), beside the plain baselines trained on the same train "
        "role in the same run; scored on XLM-T validation tweets and the other 30% of STC-3's threads (by thread). "
        f"Accuracy / macro-F1. {report['seconds']:.0f} s on this shared 2-core machine (load {report['load_average']}).",
        "",
        "| training data | model | " + " | ".join(f"{e} (n={first[e]['n']})" for e in evals) + " |",
        "|---|---|" + "---:|" * len(evals),
    ]
    for name, row in report["variants"].items():
        for model, label in (("ours", "claimtriage head"), ("tfidf_svm", "TF-IDF + LinearSVC"),
                             ("encoder_svm", "frozen encoder + LinearSVC")):
            cells = [f"{row[e][model]['accuracy']:.3f} / {row[e][model]['macro_f1']:.3f}" for e in evals]
            lines.append(f"| {name} | {label} | " + " | ".join(cells) + " |")
    for name, row in report["variants"].items():
        lost = [f"{e} ({model})" for e in evals for model in ("tfidf_svm", "encoder_svm")
                if row[e][model]["accuracy"] > row[e]["ours"]["accuracy"]]
        lines += ["", f"{name}: the head's accuracy is " + (
            "under a plain baseline on " + ", ".join(lost) if lost else "above both plain baselines on every set") + "."]
    with_, without = report["variants"].get("with STC-3"), report["variants"].get("without STC-3")
    if with_ and without:
        gains = {e: with_[e]["ours"]["accuracy"] - without[e]["ours"]["accuracy"] for e in evals}
        uses = any(s.source == STC3 for s in load_config(DEMO_CONFIG).heads["sentiment"].sources)
        lines += ["", "Adding STC-3 changes the head's accuracy by " + ", ".join(
            f"{gains[e]:+.3f} on {e}" for e in evals) + f". `training/configs/demo.yaml` "
            f"{'trains with' if uses else 'does not add'} STC-3."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    benchmark_main(__doc__.split("\n")[0], "sentiment-sources", DEFAULT_OUT, lambda _: run(), markdown, argv)


if __name__ == "__main__":
    main()
