"""The routing policy: a pure function of (head outputs, journey, channel, policy config) -> route.

The policy lives in a YAML file (`serving/default_policy.yaml` is the embedded default; `claimtriage tune-policy`
rewrites its thresholds from data). Hard rules send a contact to a person whatever the models say; otherwise a
contact goes to the bot only when its claim type is bot-eligible and the claim confidence, complexity and sentiment
are on the bot's side of the thresholds. Every decision carries stable reason codes and one sentence each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from claimtriage.data.deployment import Deployment
from claimtriage.data.journeys.linking import LinkingConfig
from claimtriage.serving.answer import Reason, RouteAnswer
from claimtriage.serving.signals import TextSignals

DEFAULT_POLICY = Path(__file__).with_name("default_policy.yaml")

#: reason code -> the sentence shown to agents and supervisors; codes are a public contract: add, never rename
REASONS: dict[str, str] = {
    "BOT_ELIGIBLE": "A standard {claim} request the bot handles, with a confident claim type and a calm customer.",
    "HUMAN_REQUESTED": "The customer asked to speak to a person.",
    "LEGAL_THREAT": "The customer mentions legal action or a regulator.",
    "VULNERABLE_CUSTOMER": "The customer's words suggest a vulnerable situation (age, health, bereavement, hardship).",
    "REPEAT_CONTACT_OPEN_CLAIM": "Contact number {n} on a claim still open since {since}.",
    "SAYS_REPEAT_CONTACT": "The customer says this is not their first contact about it (no open claim of theirs is "
                           "linked to it here).",
    "BOT_FAILED_BEFORE": "The bot already tried on this claim and did not settle it.",
    "PUBLIC_NEGATIVE": "A negative public {channel} post: a reputation risk.",
    "UNSUPPORTED_LANGUAGE": "Language '{language}' is not one the bot supports.",
    "OUT_OF_SCOPE": "The contact is about nothing the models were trained on.",
    "CLAIM_NOT_BOT_ELIGIBLE": "Claim type {claim} is not handled by the bot.",
    "LOW_CLAIM_CONFIDENCE": "The claim type is uncertain (confidence {confidence:.2f} < {threshold:.2f}).",
    # the thresholds are tuned to keep misroutes rare, so they fire before the label says high or negative: the
    # messages say what the score shows, not more (a contact labelled neutral can lean negative enough)
    "HIGH_COMPLEXITY": "The request may be too complex for the bot (complexity {score:.2f} > {threshold:.2f}).",
    "NEGATIVE_SENTIMENT": "The customer's tone is not calm enough for the bot (sentiment {score:.2f} < "
                          "{threshold:.2f}).",
    "CHANNEL_WITHOUT_BOT": "No bot answers on the {channel} channel.",
    "NO_JOURNEY": "Triaged without a journey: {why}.",
}


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_claim_confidence: float = Field(0.8, ge=0, le=1)
    max_complexity_score: float = Field(0.5, ge=0, le=1)
    min_sentiment_score: float = Field(-0.3, ge=-1, le=1)


class PolicyConfig(BaseModel):
    """The policy file. Unknown keys are errors, so a typo never silently disables a rule."""

    model_config = ConfigDict(extra="forbid")
    version: int = 1
    bot_eligible_claims: list[str]
    thresholds: Thresholds = Field(default_factory=Thresholds)
    supported_languages: list[str] = Field(default_factory=lambda: ["it", "en"])
    bot_channels: list[str] = Field(default_factory=lambda: ["chat", "whatsapp", "sms", "messaging", "email",
                                                              "web_form", "phone"])
    public_channels: list[str] = Field(default_factory=lambda: ["social", "review"])
    #: a public post at or below this rating, or with negative sentiment, is a reputation case
    public_negative_rating: float = 2.0
    queues: dict[str, str] = Field(default_factory=dict)
    default_queue: str = "general"
    special_queues: dict[str, str] = Field(default_factory=lambda: {
        "legal": "complaints_legal", "vulnerable": "customer_care", "public": "social_care"})
    linking: dict = Field(default_factory=dict)
    #: moved to the deployment settings file (data/deployment.py); a policy that still sets it is refused
    text_identifiers: dict | None = None
    #: how the thresholds were chosen (written by tune-policy): target, measured automation and misroute
    tuning: dict | None = None

    def linking_config(self) -> LinkingConfig:
        return LinkingConfig(**self.linking)

    @field_validator("text_identifiers")
    @classmethod
    def _moved(cls, value: dict | None) -> None:
        if value:
            raise ValueError("the customer-code format and the company's own domains moved to the deployment settings "
                             "file (--deployment; see the README, Deployment settings): remove text_identifiers here")
        return None

    def with_deployment(self, deployment: Deployment) -> PolicyConfig:
        """The policy as it applies to `deployment`: its bot channels and languages, where it sets them."""
        update: dict = {}
        if deployment.bot_channels is not None:
            update["bot_channels"] = [c.value for c in deployment.bot_channels]
        if deployment.human_only_channels:
            channels = update.get("bot_channels", self.bot_channels)
            update["bot_channels"] = [c for c in channels if c not in {h.value for h in deployment.human_only_channels}]
        if deployment.brand.languages:
            update["supported_languages"] = list(deployment.brand.languages)
        return self.model_copy(update=update) if update else self


class PolicyError(ValueError):
    pass


def load_policy(path: str | Path | None = None) -> PolicyConfig:
    path = Path(path) if path else DEFAULT_POLICY
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise PolicyError(f"policy file not found: {path}") from err
    except yaml.YAMLError as err:
        raise PolicyError(f"{path}: not valid YAML: {err}") from err
    try:
        return PolicyConfig.model_validate(raw or {})
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())
        raise PolicyError(f"{path}: {problems}") from err


POLICY_HEADER = """\
# Routing policy (serving/policy.py reads it; unknown keys are errors).
# bot_eligible_claims: claim types the bot settles; everything else goes to a person.
# thresholds: a contact goes to the bot only with claim confidence >= min_claim_confidence, complexity score
#   <= max_complexity_score and sentiment score >= min_sentiment_score. `claimtriage tune-policy` chooses them for a
#   target misroute rate and records how in `tuning`.
# Hard rules (a request for a person, legal threats, vulnerable customers, repeat contacts on an open claim or a
#   customer saying it is one, a failed bot attempt, negative public posts, unsupported languages, out of scope)
#   always send to a person.
# linking: claim-linking weights (data/journeys/linking.py). The brand's facts (customer-code format, the company's
#   own addresses, bot channels, languages) live in the deployment settings file (data/deployment.py, --deployment).
"""


def save_policy(policy: PolicyConfig, path: str | Path) -> None:
    body = yaml.safe_dump(policy.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True,
                          width=118)
    Path(path).write_text(POLICY_HEADER + body, encoding="utf-8")


@dataclass(frozen=True)
class JourneyFeatures:
    """What the policy reads of the journey; all defaults mean "no journey known"."""

    linked: bool = False
    status: str = "no_identifier"
    prior_contacts: int = 0
    repeat_contact: bool = False
    bot_failed_before: bool = False
    days_open: float = 0.0
    open_since: str | None = None
    sentiment_trend: float | None = None
    channels_used: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoutingInput:
    """Head outputs and what the channel says about one contact."""

    channel: str
    language: str
    claim: str | None
    claim_confidence: float | None
    out_of_scope: bool
    sentiment: str | None = None
    sentiment_score: float | None = None
    complexity: str | None = None
    complexity_score: float | None = None
    rating: float | None = None
    signals: TextSignals = field(default_factory=TextSignals)


def _reason(code: str, **values) -> Reason:
    return Reason(code=code, message=REASONS[code].format(**values))


def human_reasons(x: RoutingInput, journey: JourneyFeatures, policy: PolicyConfig) -> list[Reason]:
    """Every reason this contact must go to a person, hard rules first; empty when the bot may take it."""
    t = policy.thresholds
    reasons: list[Reason] = []
    if x.signals.human_request:
        reasons.append(_reason("HUMAN_REQUESTED"))
    if x.signals.legal_threat:
        reasons.append(_reason("LEGAL_THREAT"))
    if x.signals.vulnerable:
        reasons.append(_reason("VULNERABLE_CUSTOMER"))
    if journey.repeat_contact:
        reasons.append(_reason("REPEAT_CONTACT_OPEN_CLAIM", n=journey.prior_contacts + 1,
                               since=journey.open_since or "earlier"))
    elif x.signals.says_repeat:
        # a chaser the store could not link (new channel, unknown identifier, filed under another claim type) is a
        # repeat contact all the same: the first contact did not solve it, and a bot answer would be one more loop
        reasons.append(_reason("SAYS_REPEAT_CONTACT"))
    if journey.bot_failed_before:
        reasons.append(_reason("BOT_FAILED_BEFORE"))
    if x.channel in policy.public_channels and (
            x.sentiment == "negative" or (x.rating is not None and x.rating <= policy.public_negative_rating)):
        reasons.append(_reason("PUBLIC_NEGATIVE", channel=x.channel))
    if x.language not in policy.supported_languages:
        reasons.append(_reason("UNSUPPORTED_LANGUAGE", language=x.language))
    if x.out_of_scope:
        reasons.append(_reason("OUT_OF_SCOPE"))
    elif x.claim not in policy.bot_eligible_claims:
        reasons.append(_reason("CLAIM_NOT_BOT_ELIGIBLE", claim=x.claim))
    if x.channel not in policy.bot_channels:
        reasons.append(_reason("CHANNEL_WITHOUT_BOT", channel=x.channel))
    if not x.out_of_scope and (x.claim_confidence or 0.0) < t.min_claim_confidence:
        reasons.append(_reason("LOW_CLAIM_CONFIDENCE", confidence=x.claim_confidence or 0.0,
                               threshold=t.min_claim_confidence))
    if x.complexity_score is not None and x.complexity_score > t.max_complexity_score:
        reasons.append(_reason("HIGH_COMPLEXITY", score=x.complexity_score, threshold=t.max_complexity_score))
    if x.sentiment_score is not None and x.sentiment_score < t.min_sentiment_score:
        reasons.append(_reason("NEGATIVE_SENTIMENT", score=x.sentiment_score, threshold=t.min_sentiment_score))
    return reasons


def _queue(x: RoutingInput, codes: set[str], policy: PolicyConfig) -> str:
    special = policy.special_queues
    if "LEGAL_THREAT" in codes:
        return special.get("legal", policy.default_queue)
    if "VULNERABLE_CUSTOMER" in codes:
        return special.get("vulnerable", policy.default_queue)
    if "PUBLIC_NEGATIVE" in codes:
        return special.get("public", policy.default_queue)
    if x.out_of_scope or x.claim is None:
        return policy.default_queue
    return policy.queues.get(x.claim, policy.default_queue)


def _priority(x: RoutingInput, journey: JourneyFeatures, codes: set[str]) -> int:
    """1 is the most urgent. Legal threats and vulnerable customers first, then reputation and repeat contacts,
    then upset customers; a worsening sentiment trend moves a contact up one step."""
    if codes & {"LEGAL_THREAT", "VULNERABLE_CUSTOMER"}:
        return 1
    priority = 4
    if codes & {"PUBLIC_NEGATIVE", "REPEAT_CONTACT_OPEN_CLAIM", "SAYS_REPEAT_CONTACT", "BOT_FAILED_BEFORE"}:
        priority = 2
    elif x.sentiment == "negative" or "NEGATIVE_SENTIMENT" in codes:
        priority = 3
    if journey.sentiment_trend is not None and journey.sentiment_trend < -0.3:
        priority -= 1
    return max(1, min(priority, 5))


def route(x: RoutingInput, journey: JourneyFeatures, policy: PolicyConfig) -> RouteAnswer:
    """Bot or human, which queue, what priority, and why. Pure: same inputs, same answer."""
    reasons = human_reasons(x, journey, policy)
    info = [] if journey.linked else [_reason("NO_JOURNEY", why={
        "no_identifier": "the contact carries no customer identifier",
        "store_unavailable": "the journey store is unavailable"}.get(journey.status, journey.status))]
    if not reasons:
        return RouteAnswer(target="bot", queue="bot", priority=5,
                           reasons=[_reason("BOT_ELIGIBLE", claim=x.claim)] + info)
    codes = {r.code for r in reasons}
    return RouteAnswer(target="human", queue=_queue(x, codes, policy), priority=_priority(x, journey, codes),
                       reasons=reasons + info)

