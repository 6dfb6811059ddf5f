"""claimtriage: models. One encoder body (`Encoder`), several heads with one contract (`Head`), calibration."""

from models.calibration import TemperatureScaler, expected_calibration_error
from models.encoder import Encoder
from models.features import SparseConfig, SparseTextFeatures
from models.heads import ClaimHead, ComplexityHead, Head, HeadConfig, SentimentHead

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
