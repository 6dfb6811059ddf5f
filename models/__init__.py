"""claimtriage: models."""
