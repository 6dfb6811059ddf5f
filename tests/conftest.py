"""Test-wide settings: offline like every entry point of the project."""

from __future__ import annotations

import os

from claimtriage import OFFLINE_DEFAULTS

for _key, _value in OFFLINE_DEFAULTS.items():
    os.environ.setdefault(_key, _value)
