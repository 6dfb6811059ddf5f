"""claimtriage: models. One encoder body (`Encoder`), several heads with one contract (`Head`), calibration."""

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
