"""`claimtriage segment`: segment the contacts of a source and write the analysts' report."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from claimtriage.data.schema import Channel

BENCH_OUT = Path(__file__).resolve().parents[1] / "bench" / "segment.json"
RESULTS = Path(__file__).resolve().parents[1] / "RESULTS.md"


def segment_command(
    data: Annotated[str, typer.Option("--data", "-d", help="shared set name, file, folder (e.g. demo_corpus) or hf:NAME")],
    out: Annotated[Path, typer.Option(help="the HTML report; the Parquet and the tables go next to it")] = Path("reports/segments.html"),
    model: Annotated[str, typer.Option(help="a model folder or a registry URI")] = "models:/claimtriage@champion",
    split: Annotated[Optional[str], typer.Option(help="the source's own split")] = None,
    column_map: Annotated[Optional[list[str]], typer.Option("--map", "-m", help="FIELD=COLUMN for your own file")] = None,
    channel: Annotated[Optional[Channel], typer.Option(help="channel of rows without one")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="an even sample of N contacts across the source")] = None,
    registry: Annotated[Optional[Path], typer.Option(help="segment id registry (default: beside --out)")] = None,
    policy: Annotated[Optional[str], typer.Option(help="routing policy YAML (default: the service's)")] = None,
    deployment: Annotated[Optional[Path], typer.Option(help="deployment settings YAML of the brand (default: generic "
                                                            "rules)")] = None,
    unassigned_cap: Annotated[float, typer.Option(min=0.0, max=0.99, help="most contacts left unassigned")] = 0.15,
    claim_weight: Annotated[float, typer.Option(min=0.0, max=1.0, help="weight of the claim probabilities vs the embedding")] = 0.8,
    min_cluster_size: Annotated[Optional[int], typer.Option(min=2, help="HDBSCAN min_cluster_size (default: 0.5% of contacts, >= 10)")] = None,
    journeys: Annotated[bool, typer.Option(help="replay routing and journey linking (bot share, repeats, channel sequences)")] = True,
    cache: Annotated[bool, typer.Option(help="read and fill the embedding cache training uses (--no-cache: encode everything)")] = True,
    track: Annotated[bool, typer.Option(help="log the report and tables to MLflow")] = True,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI (default: the embedded store)")] = None,
    bench: Annotated[bool, typer.Option(help="also record the timings and ARI in evaluation/bench/segment.json and RESULTS.md")] = False,
) -> None:
    """Group contacts into named segments with stable ids, and write an HTML report with plots, tables and examples."""
    from claimtriage.data.mapping import ColumnMapping
    from claimtriage.evaluation.segments.run import bench_record, run_segmentation, write_bench, write_results_section
    from claimtriage.evaluation.segments.segment import SegmentConfig

    load_average = os.getloadavg()[0] if bench else None
    try:
        config = SegmentConfig(unassigned_cap=unassigned_cap, claim_weight=claim_weight, min_cluster_size=min_cluster_size)
        mapping = ColumnMapping.parse(column_map or [], default_channel=channel)
        result, paths = run_segmentation(data, out, model=model, config=config, registry=registry, split=split,
                                         mapping=mapping, policy=policy, deployment=deployment,
                                         journeys=journeys, track=track,
                                         tracking_uri=tracking_uri, limit=limit, cache=cache, echo=lambda line: typer.echo(line, err=True))
    except (ValueError, FileNotFoundError, LookupError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    info = result.info
    summary = {key: info.get(key) for key in ("n_contacts", "n_segments", "unassigned_share", "ari_claim", "seconds",
                                               "mlflow_run_id")}
    summary["files"] = {"report": str(paths.report), "assignments": str(paths.assignments),
                        "tables": str(paths.tables), "registry": str(paths.registry)}
    summary["segments"] = {sid: s["name"] for sid, s in result.segments.items()}
    if bench:
        command = "claimtriage " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else "claimtriage segment"
        summary["bench"] = str(write_bench(bench_record(result, command=command, load_average=load_average), BENCH_OUT))
        write_results_section(BENCH_OUT, RESULTS)
    typer.echo(json.dumps(summary, indent=2, default=str))
