"""Deployment settings (data/deployment.py) and the customer directory (data/journeys/directory.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from claimtriage.cli import app
from claimtriage.data.deployment import Deployment, DeploymentError, demo_deployment, load_deployment
from claimtriage.data.journeys.directory import entry_from_row, import_file
from claimtriage.data.journeys.identity import TextIdentifiers, contact_keys
from claimtriage.data.journeys.store import ContactRecord, JourneyStore
from claimtriage.data.schema import CustomerIdentifiers
from claimtriage.serving.policy import PolicyError, load_policy

pytestmark = pytest.mark.unit

JOURNEYS_DEV = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "journeys_dev" / "deployment.yaml"
GOOD = {"brand": {"name": "Ondaluce", "country": "IT", "languages": ["it", "en"]},
        "customer_code": {"regex": r"(?i)\bOL[-\s]?\d{7}\b", "example": "OL-2048117"},
        "company_email_domains": ["ondaluce.example"], "company_email_addresses": ["assistenza@ondaluce.example"],
        "social_handles": ["@OndaluceIT"], "company_phone_numbers": ["800 913 913"],
        "bot_channels": ["chat", "whatsapp", "sms", "web_form"], "human_only_channels": ["phone", "email"]}


def _write(tmp_path, values) -> Path:
    path = tmp_path / "deployment.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    return path


def test_the_shared_sets_deployment_file_is_read_as_written():
    if not JOURNEYS_DEV.is_file():
        pytest.skip("../shared/datasets/journeys_dev is not beside the project")
    settings = load_deployment(JOURNEYS_DEV)
    ids = TextIdentifiers.from_deployment(settings)
    assert ids.is_company("email:noreply@mail.ondaluce.example") and ids.is_company("phone:+39800913913")
    assert ids.find_code("il mio codice è OL 2048117") == "OL 2048117"


@pytest.mark.parametrize("change, field", [
    ({"customer_code": {"regex": "OL-(\\d{7"}}, "customer_code.regex"),
    ({"brand": {"nmae": "x"}}, "brand.nmae: unknown key"),
    ({"company_email_addresses": ["not an address"]}, "company_email_addresses"),
    ({"company_phone_numbers": ["call us"]}, "company_phone_numbers"),
    ({"bot_channels": ["fax"]}, "bot_channels.0"),
    ({"other_identifier_formats": {"invoice": "FT-(\\d"}}, "other_identifier_formats"),
    ({"customer_code": {"regex": "OL\\d{7}", "example": "XX-1"}}, "customer_code"),
    ({"surprise": 1}, "surprise: unknown key"),
])
def test_a_bad_deployment_file_names_the_field(tmp_path, change, field):
    with pytest.raises(DeploymentError, match=field.replace(".", r"\.")):
        load_deployment(_write(tmp_path, {**GOOD, **change}))


def test_serve_refuses_to_start_with_a_bad_deployment_file(tmp_path):
    path = _write(tmp_path, {**GOOD, "customer_code": {"regex": "OL-(\\d{7"}})
    result = CliRunner().invoke(app, ["serve", "--no-auth", "--deployment", str(path)])
    assert result.exit_code != 0 and "customer_code.regex" in result.output


def test_without_a_file_no_brand_is_assumed():
    generic = TextIdentifiers.from_deployment(Deployment.generic())
    assert generic.find_code("LMN4821937") is None  # a bare code of some brand is not read without context
    assert generic.find_code("il mio codice cliente è LMN4821937") == "LMN4821937"
    assert not generic.is_company("email:assistenza@lumina-et.it")
    assert TextIdentifiers.from_deployment(demo_deployment()).is_company("email:assistenza@lumina-et.it")
    policy = load_policy()
    assert policy.with_deployment(Deployment.generic()) == policy


def test_the_deployment_sets_the_policys_bot_channels_and_languages(tmp_path):
    policy = load_policy().with_deployment(load_deployment(_write(tmp_path, GOOD)))
    assert policy.bot_channels == ["chat", "whatsapp", "sms", "web_form"]
    assert policy.supported_languages == ["it", "en"]


def test_a_policy_that_still_holds_text_identifiers_is_refused(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump({"bot_eligible_claims": ["refund"],
                                    "text_identifiers": {"own_domains": ["x.it"]}}), encoding="utf-8")
    with pytest.raises(PolicyError, match="text_identifiers: .*deployment"):
        load_policy(path)


def test_company_identifiers_given_by_the_channel_are_dropped():
    config = TextIdentifiers.from_deployment(Deployment.model_validate(GOOD))
    keys = contact_keys(CustomerIdentifiers(email="assistenza@ondaluce.example", phone="800913913"), [], config)
    assert keys.empty


# ---- the customer directory --------------------------------------------------------------------------------------
def _rows(tmp_path, rows, name="crm.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _record(cid: str, days: float = 0) -> ContactRecord:
    return ContactRecord(id=cid, channel="email", timestamp=datetime(2025, 3, 3, tzinfo=timezone.utc) + timedelta(days=days),
                         language="it", claim_type="billing_dispute", scores={}, redacted_text=f"text of {cid}")


def test_a_directory_joins_a_call_to_the_customer_who_emailed(tmp_path):
    store = JourneyStore.open(":memory:")
    report = import_file(store, _rows(tmp_path, [
        {"customer_id": "OL-2048117", "emails": "giulia@gmail.com", "phones": "+39 347 218 5530"},
        {"customer_id": "OL-1111111", "emails": ["marco@libero.it"], "phones": []}]))
    assert (report.created, report.rejected, report.conflicts) == (2, [], [])
    config = TextIdentifiers()
    a = store.record(_record("e1"), contact_keys(CustomerIdentifiers(email="Giulia@gmail.com"), [], config))
    b = store.record(_record("p1", days=1), contact_keys(CustomerIdentifiers(phone="3472185530"), [], config))
    assert a.customer_key == b.customer_key and a.status == "linked"
    again = import_file(store, _rows(tmp_path, [
        {"customer_id": "OL-2048117", "emails": "giulia@gmail.com", "phones": "+39 347 218 5530"},
        {"customer_id": "OL-1111111", "emails": ["marco@libero.it"], "phones": []}]))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)  # idempotent
    assert store.counts()["customers"] == 2


def test_directory_conflicts_and_bad_rows_are_reported_and_nothing_else_changes(tmp_path):
    store = JourneyStore.open(":memory:")
    import_file(store, _rows(tmp_path, [{"customer_id": "OL-2048117", "emails": "giulia@gmail.com"},
                                        {"customer_id": "OL-3333333", "phones": "3470000000"}]))
    before = store.counts()
    path = tmp_path / "crm.csv"
    path.write_text("customer_id,emails,phones\n"
                    "OL-9999999,giulia@gmail.com,\n"          # line 2: the email is another customer's
                    ",,\n"                                    # line 3: no identifier
                    "OL-3333333,,not a phone\n"               # line 4: a bad phone
                    "OL-2048117,,3470000000\n", encoding="utf-8")  # line 5: bridges two customers
    report = import_file(store, path)
    assert [p.split(":")[0] for p in report.rejected] == ["line 3", "line 4"]
    assert [p.split(":")[0] for p in report.conflicts] == ["line 2", "line 5"]
    assert store.counts() == before


def test_directory_rows_cannot_claim_company_identifiers():
    config = TextIdentifiers.from_deployment(Deployment.model_validate(GOOD))
    with pytest.raises(ValueError, match="line 7: emails: .*company"):
        entry_from_row(7, {"emails": "assistenza@ondaluce.example"}, config=config)


def test_import_customers_command(tmp_path):
    store_url = f"sqlite:///{tmp_path / 'journeys.db'}"
    path = tmp_path / "crm.csv"
    path.write_text("code,mail\nOL-2048117,giulia@gmail.com\n,\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["journeys", "import-customers", str(path), "--store", store_url,
                                      "--map", "customer_id=code", "--map", "emails=mail"])
    assert result.exit_code == 0, result.output
    assert '"created": 1' in result.output and "line 3: no identifier" in result.output
    bad = CliRunner().invoke(app, ["journeys", "import-customers", str(path), "--store", store_url,
                                   "--map", "emails=nope"])
    assert bad.exit_code == 2 and "no column nope" in bad.output
