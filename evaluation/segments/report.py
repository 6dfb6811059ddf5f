"""The analysts' report: one self-contained HTML file (plotly.js embedded once, no network), interactive plots, tables
and representative contacts. Only PII-redacted text reaches it: examples are the normalised (redacted) customer words.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

#: section id -> title, in page order; the browser test checks every one is present
SECTIONS = {
    "summary": "Segments at a glance",
    "map": "Map of the segments",
    "trend": "Size over time",
    "mix": "Channel and language mix",
    "feelings": "Sentiment and complexity",
    "automation": "Automation potential and repeat contacts",
    "claim-channel": "Claim type by channel",
    "sentiment-claim": "Sentiment by claim type",
    "journeys": "Channel sequences in journeys",
    "segments": "Segment details and representative contacts",
    "method": "How the segments were made",
}
_HEADERS = {"segment_id": "id", "trend_change": "trend", "negative_share": "negative", "high_complexity_share":
            "high complexity", "bot_share": "to the bot", "repeat_share": "repeat contacts", "bot_contacts":
            "contacts to the bot", "share_of_claims": "share of claims", "channel_path": "channel sequence"}
_SENTIMENT_COLOURS = {"negative": "#d62728", "neutral": "#bbbbbb", "positive": "#2ca02c", "unknown": "#eeeeee"}
_COMPLEXITY_COLOURS = {"low": "#9ecae1", "medium": "#4292c6", "high": "#08306b", "unknown": "#eeeeee"}
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:1rem 2rem;color:#222}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #ddd;padding-bottom:.3rem;margin-top:2.5rem}
.meta{color:#666} .cards{display:flex;flex-wrap:wrap;gap:1rem} .card{background:#f5f7fa;border-radius:6px;padding:.6rem 1rem}
.card b{display:block;font-size:1.5rem} table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top} th{background:#f0f0f0}
td.num{text-align:right} .segment{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
blockquote{margin:.4rem 0;padding:.3rem .8rem;background:#fafafa;border-left:3px solid #4292c6;font-size:.9rem}
.note{color:#666;font-size:.9rem} nav a{margin-right:.8rem} .wide{overflow-x:auto}
td.name{min-width:16rem}
"""


#: customer codes, contract and invoice numbers: not PII the redactor looks for, but nothing an analyst needs either
_CODE = re.compile(r"\b[A-Z]{2,5}[\s-]?\d{5,}\b")
_LONG_NUMBER = re.compile(r"(?<![\w,.])\d(?:[ ./-]?\d){5,}(?![\w,])")


def display_text(text: str, limit: int = 600) -> str:
    """An example as the report shows it: already PII-redacted, with account-like codes and long numbers masked."""
    text = _LONG_NUMBER.sub("[NUMBER]", _CODE.sub("[CODE]", text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(row: pd.Series) -> str:
    if row["segment_id"] == "unassigned":
        return "unassigned"
    name = str(row["name"])
    return f"{row['segment_id']} · {name[:38] + '…' if len(name) > 39 else name}"


def _figure_html(fig, div_id: str, height: int = 420) -> str:
    import plotly.io as pio

    from plotly.colors import qualitative

    # 36 distinct colours: the default 10 would repeat from the 11th segment on
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10}, template="plotly_white",
                      colorway=qualitative.Dark24 + qualitative.Set3)
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def _stacked(share: pd.DataFrame, labels: dict[str, str], title: str, colours: dict[str, str] | None = None):
    import plotly.graph_objects as go

    fig = go.Figure()
    rows = [i for i in labels if i in share.index]
    for column in share.columns:
        fig.add_bar(name=str(column), y=[labels[i] for i in rows], x=share.loc[rows, column].tolist(), orientation="h",
                    marker_color=(colours or {}).get(str(column)), hovertemplate="%{y}<br>" + str(column) + ": %{x:.0%}<extra></extra>")
    fig.update_layout(barmode="stack", title=title, xaxis={"tickformat": ".0%", "range": [0, 1]},
                      yaxis={"autorange": "reversed"}, legend={"orientation": "h", "y": -0.1})
    return fig


def _heatmap(table: pd.DataFrame, title: str, normalise_rows: bool):
    import plotly.graph_objects as go

    values = table.div(table.sum(axis=1), axis=0) if normalise_rows else table
    text = table.astype(int).astype(str).to_numpy()
    fig = go.Figure(go.Heatmap(z=values.to_numpy(), x=[str(c) for c in table.columns], y=[str(i) for i in table.index],
                               text=text, texttemplate="%{text}", colorscale="Blues", showscale=False,
                               hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    fig.update_layout(title=title, yaxis={"autorange": "reversed"})
    return fig


def _table_html(table: pd.DataFrame, columns: list[str] | None = None, percent: tuple[str, ...] = ()) -> str:
    table = table[columns] if columns else table
    head = "".join(f"<th>{html.escape(_HEADERS.get(str(c), str(c).replace('_', ' ')))}</th>" for c in table.columns)
    rows = []
    for _, row in table.iterrows():
        cells = []
        for column, value in row.items():
            if value is None or (isinstance(value, float) and value != value):
                cells.append("<td>–</td>")
            elif column in percent:
                cells.append(f'<td class="num">{float(value):.0%}</td>' if column != "trend_change"
                             else f'<td class="num">{float(value) * 100:+.1f} pp</td>')
            elif isinstance(value, int | float):
                cells.append(f'<td class="num">{value:,.3g}</td>' if isinstance(value, float) else f'<td class="num">{value:,}</td>')
            else:
                css = ' class="name"' if column == "name" else ""
                cells.append(f"<td{css}>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def _map_figure(frame: pd.DataFrame, labels: dict[str, str], max_points: int, seed: int):
    import plotly.graph_objects as go

    sample = frame.sample(n=max_points, random_state=seed) if len(frame) > max_points else frame
    fig = go.Figure()
    for segment_id in labels:
        part = sample[sample["segment_id"] == segment_id]
        if len(part):
            fig.add_scatter(x=part["map_x"], y=part["map_y"], mode="markers", name=labels[segment_id],
                            marker={"size": 5, "opacity": 0.7}, customdata=part[["channel", "claim"]].to_numpy(),
                            hovertemplate=labels[segment_id] + "<br>%{customdata[0]} · %{customdata[1]}<extra></extra>")
    note = f" (a sample of {max_points:,} contacts)" if len(frame) > max_points else ""
    fig.update_layout(title="Contacts on the first two principal components of the segment representation" + note,
                      xaxis={"showticklabels": False}, yaxis={"showticklabels": False})
    return fig


def _trend_figure(trend: pd.DataFrame, labels: dict[str, str]):
    import plotly.graph_objects as go

    fig = go.Figure()
    for segment_id in labels:
        if segment_id in trend.columns:
            fig.add_scatter(x=list(trend.index), y=trend[segment_id].tolist(), mode="lines+markers", name=labels[segment_id])
    fig.update_layout(title="Contacts per period and segment (click the legend to show or hide a segment)",
                      yaxis={"title": "contacts"})
    return fig


def _automation_figure(automation: pd.DataFrame, labels: dict[str, str]):
    import plotly.graph_objects as go

    names = [labels[i] for i in automation["segment_id"]]
    fig = go.Figure()
    fig.add_bar(name="to the bot", y=names, x=automation["bot_contacts"], orientation="h", marker_color="#2ca02c")
    fig.add_bar(name="to a person", y=names, x=automation["contacts"] - automation["bot_contacts"], orientation="h",
                marker_color="#bbbbbb")
    fig.update_layout(barmode="stack", title="Contacts the current policy routes to the bot, by segment",
                      yaxis={"autorange": "reversed"}, legend={"orientation": "h", "y": -0.1})
    return fig


def _paths_figure(paths: pd.DataFrame):
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(y=paths["channel_path"], x=paths["claims"], orientation="h", marker_color="#4292c6",
                           hovertemplate="%{y}: %{x} claims<extra></extra>"))
    fig.update_layout(title="Most common channel sequences of claims", yaxis={"autorange": "reversed"},
                      xaxis={"title": "claims"})
    return fig


def _segment_cards(summary: pd.DataFrame, tables: dict[str, pd.DataFrame], examples: dict[str, list[dict]]) -> str:
    parts = []
    for _, row in summary.iterrows():
        sid = row["segment_id"]
        def top(table: str, sid=sid) -> str:
            shares = tables[table].loc[sid].sort_values(ascending=False) if sid in tables[table].index else pd.Series()
            return ", ".join(f"{html.escape(str(k))} {v:.0%}" for k, v in shares.items() if v >= 0.01) or "–"
        quotes = "".join(
            f'<blockquote><span class="note">{html.escape(e["channel"])} · {html.escape(e["language"])} · '
            f'{html.escape(e["claim"])}</span><br>{html.escape(display_text(e["text"]))}</blockquote>' for e in examples.get(sid, []))
        bot = "–" if row["bot_share"] is None or row["bot_share"] != row["bot_share"] else f"{row['bot_share']:.0%}"
        repeat = "–" if row["repeat_share"] is None or row["repeat_share"] != row["repeat_share"] else f"{row['repeat_share']:.0%}"
        parts.append(
            f'<div class="segment" id="segment-{html.escape(sid)}"><h3>{html.escape(sid)} · {html.escape(str(row["name"]))}</h3>'
            f'<p>{row["contacts"]:,} contacts ({row["share"]:.1%}), trend {row["trend_change"] * 100:+.1f} pp; '
            f'majority claim type <b>{html.escape(str(row["claim_type"]))}</b>; distinctive words: '
            f'{html.escape(row["distinctive_words"] or "–")}.</p>'
            f'<p>Channels: {top("channel_mix")}<br>Languages: {top("language_mix")}<br>Sentiment: {top("sentiment_mix")}'
            f'<br>Complexity: {top("complexity_mix")}<br>Routable to the bot: {bot} · repeat contacts: {repeat}</p>'
            + (f"<p><b>Representative contacts</b> (nearest to the centre, PII redacted):</p>{quotes}" if quotes else "")
            + "</div>")
    return "".join(parts)


def render_report(tables: dict[str, pd.DataFrame], frame: pd.DataFrame, examples: dict[str, list[dict]],
                  info: dict[str, Any], *, title: str = "Claim segments", map_points: int = 5000, seed: int = 0) -> str:
    """The whole report as one HTML string."""
    from plotly.offline import get_plotlyjs

    summary = tables["segments"]
    labels = {row["segment_id"]: _label(row) for _, row in summary.iterrows()}
    height = max(320, 28 * len(labels) + 120)
    pct = ("share", "claim_type_share", "attached_share", "negative_share", "high_complexity_share", "bot_share",
           "repeat_share", "trend_change")
    has_routes = frame["route_target"].notna().any()
    body: dict[str, str] = {}
    ari = f" · ARI against the source's claim labels {info['ari_claim']:.2f}" if info.get("ari_claim") is not None else ""
    body["summary"] = (
        '<div class="cards">'
        f'<div class="card"><b>{info["n_contacts"]:,}</b>contacts</div>'
        f'<div class="card"><b>{info["n_segments"]}</b>segments</div>'
        f'<div class="card"><b>{info["unassigned_share"]:.1%}</b>unassigned (cap {info["clustering"]["unassigned_cap"]:.0%})</div>'
        + (f'<div class="card"><b>{(frame["route_target"] == "bot").mean():.0%}</b>routable to the bot</div>' if has_routes else "")
        + f'</div><p class="note">Trend: change of the segment\'s share of contacts between the first and the second half '
        f'of the period{ari}.</p>'
        + _table_html(summary, ["segment_id", "name", "contacts", "share", "trend_change", "top_channel", "top_language",
                                "negative_share", "high_complexity_share", "bot_share", "repeat_share"], pct))
    body["map"] = _figure_html(_map_figure(frame, labels, map_points, seed), "fig-map", 560)
    body["trend"] = _figure_html(_trend_figure(tables["trend"], labels), "fig-trend")
    body["mix"] = (_figure_html(_stacked(tables["channel_mix"], labels, "Channel mix by segment"), "fig-channels", height)
                   + _figure_html(_stacked(tables["language_mix"], labels, "Language mix by segment"), "fig-languages", height))
    body["feelings"] = (
        _figure_html(_stacked(tables["sentiment_mix"], labels, "Sentiment by segment", _SENTIMENT_COLOURS), "fig-sentiment", height)
        + _figure_html(_stacked(tables["complexity_mix"], labels, "Complexity by segment", _COMPLEXITY_COLOURS), "fig-complexity", height))
    if has_routes:
        body["automation"] = (_figure_html(_automation_figure(tables["automation"], labels), "fig-automation", height)
                              + _table_html(tables["automation"], None, pct))
    else:
        body["automation"] = '<p class="note">Routing was not replayed for this report (--no-journeys).</p>'
    body["claim-channel"] = _figure_html(_heatmap(tables["claim_by_channel"], "Contacts by predicted claim type and channel "
                                                  "(colour: share within the claim type)", True), "fig-claim-channel", 480)
    body["sentiment-claim"] = _figure_html(_heatmap(tables["sentiment_by_claim"], "Contacts by predicted claim type and "
                                                    "sentiment (colour: share within the claim type)", True), "fig-sentiment-claim", 480)
    paths = tables["channel_paths"]
    body["journeys"] = (
        _figure_html(_paths_figure(paths), "fig-journeys", max(320, 26 * len(paths) + 120))
        + '<p class="note">Channels of each claim in time order, consecutive repeats merged, from the journey linking '
        'the service uses.</p>' + _table_html(paths, None, ("share_of_claims",))
        if len(paths) else '<p class="note">No journeys: routing and linking were not replayed for this report.</p>')
    body["segments"] = _segment_cards(summary, tables, examples)
    body["method"] = (f"<pre>{html.escape(json.dumps(info, indent=1, default=str))}</pre>"
                      '<p class="note">See evaluation/segments/segment.py for the representation, the HDBSCAN settings '
                      "and the unassigned cap, naming.py for the names, registry.py for stable ids.</p>")
    nav = "".join(f'<a href="#{sid}">{html.escape(t)}</a>' for sid, t in SECTIONS.items())
    sections = "".join(f'<section id="{sid}"><h2>{html.escape(t)}</h2>{body[sid]}</section>' for sid, t in SECTIONS.items())
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style>'
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f'<h1>{html.escape(title)}</h1><p class="meta">Source <b>{html.escape(str(info.get("source", "")))}</b> · model '
        f'{html.escape(str(info.get("model_uri", info.get("model", ""))))} · made {made}</p><nav>{nav}</nav>{sections}</body></html>')


def write_report(path: Path, **kwargs: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(**kwargs), encoding="utf-8")
    return path
