"""claimtriage: serving."""
