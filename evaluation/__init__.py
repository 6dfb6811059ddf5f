"""claimtriage: evaluation."""
