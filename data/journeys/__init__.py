"""Customer journeys: who a contact is, which claim it continues, and the store that keeps them.

`identity` normalises identifiers and resolves customers; `linking` chooses the claim a contact continues and says
what the claim becomes (pure functions); `store` is `JourneyStore` (open, transactions, reads, feedback) and its
write path is `writes` (`JourneyTransaction`: link, then save); `reads` and `feedback` hold the queries behind the
store's reads and corrections; `tables` the schema; `records` the values it takes and gives; `pairwise` the scores
that compare a partition of contacts with the truth.
"""

from claimtriage.data.journeys.records import ContactRecord, DuplicateContact, JourneyState
from claimtriage.data.journeys.store import JourneyStore, StoreError

__all__ = ["ContactRecord", "DuplicateContact", "JourneyState", "JourneyStore", "StoreError"]
