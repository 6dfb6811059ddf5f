"""Batch scoring: every contact of a source through the model, one row per contact in a Parquet file.

Two engines give the same labels on the same contacts:
- `local`: the model in this process, in batches (a progress bar on stderr);
- `spark`: the registered MLflow model on Apache Spark through `mlflow.pyfunc.spark_udf` (a `contact` column of JSON
  strings in, a struct of scores out), on `local[2]` by default or any master. The model and the code it carries
  (`claimtriage/{data,models}`) reach the executors through MLflow; the executors need the model's pip requirements.

Rows that fail the Contact schema never reach a model: they go to a rejects file (JSON lines: source, line, field,
reason), never dropped silently.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from claimtriage.data.mapping import ColumnMapping
from claimtriage.data.schema import Contact

log = logging.getLogger(__name__)

ENGINES = ("local", "spark")
#: what the pyfunc returns per contact, as a Spark struct (mlflow.pyfunc.spark_udf's result_type)
SPARK_RESULT_TYPE = (
    "contact_id string, language string, claim string, claim_confidence double, "
    "claim_top_k array<struct<label: string, p: double>>, out_of_scope boolean, claim_labels array<string>, "
    "sentiment string, sentiment_score double, complexity string, complexity_score double"
)
#: the output's columns, in order (the pyfunc's names, flattened for analysts' tools)
COLUMNS = ("id", "claim_label", "claim_confidence", "claim_top_k", "out_of_scope", "claim_labels", "sentiment",
           "sentiment_score", "complexity", "complexity_score", "language", "model_version")


class EngineUnavailable(RuntimeError):
    """The chosen engine cannot run here; the message names what to install."""


@dataclass
class ScoreReport:
    """What a scoring run did: counts, seconds, where the rows and the rejects went."""

    source: str
    engine: str
    model: str
    model_version: str
    n_scored: int
    n_rejected: int
    excluded: dict[str, int]
    seconds: float
    out: str
    rejects: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def contacts_per_s(self) -> float:
        return self.n_scored / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**{k: v for k, v in vars(self).items() if k != "extra"}, **self.extra,
                "contacts_per_s": round(self.contacts_per_s, 1)}


def score_rows(scores: Sequence[dict[str, Any]], model_version: str) -> list[dict[str, Any]]:
    """The pyfunc's output rows (ContactScores.as_dict) as output rows: the claim label under `claim_label`."""
    rows = []
    for s in scores:
        rows.append({
            "id": s["contact_id"], "claim_label": s.get("claim"), "claim_confidence": s.get("claim_confidence"),
            "claim_top_k": [{"label": t["label"], "p": float(t["p"])} for t in s.get("claim_top_k") or ()],
            "out_of_scope": bool(s.get("out_of_scope")), "claim_labels": list(s.get("claim_labels") or ()),
            "sentiment": s.get("sentiment"), "sentiment_score": s.get("sentiment_score"),
            "complexity": s.get("complexity"), "complexity_score": s.get("complexity_score"),
            "language": s.get("language"), "model_version": model_version})
    return rows


def _write_rejects(errors: Sequence[Any], out: Path) -> Path | None:
    path = out.with_name(out.name.removesuffix(".parquet") + ".rejects.jsonl")
    if not errors:
        path.unlink(missing_ok=True)
        return None
    with path.open("w", encoding="utf-8") as handle:
        for error in errors:
            handle.write(json.dumps(error.as_dict(), ensure_ascii=False) + "\n")
    return path


def _check_output(out: Path) -> None:
    if out.suffix.lower() != ".parquet":
        raise ValueError(f"--out {out}: the output is Parquet; give a path ending in .parquet")
    out.parent.mkdir(parents=True, exist_ok=True)


def score_local(contacts: Sequence[Contact], model_uri: str, out: Path, *, batch_size: int = 256,
                tracking_uri: str | None = None, progress: bool = True) -> tuple[str, float]:
    """Score in this process, in batches; write one Parquet file. Returns (model version, seconds)."""
    import pandas as pd
    from tqdm import tqdm

    from claimtriage.models.registry import load_model, model_version

    model = load_model(model_uri, tracking_uri=tracking_uri)
    version = model_version(model_uri, model)
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    with tqdm(total=len(contacts), unit="contact", disable=not progress, desc="scoring") as bar:
        for start in range(0, len(contacts), batch_size):
            batch = contacts[start:start + batch_size]
            rows += score_rows([s.as_dict() for s in model.predict(batch)], version)
            bar.update(len(batch))
    seconds = time.perf_counter() - started
    tmp = out.with_name(out.name + ".tmp")
    pd.DataFrame(rows, columns=list(COLUMNS)).to_parquet(tmp, index=False)
    tmp.replace(out)
    return version, seconds


def spark_session(master: str = "local[2]", *, app_name: str = "claimtriage-score"):
    """A Spark session, or EngineUnavailable naming what is missing (pyspark, Java)."""
    import shutil

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineUnavailable("--engine spark needs pyspark: pip install 'claimtriage[spark]' "
                                "(and Java 17+, e.g. apt-get install openjdk-17-jre-headless)") from None
    import os

    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise EngineUnavailable("--engine spark needs Java 17+ (e.g. apt-get install openjdk-17-jre-headless, "
                                "or set JAVA_HOME)")
    import sys

    # executors run this interpreter (on a cluster, set PYSPARK_PYTHON to the executors' Python instead)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (SparkSession.builder.master(master).appName(app_name)
            .config("spark.ui.enabled", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.driver.memory", "2g")
            .getOrCreate())


def mlflow_model_uri(model_uri: str) -> str:
    """A URI MLflow can load as a pyfunc: registry URIs and MLflow model folders; a bare TriageModel folder cannot
    travel to executors (log it with `claimtriage train` first)."""
    from claimtriage.models.registry import is_registry_uri

    if is_registry_uri(model_uri):
        return model_uri
    path = Path(model_uri)
    if (path / "MLmodel").is_file():
        return str(path.resolve())
    raise ValueError(f"--model {model_uri}: --engine spark needs an MLflow model (models:/NAME@ALIAS, runs:/..., "
                     f"or an MLflow model folder with an MLmodel file), not a bare saved model folder")


def score_spark(contacts: Sequence[Contact], model_uri: str, out: Path, *, master: str = "local[2]",
                batch_size: int = 256, tracking_uri: str | None = None) -> tuple[str, float]:
    """Score with `mlflow.pyfunc.spark_udf` on Spark; write the rows as Spark's Parquet (a folder of part files that
    pandas and pyarrow read as one table). Returns (model version, seconds)."""
    import shutil

    import mlflow
    import pandas as pd
    from pyspark.sql import functions as F

    from claimtriage.models.registry import connect, describe_version

    import os

    uri = mlflow_model_uri(model_uri)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # one bar per file, twice, otherwise
    connect(tracking_uri)
    version = describe_version(model_uri)
    spark = spark_session(master)
    # the batch size each Python worker hands the model
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_size))
    started = time.perf_counter()
    frame = pd.DataFrame({"id": [c.id for c in contacts],
                          "contact": [c.model_dump_json(exclude_none=True) for c in contacts]})
    parallelism = spark.sparkContext.defaultParallelism
    df = spark.createDataFrame(frame).repartition(max(parallelism, 1))
    udf = mlflow.pyfunc.spark_udf(spark, uri, result_type=SPARK_RESULT_TYPE, env_manager="local")
    s = df.withColumn("s", udf(F.struct("contact"))).select("s.*")
    result = s.select(
        F.col("contact_id").alias("id"), F.col("claim").alias("claim_label"), "claim_confidence", "claim_top_k",
        "out_of_scope", "claim_labels", "sentiment", "sentiment_score", "complexity", "complexity_score",
        "language", F.lit(version).alias("model_version"))
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    result.write.parquet(str(tmp))
    seconds = time.perf_counter() - started
    if out.is_dir():
        shutil.rmtree(out)
    else:
        out.unlink(missing_ok=True)
    tmp.replace(out)
    return version, seconds


def run_score(source: str, out: Path, *, model: str = "models:/claimtriage@champion", engine: str = "local",
              master: str = "local[2]", batch_size: int = 256, mapping: ColumnMapping | None = None,
              split: str | None = None, limit: int | None = None, tracking_uri: str | None = None,
              progress: bool = True, echo: Callable[[str], None] = lambda _: None) -> ScoreReport:
    """Read SOURCE (any source the project reads), score every valid contact, write OUT and the rejects file."""
    from claimtriage.data.sources import load_source

    if engine not in ENGINES:
        raise ValueError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if batch_size < 1:
        raise ValueError("--batch-size must be at least 1")
    out = Path(out)
    _check_output(out)
    if engine == "spark":
        spark_session(master)  # fail before reading and scoring when Spark cannot run here
    result = load_source(source, mapping=mapping, split=split)
    contacts = result.contacts[:limit] if limit else result.contacts
    rejects = _write_rejects(result.errors, out)
    if result.errors:
        echo(f"score: {len(result.errors)} rows rejected (reasons in {rejects})")
    echo(f"score: {len(contacts)} contacts from {source} with {model} on {engine}")
    if engine == "local":
        version, seconds = score_local(contacts, model, out, batch_size=batch_size, tracking_uri=tracking_uri,
                                       progress=progress)
    else:
        version, seconds = score_spark(contacts, model, out, master=master, batch_size=batch_size,
                                       tracking_uri=tracking_uri)
    report = ScoreReport(source=str(source), engine=engine, model=model, model_version=version,
                         n_scored=len(contacts), n_rejected=len(result.errors), excluded=dict(result.excluded),
                         seconds=round(seconds, 2), out=str(out), rejects=str(rejects) if rejects else None)
    if engine == "spark":
        report.extra["spark_master"] = master
    log.info("score.done engine=%s contacts=%d rejected=%d seconds=%.1f", engine, report.n_scored,
             report.n_rejected, seconds)
    return report
