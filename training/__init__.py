"""claimtriage: training."""
