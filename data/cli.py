"""`claimtriage data ...`: look at sources and write the demo corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from claimtriage.data.mapping import ColumnMapping
from claimtriage.data.schema import Channel

app = typer.Typer(help="Load, inspect and generate contact data.", no_args_is_help=True, pretty_exceptions_show_locals=False)

MapOption = Annotated[
    Optional[list[str]],
    typer.Option("--map", "-m", help="FIELD=COLUMN for your own export, e.g. --map text=Body --map label=Category"),
]


@app.command("summary")
def summary_command(
    source: Annotated[str, typer.Argument(help="a shared set name, a .jsonl/.csv/.parquet file, a folder, or hf:NAME")],
    column_map: MapOption = None,
    channel: Annotated[Optional[Channel], typer.Option(help="channel for rows without one")] = None,
    split: Annotated[Optional[str], typer.Option(help="the source's own split, where it has one")] = None,
    strict: Annotated[bool, typer.Option("--strict/--lenient", help="stop at the first bad row")] = False,
) -> None:
    """Print JSON: contacts, channels, languages, label sets with counts, and any skipped rows."""
    from claimtriage.data.io import RowError
    from claimtriage.data.sources import load_source
    from claimtriage.data.summary import summarise

    try:
        mapping = ColumnMapping.parse(column_map or [], default_channel=channel)
        result = load_source(source, mapping=mapping, strict=strict, split=split)
    except (RowError, ValueError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    report = {"source": str(source), **summarise(result.contacts)}
    if result.errors or result.excluded:
        report["skipped_rows"] = result.error_report()
    typer.echo(json.dumps(report, indent=2, ensure_ascii=False))


@app.command("demo")
def demo_command(
    out: Annotated[Path, typer.Option(help="folder for contacts.jsonl and DATA_CARD.md")] = Path("demo_corpus"),
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same corpus")] = 0,
    contacts: Annotated[int, typer.Option(min=10, help="number of contacts")] = 5000,
) -> None:
    """Write the synthetic multichannel demo corpus (Italian provider, Italian and English customers)."""
    from claimtriage.data.demo import write_demo

    path = write_demo(out, n_contacts=contacts, seed=seed)
    typer.echo(f"wrote {path}")
