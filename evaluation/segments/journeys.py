"""Routing and journeys for segmentation: the serving engine's own decisions, replayed on the contacts in time order.

Every contact goes through `TriageEngine.decide` with the scores already computed (nothing is encoded twice) and a
fresh in-memory journey store, so "routable to the bot" means exactly what the service would do under the current
policy, and repeat contacts and channel sequences come from the same claim linking the service uses.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from claimtriage.data.normalise import NormalisedContact
from claimtriage.data.schema import Contact
from claimtriage.models.triage_model import ContactScores, TriageModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JourneyView:
    """What segmentation reads of one triage answer."""

    route_target: str  # bot | human
    repeat_contact: bool
    claim_id: str | None
    channels_used: tuple[str, ...]


class JourneyReplay:
    """Routes and links contacts, fed in time order chunk by chunk, as the service would, in a throwaway store."""

    def __init__(self, model: TriageModel, *, policy_path: str | None = None, deployment=None) -> None:
        from claimtriage.serving.engine import TriageEngine
        from claimtriage.serving.policy import load_policy
        from claimtriage.serving.replay import fresh_engine

        self.engine = fresh_engine(TriageEngine(model, policy=load_policy(policy_path), model_version="segmentation",
                                                deployment=deployment))

    def decide(self, contacts: Sequence[Contact], scores: Sequence[ContactScores],
               normalised: Sequence[NormalisedContact]) -> list[JourneyView]:
        out = []
        for contact, scored, norm in zip(contacts, scores, normalised, strict=True):
            answer = self.engine.decide(contact, scored, norm)
            out.append(JourneyView(route_target=answer.route.target, repeat_contact=answer.journey.repeat_contact,
                                   claim_id=answer.journey.claim_id, channels_used=tuple(answer.journey.channels_used)))
        return out


def replay_journeys(model: TriageModel, contacts: Sequence[Contact], scores: Sequence[ContactScores],
                    normalised: Sequence[NormalisedContact], *, policy_path: str | None = None,
                    deployment=None) -> list[JourneyView]:
    """Route and link every contact (given in time order) as the service would, in a throwaway journey store, with
    the brand's deployment settings (`data.deployment.Deployment`; None: generic rules)."""
    return JourneyReplay(model, policy_path=policy_path, deployment=deployment).decide(contacts, scores, normalised)


def channel_paths(views: Sequence[JourneyView], top: int = 15) -> list[dict]:
    """The most common channel sequences of claims (the channels of each claim's last contact, consecutive repeats
    merged: email, email, phone -> "email → phone"), with the number of claims and of contacts behind each."""
    from collections import Counter

    last: dict[str, tuple[str, ...]] = {}
    for view in views:
        if view.claim_id is not None:
            last[view.claim_id] = view.channels_used
    claims: Counter[str] = Counter()
    contacts: Counter[str] = Counter()
    for channels in last.values():
        merged = [c for i, c in enumerate(channels) if i == 0 or c != channels[i - 1]]
        path = " → ".join(merged)
        claims[path] += 1
        contacts[path] += len(channels)
    total = sum(claims.values())
    return [{"channel_path": path, "claims": n, "share_of_claims": round(n / total, 4),
             "contacts": contacts[path], "channels": len(path.split(" → "))}
            for path, n in claims.most_common(top)]
