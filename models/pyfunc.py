"""The MLflow pyfunc flavour of the triage model (logged as "models from code": no pickled objects).

Input: a pandas DataFrame with one Contact per row, either as columns of the Contact schema (nested parts as dicts)
or as a `contact` column of JSON strings (handy for Spark UDFs). Output: one row of scores per contact.
"""

from __future__ import annotations

import json
from typing import Any

import mlflow
import pandas as pd


def _rows(model_input: Any) -> list[dict[str, Any]]:
    if isinstance(model_input, pd.DataFrame):
        if "contact" in model_input.columns:
            return [json.loads(v) if isinstance(v, str) else dict(v) for v in model_input["contact"]]
        records = model_input.to_dict(orient="records")
        return [{k: v for k, v in row.items() if not (v is None or (isinstance(v, float) and pd.isna(v)))} for row in records]
    if isinstance(model_input, dict):
        return [model_input]
    return [dict(r) for r in model_input]


class TriagePyfunc(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        from claimtriage.models.triage_model import TriageModel

        self.model = TriageModel.load(context.artifacts["triage_model"])

    def predict(self, context, model_input, params=None) -> pd.DataFrame:
        from claimtriage.data.schema import Contact

        contacts = [Contact.model_validate(row) for row in _rows(model_input)]
        return pd.DataFrame([s.as_dict() for s in self.model.predict(contacts)])


mlflow.models.set_model(TriagePyfunc())
