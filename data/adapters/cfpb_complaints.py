"""CFPB consumer complaints: the written narrative as a web-form body, the product as the claim.

Two samples are read: `ZiyuYan9_sample` (full CFPB schema, 6,623 rows) and `nagakoushik24_sample` (product and
narrative only, 2,085 rows). Rows without a narrative carry no customer text and are left out, counted in
`skipped["no_narrative"]` (5,091 in ZiyuYan9). A nagakoushik24 narrative identical to a ZiyuYan9 one is the same
complaint with fewer fields: it is left out as `skipped["duplicate_narrative"]` (8 rows, 5 texts). Identical
narratives inside one sample are distinct complaints and are kept (`data.splits` keeps them in one split).
PII masked as XXXX stays as written.

labels.claim is the product under the current CFPB names (`PRODUCT_RENAMES` maps the older and shortened names;
"Consumer Loan" has no single successor and stays). signals: issue, sub_issue, sub_product where given.
outcome: company_response, disputed (Yes/No; N/A is unknown). Timestamp: "Date received", else `SOURCE_EPOCH`.
Ids: `cfpb-<Complaint ID>` (ZiyuYan9) and `cfpb-nagakoushik24-<row>` (no complaint id in that sample). No source splits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import cast

import pandas as pd

from claimtriage.data.adapters._common import SOURCE_EPOCH, LoadedContacts, canonical_split, collect
from claimtriage.data.schema import Channel, Contact, Labels, Outcome

NAME = "cfpb_complaints"
SPLITS: tuple[str, ...] = ()
MARKERS = ("*/complaints_sample.csv", "complaints_sample.csv")
_NARRATIVE = "Consumer complaint narrative"

_CREDIT_REPORTING = "Credit reporting, credit repair services, or other personal consumer reports"
#: older or shortened product names -> the names CFPB uses since 2017 (and the ZiyuYan9 sample mostly uses)
PRODUCT_RENAMES = {
    "Credit reporting, repair, or other": _CREDIT_REPORTING,
    "Credit reporting": _CREDIT_REPORTING,
    "Credit card": "Credit card or prepaid card",
    "Prepaid card": "Credit card or prepaid card",
    "Payday loan": "Payday loan, title loan, or personal loan",
    "Bank account or service": "Checking or savings account",
    "Money transfers": "Money transfer, virtual currency, or money service",
    "Virtual currency": "Money transfer, virtual currency, or money service",
}


def _files(root: Path) -> list[Path]:
    # the full-schema sample first: on a duplicate narrative its row is the one kept
    files = sorted(set(root.glob("*/complaints_sample.csv")) | set(root.glob("complaints_sample.csv")),
                   key=lambda p: (p.parent.name != "ZiyuYan9_sample", str(p)))
    if not files:
        raise FileNotFoundError(f"{root}: no complaints_sample.csv")
    return files


def _text(value: str) -> str | None:
    value = value.strip()
    return value if value and value.upper() != "N/A" else None


def _received(value: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), "%Y/%m/%d").replace(tzinfo=timezone.utc)
    except ValueError:
        return SOURCE_EPOCH


def _disputed(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value.strip().lower())


def _contact(row: dict[str, str], *, cid: str, sample: str, line: int) -> Contact:
    def get(column: str) -> str | None:
        # columns absent from the short sample read as None, like empty cells
        return _text(row.get(column, ""))

    product = get("Product") or "unknown"
    signals: dict[str, float | str] = {k: v for k, v in (("issue", get("Issue")), ("sub_issue", get("Sub-issue")),
                                 ("sub_product", get("Sub-product"))) if v}
    metadata = {"source": NAME, "sample": sample, "row": str(line)}
    for key, column in (("complaint_id", "Complaint ID"), ("company", "Company"), ("state", "State"),
                        ("submitted_via", "Submitted via"), ("timely_response", "Timely response?"),
                        ("tags", "Tags"), ("company_public_response", "Company public response")):
        if value := get(column):
            metadata[key] = value
    if product in PRODUCT_RENAMES:
        metadata["product_as_published"] = product
    response, disputed = get("Company response to consumer"), _disputed(row.get("Consumer disputed?", ""))
    return Contact(
        id=cid,
        channel=Channel.web_form,
        timestamp=_received(row.get("Date received", "")),
        language="en",
        subject=get("Issue"),
        body=row[_NARRATIVE].strip(),
        labels=Labels(claim=PRODUCT_RENAMES.get(product, product), signals=signals),
        outcome=Outcome(company_response=response, disputed=disputed) if response or disputed is not None else None,
        metadata=metadata,
    )


def _contacts(root: Path, skipped: Counter[str]) -> Iterator[Contact]:
    full_schema_narratives: set[str] = set()
    seen_ids: set[str] = set()
    for path in _files(root):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        sample = path.parent.name
        full_schema = "Complaint ID" in frame.columns
        records = cast(list[dict[str, str]], frame.to_dict("records"))  # every column was read as str
        for line, row in enumerate(records):
            narrative = row.get(_NARRATIVE, "").strip()
            if not narrative:
                skipped["no_narrative"] += 1
                continue
            if not full_schema and narrative in full_schema_narratives:
                skipped["duplicate_narrative"] += 1
                continue
            cid = f"cfpb-{row['Complaint ID']}" if full_schema else f"cfpb-{sample.split('_')[0]}-{line:05d}"
            if cid in seen_ids:
                skipped["duplicate_complaint_id"] += 1
                continue
            if full_schema:
                full_schema_narratives.add(narrative)
            seen_ids.add(cid)
            yield _contact(row, cid=cid, sample=sample, line=line)


def load(root: Path, split: str | None = None, limit: int | None = None) -> LoadedContacts:
    """Every CFPB complaint with a narrative under `root` (no source splits: `split` must be None)."""
    canonical_split(NAME, split, SPLITS)
    skipped: Counter[str] = Counter()
    return collect(_contacts(root, skipped), source=NAME, split=None, limit=limit, skipped=skipped)
