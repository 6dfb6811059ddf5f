"""The tables of a segmentation report, computed from the per-contact assignments frame.

Every table is a plain DataFrame so that the HTML report, the CSV/Parquet export and the tests read the same numbers.
Shares are fractions in [0, 1]; "unassigned" is a segment row of its own when any contact is left unassigned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNASSIGNED_ID = "unassigned"


def period_of(timestamps: pd.Series) -> str:
    """The trend's time step: day for up to ~6 weeks of data, week for up to a year, month beyond."""
    span = (timestamps.max() - timestamps.min()).days if len(timestamps) else 0
    return "D" if span <= 45 else "W" if span <= 366 else "M"


def _period_labels(timestamps: pd.Series, period: str) -> pd.Series:
    naive = timestamps.dt.tz_convert(None) if timestamps.dt.tz is not None else timestamps
    return naive.dt.to_period(period).dt.start_time.dt.strftime("%Y-%m-%d")


def trend(frame: pd.DataFrame) -> pd.DataFrame:
    """Contacts per segment per period (rows: periods, columns: segment ids)."""
    periods = _period_labels(frame["timestamp"], period_of(frame["timestamp"]))
    table = pd.crosstab(periods, frame["segment_id"]).sort_index()
    table.index.name = "period"
    return table


def trend_change(frame: pd.DataFrame) -> pd.Series:
    """Each segment's share of contacts in the later half of the time span minus its share in the earlier half."""
    middle = frame["timestamp"].min() + (frame["timestamp"].max() - frame["timestamp"].min()) / 2
    early, late = frame[frame["timestamp"] <= middle], frame[frame["timestamp"] > middle]
    share_early = early["segment_id"].value_counts(normalize=True)
    share_late = late["segment_id"].value_counts(normalize=True)
    ids = frame["segment_id"].unique()
    return (share_late.reindex(ids, fill_value=0.0) - share_early.reindex(ids, fill_value=0.0)).round(4)


def mix(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Share of each value of `column` within each segment (rows: segments, columns: values)."""
    return pd.crosstab(frame["segment_id"], frame[column].fillna("unknown"), normalize="index").round(4)


def crosstab(frame: pd.DataFrame, rows: str, columns: str) -> pd.DataFrame:
    """Counts of contacts by two columns."""
    return pd.crosstab(frame[rows].fillna("unknown"), frame[columns].fillna("unknown"))


def _share(values: pd.Series) -> float | None:
    values = values.dropna()
    return round(float(values.astype(float).mean()), 4) if len(values) else None


def segment_summary(frame: pd.DataFrame, names: dict[str, dict]) -> pd.DataFrame:
    """One row per segment (largest first, unassigned last): size, trend, mixes at a glance, automation figures."""
    changes = trend_change(frame)
    rows = []
    for segment_id, group in frame.groupby("segment_id", sort=False):
        info = names.get(segment_id, {})
        rows.append({
            "segment_id": segment_id,
            "name": info.get("name", "unassigned"),
            "claim_type": info.get("claim_type"),
            "claim_type_share": info.get("claim_type_share"),
            "distinctive_words": ", ".join(info.get("words", [])),
            "contacts": len(group),
            "share": round(len(group) / len(frame), 4),
            "trend_change": float(changes.get(segment_id, 0.0)),
            "attached_share": round(float(group["attached"].mean()), 4),
            "top_channel": group["channel"].mode().iat[0],
            "top_language": group["language"].mode().iat[0],
            "negative_share": round(float((group["sentiment"] == "negative").mean()), 4),
            "mean_sentiment": _mean(group["sentiment_score"]),
            "high_complexity_share": round(float((group["complexity"] == "high").mean()), 4),
            "mean_complexity": _mean(group["complexity_score"]),
            "bot_share": _share(group["route_target"].map({"bot": 1.0, "human": 0.0})),
            "bot_contacts": int((group["route_target"] == "bot").sum()),
            "repeat_share": _share(group["repeat_contact"]),
        })
    table = pd.DataFrame(rows)
    order = np.lexsort(((-table["contacts"]).to_numpy(), (table["segment_id"] == UNASSIGNED_ID).to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def _mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return round(float(values.mean()), 4) if len(values) else None


def automation(summary: pd.DataFrame) -> pd.DataFrame:
    """Automation potential by segment: contacts the policy would send to the bot, most first."""
    columns = ["segment_id", "name", "contacts", "bot_contacts", "bot_share", "repeat_share", "mean_complexity"]
    return summary[columns].sort_values(["bot_contacts", "contacts"], ascending=False).reset_index(drop=True)


def all_tables(frame: pd.DataFrame, names: dict[str, dict], channel_paths: list[dict]) -> dict[str, pd.DataFrame]:
    """Every table of the report, by export name."""
    summary = segment_summary(frame, names)
    return {
        "segments": summary,
        "trend": trend(frame),
        "channel_mix": mix(frame, "channel"),
        "language_mix": mix(frame, "language"),
        "sentiment_mix": mix(frame, "sentiment"),
        "complexity_mix": mix(frame, "complexity"),
        "claim_by_channel": crosstab(frame, "claim", "channel"),
        "sentiment_by_claim": crosstab(frame, "claim", "sentiment"),
        "automation": automation(summary),
        "channel_paths": pd.DataFrame(channel_paths, columns=["channel_path", "claims", "share_of_claims", "contacts",
                                                              "channels"]),
    }
