"""`claimtriage segment` end to end: load the source and the model, segment, write the files, log them to MLflow.

Files, for `--out reports/segments.html`:
- `reports/segments.html`: the report (self-contained);
- `reports/segments.parquet`: one row per contact (segment id and name, attached flag, head outputs, route, journey);
- `reports/segments_tables/<table>.csv` and `.parquet`: every table of the report;
- `reports/segments.registry.json` (unless `--registry` says otherwise): the segment ids and centroids that later
  runs match against.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from claimtriage.evaluation.results import update_section
from claimtriage.evaluation.segments.pipeline import SegmentResult, segment_contacts
from claimtriage.evaluation.segments.report import write_report
from claimtriage.evaluation.segments.segment import SegmentConfig

log = logging.getLogger(__name__)
EXPERIMENT = "segments"
TARGET_SECONDS = 180


@dataclass(frozen=True)
class SegmentPaths:
    report: Path
    assignments: Path
    tables: Path
    registry: Path

    @classmethod
    def for_report(cls, out: Path, registry: Path | None = None) -> SegmentPaths:
        if out.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"--out must name an .html file, not {out}")
        return cls(report=out, assignments=out.with_suffix(".parquet"), tables=out.parent / f"{out.stem}_tables",
                   registry=registry or out.with_suffix(".registry.json"))


def write_outputs(result: SegmentResult, paths: SegmentPaths, *, map_points: int = 5000, seed: int = 0) -> list[Path]:
    """The report, the per-contact Parquet and every table as CSV and Parquet; returns the files written."""
    paths.report.parent.mkdir(parents=True, exist_ok=True)
    paths.tables.mkdir(parents=True, exist_ok=True)
    written = [write_report(paths.report, tables=result.tables, frame=result.frame, examples=result.examples,
                            info=result.info, map_points=map_points, seed=seed)]
    result.frame.to_parquet(paths.assignments, index=False)
    written.append(paths.assignments)
    for name, table in result.tables.items():
        exported = table if isinstance(table.index, pd.RangeIndex) else table.reset_index()
        exported.columns = [str(c) for c in exported.columns]
        exported.to_csv(paths.tables / f"{name}.csv", index=False)
        exported.to_parquet(paths.tables / f"{name}.parquet", index=False)
        written += [paths.tables / f"{name}.csv", paths.tables / f"{name}.parquet"]
    return written


def log_to_mlflow(result: SegmentResult, paths: SegmentPaths, files: list[Path], *, tracking_uri: str | None) -> str:
    """One MLflow run with the settings, the headline figures and every file as an artifact; returns the run id."""
    import mlflow

    from claimtriage.models.registry import connect

    connect(tracking_uri, EXPERIMENT)
    info = result.info
    with mlflow.start_run(run_name=f"segment {Path(str(info.get('source', ''))).name}") as run:
        mlflow.set_tags({"source": str(info.get("source")), "model_uri": str(info.get("model_uri")),
                         "encoder": str(info.get("encoder"))})
        mlflow.log_params({f"clustering.{k}": v for k, v in info["clustering"].items()})
        metrics = {"n_contacts": info["n_contacts"], "n_segments": info["n_segments"],
                   "unassigned_share": info["unassigned_share"], "attached_share": info["attached_share"],
                   **{f"seconds.{k}": v for k, v in info["seconds"].items()}}
        if info.get("ari_claim") is not None:
            metrics["ari_claim"] = info["ari_claim"]
        mlflow.log_metrics(metrics)
        mlflow.log_artifact(str(paths.report))
        mlflow.log_artifact(str(paths.assignments))
        for path in files:
            if path.parent == paths.tables:
                mlflow.log_artifact(str(path), "tables")
        if paths.registry.is_file():
            mlflow.log_artifact(str(paths.registry))
        return run.info.run_id


def run_segmentation(source: str, out: Path, *, model: str = "models:/claimtriage@champion",
                     config: SegmentConfig = SegmentConfig(), registry: Path | None = None, split: str | None = None,
                     mapping=None, policy: str | None = None, journeys: bool = True, track: bool = True,
                     tracking_uri: str | None = None, limit: int | None = None, cache: bool = True,
                     deployment: str | Path | None = None,
                     echo: Callable[[str], None] = lambda _: None) -> tuple[SegmentResult, SegmentPaths]:
    """Segment the contacts of `source` with `model` and write the report and exports next to `out`; journeys are
    replayed with the `deployment` settings file (None: generic rules)."""
    from claimtriage.data.deployment import load_deployment
    from claimtriage.data.sources import load_source
    from claimtriage.evaluation.segments.encoding import default_cache_path

    paths = SegmentPaths.for_report(out, registry)
    started = time.perf_counter()
    loaded = load_source(source, mapping=mapping, split=split)
    contacts = loaded.contacts
    if limit and len(contacts) > limit:  # an even sample across the source: files are often sorted by label or date
        contacts = contacts[:: len(contacts) // limit][:limit]
    if not contacts:
        raise ValueError(f"{source}: no contacts to segment (the source is empty"
                         + (f"; {len(loaded.errors)} rows skipped as invalid)" if loaded.errors else ")"))
    load_seconds = time.perf_counter() - started
    echo(f"segments: {len(contacts)} contacts from {source}; loading model {model}")
    clock = time.perf_counter()
    triage_model = _load_model(model, tracking_uri)
    model_seconds = time.perf_counter() - clock
    result = segment_contacts(contacts, triage_model, config, registry_path=paths.registry, policy_path=policy,
                              journeys=journeys, deployment=load_deployment(deployment), embedding_cache=default_cache_path() if cache else None,
                              show_progress=True, echo=echo)
    result.info.update({"source": source, "model_uri": model, "skipped_rows": len(loaded.errors), "embedding_cache": cache})
    result.info["seconds"] = {"load_data": round(load_seconds, 2), "load_model": round(model_seconds, 2),
                              **result.info["seconds"]}
    clock = time.perf_counter()
    files = write_outputs(result, paths, map_points=config.map_points, seed=config.seed)
    result.info["seconds"]["write"] = round(time.perf_counter() - clock, 2)
    result.info["seconds"]["total"] = round(time.perf_counter() - started, 2)
    if track:
        try:
            result.info["mlflow_run_id"] = log_to_mlflow(result, paths, files, tracking_uri=tracking_uri)
        except Exception as err:  # noqa: BLE001 - the report exists; a tracking outage must not lose it
            log.warning("segments.mlflow_failed error=%s", err)
            echo(f"segments: not logged to MLflow ({type(err).__name__}: {err})")
    return result, paths


def _load_model(model: str, tracking_uri: str | None):
    """The model, or a LookupError that names it (an unknown registry URI, a folder that is no model)."""
    from mlflow.exceptions import MlflowException

    from claimtriage.models.registry import load_model

    try:
        return load_model(model, tracking_uri=tracking_uri)
    except MlflowException as err:
        raise LookupError(f"model {model}: {err.message}") from None


def bench_record(result: SegmentResult, *, command: str, load_average: float | None = None) -> dict:
    """The figures `--bench` keeps for one source in evaluation/bench/segment.json. The machine may be shared: the
    load averages (1 minute at the start, 5 minutes at the end) say how busy it was."""
    info = result.info
    return {
        "command": command,
        "source": info.get("source"),
        "model_uri": info.get("model_uri"),
        "n_contacts": info["n_contacts"],
        "seconds_total": info["seconds"]["total"],
        "seconds": info["seconds"],
        "embedding_cache": info.get("embedding_cache"),
        "ari_claim": info["ari_claim"],
        "unassigned_share": info["unassigned_share"],
        "n_segments": info["n_segments"],
        "clustering": info["clustering"],
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_start": load_average,
                    "load_average_5m_at_end": round(os.getloadavg()[1], 2),
                    "python": platform.python_version(), "processor": platform.machine()},
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def write_bench(record: dict, path: Path) -> Path:
    """Add or replace the record of this source in the bench file (one record per source, cold and warm)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.is_file() else {}
    runs = data.get("runs", {})
    runs[Path(str(record["source"])).name + (", warm" if record.get("embedding_cache") else "")] = record
    path.write_text(json.dumps({"target_seconds_10k": TARGET_SECONDS, "runs": runs}, indent=2) + "\n")
    return path


def results_section(bench: dict) -> str:
    """The Segmentation section of evaluation/RESULTS.md, from the bench file."""
    runs = bench["runs"]
    lines = ["## Segmentation", "",
             "Reproduce each row with the command in its `command` field of `evaluation/bench/segment.json` "
             "(`--bench` writes the record and this section). Cold runs (`--no-cache`) encode every contact; "
             "warm runs read embeddings that training or an earlier run cached. `demo_10k` is "
             "`claimtriage data demo --out artifacts/demo_10k --contacts 10000 --seed 1`; the real sets' models are "
             "those `claimtriage evaluate --suite quality` trains (`artifacts/quality/*/model`).", "",
             "Encoding dominates cold runs (the demo's contacts average ~85 tokens; MiniLM in fp32 on 2 cores); the "
             "machine is shared, so each row gives the load average (1 minute at the start, 5 minutes at the end).", "",
             "| source | model | contacts | segments | unassigned | ARI vs claim labels | seconds | cache | load |",
             "|---|---|---:|---:|---:|---:|---:|---|---:|"]
    for name, r in runs.items():
        ari = "–" if r["ari_claim"] is None else f"{r['ari_claim']:.3f}"
        start, end = r["machine"].get("load_average_1m_at_start"), r["machine"].get("load_average_5m_at_end")
        load = " / ".join("–" if x is None else f"{x:.1f}" for x in (start, end))
        lines.append(f"| {name} | {r['model_uri']} | {r['n_contacts']:,} | {r['n_segments']} | "
                     f"{r['unassigned_share']:.1%} | {ari} | {r['seconds_total']:.0f} | "
                     f"{'warm' if r.get('embedding_cache') else 'cold'} | {load} |")
    big = [r for r in runs.values() if r["n_contacts"] >= 10_000 and not r.get("embedding_cache")]
    if big:
        r = max(big, key=lambda x: x["measured"])
        status = "met" if r["seconds_total"] <= TARGET_SECONDS else "**FALLS SHORT**"
        stages = ", ".join(f"{k} {v:.0f} s" for k, v in r["seconds"].items() if k != "total")
        lines += ["", "| target | measured | status |", "|---|---:|---|",
                  f"| {r['n_contacts']:,} contacts in <= {TARGET_SECONDS} s on {r['machine']['cpus']} cores, cold | "
                  f"{r['seconds_total']:.0f} s | {status} |",
                  f"| ARI against demo claim types >= 0.5 | {r['ari_claim']} | "
                  f"{'met' if (r['ari_claim'] or 0) >= 0.5 else '**FALLS SHORT**'} |",
                  f"| unassigned share <= cap {r['clustering']['unassigned_cap']:.0%} | {r['unassigned_share']:.1%} | "
                  f"{'met' if r['unassigned_share'] <= r['clustering']['unassigned_cap'] else '**FALLS SHORT**'} |",
                  "", f"Stages of that run: {stages}."]
    return "\n".join(lines)


def write_results_section(bench_path: Path, results_path: Path) -> Path:
    """Replace the Segmentation section of RESULTS.md (between its markers), or append it at the end."""
    return update_section("segments", results_section(json.loads(bench_path.read_text())), results_path)
