"""claimtriage.models: one encoder body (`Encoder`), several heads with one contract (`Head`: fit, predict_proba,
labels, save, load), calibration, the out-of-scope gate, and `TriageModel` that holds them. Imports data only.

`registry.load_model(uri)` is the one loader (registry URI, alias, run or folder); `metrics` scores heads;
`pyfunc` is the MLflow flavour that batch scoring runs.
"""

from claimtriage.models.calibration import TemperatureScaler, expected_calibration_error
from claimtriage.models.encoder import Encoder
from claimtriage.models.features import SparseConfig, SparseTextFeatures
from claimtriage.models.heads import ClaimHead, ComplexityHead, Head, HeadConfig, SentimentHead

__all__ = [
    "ClaimHead",
    "ComplexityHead",
    "Encoder",
    "Head",
    "HeadConfig",
    "SentimentHead",
    "SparseConfig",
    "SparseTextFeatures",
    "TemperatureScaler",
    "expected_calibration_error",
]
