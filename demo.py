"""The main job on the embedded default: demo corpus -> train -> register -> promote -> serve -> triage sample
contacts over HTTP (one per channel, then a customer's journey across channels)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from claimtriage.data.paths import PROJECT_ROOT

DEMO_CONFIG = PROJECT_ROOT / "training" / "configs" / "demo.yaml"


def run_demo(out: Path, *, seed: int = 0, n_contacts: int = 5000, echo=print) -> dict[str, Any]:
    """Run the whole demo; `echo` receives progress lines. Returns the figures it printed."""
    from claimtriage.data.demo import write_demo
    from claimtriage.data.io import read_contacts
    from claimtriage.data.summary import summarise
    from claimtriage.training.config import load_config
    from claimtriage.training.promote import promote
    from claimtriage.training.train import train

    folder = write_demo(out, n_contacts=n_contacts, seed=seed)
    contacts = read_contacts(folder, strict=True).contacts
    summary = summarise(contacts)
    echo(f"1/4 demo corpus: {summary['n_contacts']} contacts in {folder} (channels {summary['channels']}, "
         f"languages {summary['languages']})")
    config = load_config(DEMO_CONFIG)
    public = _public_sources_available()
    for head in config.heads.values():
        head.sources = [s for s in head.sources if s.source == "demo_corpus" or public]
        for source in head.sources:
            if source.source == "demo_corpus":
                source.source = str(folder)
    if not public:
        echo("    (no shared public datasets found: training on the demo corpus alone)")
    result = train(config)
    heads = result.metrics["heads"]
    echo(f"2/4 trained in {result.metrics['train_seconds']:.0f} s: " + ", ".join(
        f"{name} accuracy {m.get('accuracy', float('nan')):.3f} macro-F1 {m.get('macro_f1', float('nan')):.3f}"
        for name, m in heads.items()))
    echo(f"    MLflow run {result.run_id}, registered version {result.model_version} as 'candidate'")
    decision = promote(config.tracking.registered_model)
    echo(f"3/4 promotion: {'promoted to champion' if decision.promoted else 'not promoted'} ({decision.reason})")
    model = f"models:/{config.tracking.registered_model}@champion" if decision.promoted else str(result.model_dir)
    sample = _one_per_channel(contacts) + _a_journey(contacts)
    echo(f"4/4 serving {model} on loopback (demo: no API key) and triaging {len(sample)} contacts over HTTP:")
    answers = serve_and_triage(model, sample, workdir=folder, echo=echo)
    for contact, answer in zip(sample, answers, strict=True):
        route, journey = answer["route"], answer["journey"]
        echo(f"    {contact.channel.value:9s} {answer['language']}  claim={answer['claim']['label']} "
             f"({answer['claim']['confidence']:.2f})  sentiment={answer['sentiment']['label']}  "
             f"complexity={answer['complexity']['label']}  -> {route['target']}/{route['queue']} p{route['priority']} "
             f"[{', '.join(r['code'] for r in route['reasons'])}]  journey: {journey['status']}, "
             f"contact {journey['prior_contacts'] + 1} of claim, channels {'>'.join(journey['channels_used'])}")
    return {"summary": summary, "metrics": result.metrics, "promoted": decision.promoted, "answers": answers}


def _public_sources_available() -> bool:
    """Whether the public sets the demo config mixes in are on this machine (../shared/datasets or
    $CLAIMTRIAGE_DATASETS)."""
    from claimtriage.data.paths import shared_datasets_dir

    base = shared_datasets_dir()
    return all((base / name).is_dir() for name in ("bitext_customer_support", "xlmt_sentiment", "hwu64", "xsid"))


def serve_and_triage(model: str, contacts, *, workdir: Path, echo=print, timeout_s: float = 180) -> list[dict]:
    """Start `claimtriage serve` on a free loopback port with a fresh journey store, POST each contact to /triage
    in order, stop the server. Raises if the server does not come up or an answer is not 200."""
    import json

    import httpx

    from claimtriage.serving.process import running_server

    for path in workdir.glob("journeys.db*"):
        path.unlink()
    args = ["--model", model, "--store", f"sqlite:///{workdir / 'journeys.db'}", "--no-auth"]
    with running_server(args, workdir=workdir, timeout_s=timeout_s) as server:
        echo(f"    server ready at {server.url} (OpenAPI docs at {server.url}/docs)")
        answers = []
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for contact in contacts:
                response = client.post("/triage", content=contact.model_dump_json(exclude={"labels", "outcome",
                                                                                          "metadata"}),
                                       headers={"content-type": "application/json"})
                if response.status_code != 200:
                    raise RuntimeError(f"/triage answered {response.status_code}: {response.text[:300]}")
                answers.append(json.loads(response.text))
        return answers


def _a_journey(contacts, length: int = 3):
    """The contacts of one claim that crossed channels (at least `length` contacts), in time order."""
    by_claim: dict[str, list] = {}
    for contact in contacts:
        if contact.labels and contact.labels.true_claim:
            by_claim.setdefault(contact.labels.true_claim, []).append(contact)
    for claim in sorted(by_claim, key=lambda k: -by_claim[k][-1].timestamp.timestamp()):
        chain = by_claim[claim]
        if len(chain) >= length and len({c.channel for c in chain}) >= 2:
            return chain[:length]
    return []


def _one_per_channel(contacts):
    seen: dict[str, Any] = {}
    for contact in reversed(contacts):  # the latest contacts: mostly in the test share of the split
        seen.setdefault(contact.channel.value, contact)
    return list(seen.values())
