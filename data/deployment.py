"""Deployment settings: what an operator configures about the brand a claimtriage instance serves.

One YAML file (`--deployment FILE` on `serve`, `evaluate`, `segment`, `fit-linking`, `tune-policy`): the brand, its
customer-code format, the company's own email domains, outgoing addresses, social handles and phone numbers (never
evidence about a customer), the channels a bot answers and the languages it supports. Unknown keys and bad values are
errors that name the field. Without a file, `Deployment.generic()` applies safe generic rules: a customer code is only
read where the customer introduces it ("codice cliente ...", "customer number ..."), and no brand is assumed.
`demo_deployment()` holds the demo brands' values (from `data/demo/brands.py`), used for the generated corpus only.
"""

from __future__ import annotations

import re
from pathlib import Path

import phonenumbers
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from claimtriage.data.schema import Channel

#: a customer code the customer introduces as such, in Italian or English, when no format is configured: the code
#: is the first group (letters and digits, at least five digits)
GENERIC_CODE_PATTERN = (
    r"(?i:\b(?:cod(?:ice|\.)?\s*(?:cliente|utente|contratto)|(?:numero|n\.|nr\.?)\s*(?:cliente|utente|contratto)|"
    r"id\s*cliente|customer\s*(?:code|number|no\.?|id)|account\s*(?:code|number|no\.?|id))\b"
    r"\s*(?:[:#]|è|e'|is|n\.|nr\.?)?\s*)"
    r"(?P<code>[A-Za-z]{1,4}[\s\-]?\d{5,10}|\d{6,10})\b"
)


class DeploymentError(ValueError):
    """A deployment file that cannot be used: the message names the file and the field."""


def _compile(value: str) -> str:
    try:
        re.compile(value)
    except re.error as err:
        raise ValueError(f"not a valid regular expression ({err}): {value!r}") from None
    return value


class Brand(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    legal_name: str | None = None
    country: str = Field("IT", pattern=r"^[A-Z]{2}$")  # also the region of phone numbers written without a prefix
    services: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)  # the languages the bot supports; empty: the policy's
    bot_name: str | None = None


class CustomerCode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    regex: str  # how customers write the code, anywhere in their words
    canonical_regex: str | None = None
    example: str | None = None

    @field_validator("regex", "canonical_regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return value if value is None else _compile(value)

    @model_validator(mode="after")
    def _example_matches(self) -> CustomerCode:
        if self.example and not re.search(self.regex, self.example):
            raise ValueError(f"example {self.example!r} does not match regex {self.regex!r}")
        return self


class Deployment(BaseModel):
    """The settings file. `Deployment.generic()` is what runs without one."""

    model_config = ConfigDict(extra="forbid")
    brand: Brand = Field(default_factory=Brand)
    customer_code: CustomerCode | None = None
    company_email_domains: list[str] = Field(default_factory=list)
    company_email_addresses: list[str] = Field(default_factory=list)
    social_handles: list[str] = Field(default_factory=list)
    company_phone_numbers: list[str] = Field(default_factory=list)
    bot_channels: list[Channel] | None = None  # None: the routing policy's
    human_only_channels: list[Channel] = Field(default_factory=list)
    other_identifier_formats: dict[str, str] = Field(default_factory=dict)  # company references (invoice, ticket...)
    #: where the settings came from (not a key of the file)
    _source: str = PrivateAttr("generic rules (no deployment file)")

    @field_validator("company_email_domains")
    @classmethod
    def _domains(cls, values: list[str]) -> list[str]:
        for v in values:
            if not re.fullmatch(r"[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+", v.strip()):
                raise ValueError(f"not a domain name: {v!r}")
        return [v.strip().lower() for v in values]

    @field_validator("company_email_addresses")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        for v in values:
            if not re.fullmatch(r"[^@\s]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+", v.strip()):
                raise ValueError(f"not an email address: {v!r}")
        return [v.strip().lower() for v in values]

    @field_validator("other_identifier_formats")
    @classmethod
    def _formats(cls, values: dict[str, str]) -> dict[str, str]:
        for name, pattern in values.items():
            try:
                _compile(pattern)
            except ValueError as err:
                raise ValueError(f"{name}: {err}") from None
        return values

    @model_validator(mode="after")
    def _phones_and_channels(self) -> Deployment:
        for number in self.company_phone_numbers:
            try:
                phonenumbers.parse(number, self.brand.country)
            except phonenumbers.NumberParseException:
                raise ValueError(f"company_phone_numbers: not a phone number: {number!r}") from None
        both = set(self.bot_channels or ()) & set(self.human_only_channels)
        if both:
            raise ValueError(f"bot_channels and human_only_channels both list {sorted(c.value for c in both)}")
        return self

    @classmethod
    def generic(cls) -> Deployment:
        return cls()

    @property
    def source(self) -> str:
        return self._source

    @property
    def code_pattern(self) -> str:
        """The regex that finds a customer code in the customer's words (the configured format, else the generic
        introduced-code rule, whose group `code` is the code)."""
        return self.customer_code.regex if self.customer_code else GENERIC_CODE_PATTERN

    @property
    def company_handles(self) -> list[str]:
        return [h.strip().lstrip("@").lower() for h in self.social_handles]


def demo_deployment() -> Deployment:
    """The settings of the demo corpus's brands (data/demo/brands.py): their customer codes, the group's domain and
    the brands' social handles. Only the demo's own evaluation uses them."""
    from claimtriage.data.demo.brands import BRANDS, CODE_PATTERN, SERVICE_DOMAIN

    settings = Deployment(brand=Brand(name="Lumina group (demo brands)", languages=["it", "en"]),
                          customer_code=CustomerCode(regex="(?i)" + CODE_PATTERN),
                          company_email_domains=[SERVICE_DOMAIN], social_handles=[b.handle for b in BRANDS])
    settings._source = "demo brands (data/demo/brands.py)"
    return settings


def load_deployment(path: str | Path | None) -> Deployment:
    """The settings in `path`, or the generic rules when `path` is None. Raises `DeploymentError` naming the field."""
    if path is None:
        return Deployment.generic()
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeploymentError(f"deployment file not found: {path}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise DeploymentError(f"{path}: not valid YAML: {err}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise DeploymentError(f"{path}: expected a mapping of settings, got {type(raw).__name__}")
    try:
        deployment = Deployment.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {_message(e)}" for e in err.errors())
        raise DeploymentError(f"{path}: {problems}") from None
    deployment._source = str(path)
    return deployment


def _message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    return error["msg"].removeprefix("Value error, ")
