"""claimtriage: omnichannel claim triage for contact centres (see README.md and ../shared/DESIGN.md).

The distribution installs as one package, `claimtriage`, whose subpackages are the design card's top-level folders,
layered so that each imports only the ones below it (checked by import-linter, `[tool.importlinter]` in
pyproject.toml):

    claimtriage.cli          the `claimtriage` command (Typer); every subcommand calls a function tests call too
    claimtriage.demo         the main job on the embedded default (demo corpus -> train -> promote -> serve -> triage)
    claimtriage.evaluation   suites, benchmarks, segmentation reports
    claimtriage.training     training, promotion, policy tuning and linking fits (they replay the serving path)
    claimtriage.serving      the request path: engine, routing policy, BentoML service
    claimtriage.models       the shared encoder, the heads, the one model loader
    claimtriage.data         schema, readers, normalisation and redaction, the journey store

Nothing happens at import: this module imports nothing, so `import claimtriage.models` stays light for MLflow and
Spark executors.
"""
