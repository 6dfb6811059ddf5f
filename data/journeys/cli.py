"""`claimtriage journeys ...`: manage the journey store (seed it from a CRM directory, confirm candidate merges)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

journeys_app = typer.Typer(help="The journey store: seed it with a customer directory, review and confirm "
                                "candidate merges.", no_args_is_help=True)


@journeys_app.command("import-customers")
def import_customers_command(
    file: Annotated[Path, typer.Argument(help="CRM export: CSV, JSONL or Parquet, one customer per row")],
    store: Annotated[Optional[str], typer.Option(help="journey store URL (default: the embedded SQLite store)")] = None,
    column_map: Annotated[Optional[list[str]], typer.Option("--map", "-m", help="FIELD=COLUMN, FIELD one of "
                                                            "customer_id, emails, phones, handles")] = None,
    deployment: Annotated[Optional[Path], typer.Option(help="deployment settings YAML: the company's own "
                                                            "identifiers are refused")] = None,
) -> None:
    """Import customers with their codes, emails, phones and handles; prints a JSON report. Re-importing the same
    file changes nothing; rows that touch another customer are reported, never merged."""
    from claimtriage.data.deployment import DeploymentError, load_deployment
    from claimtriage.data.journeys.directory import DirectoryError, import_file
    from claimtriage.data.journeys.identity import TextIdentifiers
    from claimtriage.data.journeys.store import JourneyStore, StoreError

    mapping = {}
    for item in column_map or []:
        name, eq, column = item.partition("=")
        if not eq or not name.strip() or not column.strip():
            raise typer.BadParameter(f"--map expects FIELD=COLUMN, got {item!r}")
        mapping[name.strip()] = column.strip()
    try:
        config = TextIdentifiers.from_deployment(load_deployment(deployment))
        journey_store = JourneyStore.open(store)
        try:
            report = import_file(journey_store, file, mapping, config)
        finally:
            journey_store.close()
    except (DirectoryError, DeploymentError, StoreError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(report.as_dict(), indent=2))
    for problem in report.rejected + report.conflicts:
        typer.echo(problem, err=True)


@journeys_app.command("candidates")
def candidates_command(
    store: Annotated[Optional[str], typer.Option(help="journey store URL (default: the embedded SQLite store)")] = None,
) -> None:
    """List the recorded candidate merges (two customers that may be one person, never merged by identity itself),
    as JSON: customer keys, the contact that raised it, the reason, when."""
    from claimtriage.data.journeys.records import utc
    from claimtriage.data.journeys.store import JourneyStore, StoreError

    try:
        journey_store = JourneyStore.open(store)
        try:
            rows = journey_store.candidate_merges()
        finally:
            journey_store.close()
    except StoreError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps([{"customer_key": r["customer_key"], "other_customer_key": r["other_key"],
                            "contact_id": r["contact_id"], "reason": r["reason"],
                            "recorded_at": utc(r["created_at"]).isoformat()} for r in rows], indent=2))


@journeys_app.command("merge")
def merge_command(
    keep: Annotated[str, typer.Argument(help="the customer key that stays")],
    absorb: Annotated[str, typer.Argument(help="the customer key whose identifiers, claims and contacts move to KEEP")],
    reason: Annotated[str, typer.Option(help="who confirmed that they are one customer, and how (kept with the merge)")],
    store: Annotated[Optional[str], typer.Option(help="journey store URL (default: the embedded SQLite store)")] = None,
) -> None:
    """Confirm a candidate merge: ABSORB becomes part of KEEP in one transaction, recorded with its reason; the
    absorbed key still finds the journey. Two CRM customers with different customer ids are refused."""
    from claimtriage.data.journeys.merges import MergeRefused
    from claimtriage.data.journeys.store import JourneyStore, StoreError

    try:
        journey_store = JourneyStore.open(store)
        try:
            result = journey_store.merge_customers(keep, absorb, reason=reason)
        finally:
            journey_store.close()
    except (MergeRefused, StoreError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(result, indent=2))
