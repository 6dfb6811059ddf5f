"""What the fictional provider sells and what its customers contact it about.

The brand, its offers and devices are invented. Claim types are the stable snake_case labels of `labels.claim`;
each has subtypes that decide the wording, whether a bot can settle it, and how hard it is.
"""

from __future__ import annotations

from dataclasses import dataclass

BRAND = "Lumina Energia & Telco"
BRAND_SHORT = "Lumina"
BRAND_HANDLE = "@LuminaET"
BRAND_DOMAIN = "lumina-et.it"
BOT_NAME = "Lumi"

CLAIMS = ("billing_dispute", "refund", "tariff_change", "technical_fault", "activation", "cancellation",
          "delivery_installation", "account_access", "information_request", "service_complaint")
CLAIM_SHARES = {"billing_dispute": 12, "refund": 8, "tariff_change": 8, "technical_fault": 13, "activation": 10,
                "cancellation": 7, "delivery_installation": 9, "account_access": 10, "information_request": 19,
                "service_complaint": 6}
#: how upset customers are to begin with, per claim type (0 calm .. 1 furious)
NEGATIVITY = {"billing_dispute": 0.6, "refund": 0.45, "tariff_change": 0.3, "technical_fault": 0.55,
              "activation": 0.35, "cancellation": 0.45, "delivery_installation": 0.4, "account_access": 0.3,
              "information_request": 0.1, "service_complaint": 0.85}
#: the intrinsic difficulty of a claim type, the base of complexity_score
BASE_COMPLEXITY = {"billing_dispute": 0.5, "refund": 0.42, "tariff_change": 0.3, "technical_fault": 0.5,
                   "activation": 0.3, "cancellation": 0.42, "delivery_installation": 0.4, "account_access": 0.22,
                   "information_request": 0.12, "service_complaint": 0.55}
#: pairs annotators confuse, used for label noise and for secondary mentions
CONFUSABLE = {"billing_dispute": ("refund", "tariff_change"), "refund": ("billing_dispute",),
              "tariff_change": ("information_request", "billing_dispute"), "technical_fault": ("service_complaint",),
              "activation": ("delivery_installation",), "cancellation": ("service_complaint", "tariff_change"),
              "delivery_installation": ("activation", "technical_fault"), "account_access": ("technical_fault",),
              "information_request": ("tariff_change",), "service_complaint": ("technical_fault", "billing_dispute")}
SECONDARY = {"billing_dispute": ("refund", "cancellation", "service_complaint"),
             "refund": ("billing_dispute", "service_complaint"), "tariff_change": ("billing_dispute",
                                                                                   "information_request"),
             "technical_fault": ("refund", "service_complaint", "cancellation"),
             "activation": ("delivery_installation", "service_complaint"),
             "cancellation": ("refund", "billing_dispute"),
             "delivery_installation": ("activation", "service_complaint"),
             "account_access": ("information_request", "billing_dispute"),
             "information_request": ("tariff_change", "account_access"),
             "service_complaint": ("technical_fault", "billing_dispute", "cancellation")}


@dataclass(frozen=True)
class Subtype:
    """A concrete reason for contact within a claim type."""

    name: str
    claim: str
    services: tuple[str, ...]  # services it can concern; the first the person has is used
    bot_rate: float  # chance that a calm, single-issue request of this kind is settled by the bot
    weight: int  # how common it is within its claim type
    amount: tuple[float, float]  # range of the money amount it mentions


def _s(name: str, claim: str, services: str, bot_rate: float, weight: int, amount=(9.9, 149.9)) -> Subtype:
    return Subtype(name, claim, tuple(services.split()), bot_rate, weight, amount)


SUBTYPES: tuple[Subtype, ...] = (
    _s("unexpected_charge", "billing_dispute", "mobile fibra", 0.0, 3, (1.99, 29.99)),
    _s("double_billing", "billing_dispute", "fibra luce gas mobile", 0.0, 2, (29.9, 139.9)),
    _s("estimated_reading", "billing_dispute", "luce gas", 0.0, 2, (180.0, 950.0)),
    _s("wrong_amount", "billing_dispute", "fibra mobile luce", 0.0, 3, (35.0, 95.0)),
    _s("refund_status", "refund", "fibra luce gas mobile", 0.6, 4, (20.0, 260.0)),
    _s("refund_request", "refund", "fibra luce gas mobile", 0.0, 3, (20.0, 260.0)),
    _s("deposit_refund", "refund", "fibra luce", 0.15, 1, (49.0, 99.0)),
    _s("plan_switch", "tariff_change", "mobile fibra luce", 0.6, 4),
    _s("promo_not_applied", "tariff_change", "fibra mobile luce gas", 0.0, 3, (5.0, 15.0)),
    _s("price_increase", "tariff_change", "fibra mobile luce gas", 0.25, 2, (2.0, 6.0)),
    _s("no_line", "technical_fault", "fibra", 0.1, 4),
    _s("slow_connection", "technical_fault", "fibra", 0.05, 3),
    _s("outage_area", "technical_fault", "fibra luce gas", 0.7, 3),
    _s("mobile_no_signal", "technical_fault", "mobile", 0.1, 2),
    _s("meter_fault", "technical_fault", "luce gas", 0.0, 1),
    _s("activation_status", "activation", "fibra luce gas mobile", 0.95, 5),
    _s("sim_activation", "activation", "mobile", 0.5, 3),
    _s("activation_delay", "activation", "fibra luce gas", 0.0, 2),
    _s("cancel_request", "cancellation", "fibra mobile luce gas", 0.15, 3),
    _s("cancellation_fee", "cancellation", "fibra mobile luce gas", 0.0, 2, (19.9, 99.0)),
    _s("switch_provider", "cancellation", "fibra luce gas", 0.7, 3),
    _s("tracking", "delivery_installation", "fibra mobile", 0.96, 4),
    _s("appointment", "delivery_installation", "fibra luce", 0.7, 3),
    _s("missed_appointment", "delivery_installation", "fibra luce", 0.0, 2),
    _s("faulty_install", "delivery_installation", "fibra", 0.0, 1),
    _s("password_reset", "account_access", "mobile fibra luce gas", 0.96, 5),
    _s("account_locked", "account_access", "mobile fibra luce gas", 0.6, 3),
    _s("email_change", "account_access", "mobile fibra luce gas", 0.15, 1),
    _s("invoice_copy", "information_request", "fibra luce gas mobile", 0.97, 5, (25.0, 140.0)),
    _s("tariff_info", "information_request", "fibra mobile luce gas", 0.93, 3),
    _s("coverage_check", "information_request", "fibra", 0.93, 2),
    _s("payment_methods", "information_request", "fibra luce gas mobile", 0.93, 2),
    _s("contract_terms", "information_request", "fibra mobile luce gas", 0.4, 1),
    _s("rude_agent", "service_complaint", "fibra mobile luce gas", 0.0, 2),
    _s("long_wait", "service_complaint", "fibra mobile luce gas", 0.0, 3),
    _s("unsolicited_calls", "service_complaint", "mobile fibra luce gas", 0.05, 2),
    _s("unresolved_repeated", "service_complaint", "fibra mobile luce gas", 0.0, 2),
)
SUBTYPES_BY_CLAIM = {c: tuple(s for s in SUBTYPES if s.claim == c) for c in CLAIMS}

#: "messaging" is in-app messaging in the Lumina app (customers are logged in there)
CHANNELS = ("email", "phone", "chat", "whatsapp", "web_form", "social", "review", "sms", "messaging")
#: the target channel mix of the corpus (percent)
CHANNEL_SHARES = {"email": 22, "phone": 22, "chat": 15, "whatsapp": 12, "web_form": 10, "social": 8, "review": 5,
                  "sms": 4, "messaging": 2}
#: channels where a bot can settle a request end to end (public posts and reviews always get a person)
BOT_CHANNELS = ("chat", "whatsapp", "sms", "messaging", "phone", "web_form", "email")

TARIFFS = {
    "fibra": (("Fibra Top 1000", 27.90), ("Fibra Casa Start", 22.90), ("Fibra Smart 2.5 Giga", 32.90),
              ("Fibra Casa Plus", 29.90)),
    "mobile": (("Mobile Start 50GB", 7.99), ("Giga Unlimited 5G", 14.99), ("Mobile Young 150GB", 9.99),
               ("Mobile Senior Chiamate", 5.99)),
    "luce": (("Luce Flex Monoraria", 11.00), ("Luce Verde Fissa 24", 13.50), ("Casa Insieme Luce+Gas", 19.00)),
    "gas": (("Gas Sicuro Fisso", 12.00), ("Gas Flex Indicizzato", 9.50), ("Casa Insieme Luce+Gas", 19.00)),
}
DEVICES = {
    "fibra": ("Home Box Wi-Fi 6", "Hub Pro Wi-Fi", "FRITZ!Box 7530", "modem ZTE H388X"),
    "mobile": ("iPhone 13", "Samsung Galaxy A54", "Xiaomi Redmi Note 12", "iPhone 15 Pro", "Pixel 7a"),
    "luce": ("contatore elettronico", "Smart Meter 2G"),
    "gas": ("contatore gas smart", "contatore G4"),
}
AGENTS_IT = ("Chiara", "Marco", "Giulia", "Davide", "Elena", "Stefano", "Sara", "Luca", "Federica", "Alessio")
AGENTS_EN = ("Chiara", "Marco", "Laura", "Daniel", "Sofia", "Luca")
