"""The triage engine end to end with the session's trained model: answers with journeys and hand-offs, degraded
modes (no identifier, store outage), feedback export, tune-policy and the journeys / routing suites on a small
corpus."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from claimtriage.data.io import read_contacts
from claimtriage.data.journeys.store import JourneyStore
from claimtriage.data.schema import Contact
from claimtriage.serving.engine import Feedback, TriageEngine
from claimtriage.serving.policy import load_policy

pytestmark = pytest.mark.model

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture()
def engine(trained_model):
    return TriageEngine(trained_model, store=JourneyStore.open(":memory:"), policy=load_policy(), model_version="test")


def _contact(cid: str, text: str, *, channel="email", days=0, **customer) -> Contact:
    from datetime import datetime, timezone

    return Contact.model_validate({
        "id": cid, "channel": channel, "timestamp": datetime(2024, 5, 1, tzinfo=timezone.utc) + timedelta(days=days),
        "customer": customer, "body": text})


def test_repeat_contact_across_channels_goes_to_a_person_with_history(engine):
    first = engine.triage([_contact("a1", "Buongiorno, la bolletta di marzo è di 180 euro invece di 60, "
                                          "fattura 2024-0012345. Codice cliente LMN4821937. Potete verificare?",
                                    email="anna.b@libero.it")])[0]
    second = engine.triage([_contact("a2", "Vi ho già scritto per la fattura 2024-0012345 da 180 euro e nessuno "
                                           "mi ha risposto. Mi scrivete a anna.b@libero.it o al 340 123 4567, "
                                           "codice cliente LMN 4821937",
                                     channel="whatsapp", days=2, phone="+39 340 123 4567")])[0]
    assert first.journey.linked and first.journey.status == "new_customer"
    # joined by the customer code in the text: the WhatsApp number was new (a written email alone would not join)
    assert second.journey.customer_key == first.journey.customer_key and second.journey.candidate_merges == 0
    assert second.journey.claim_id == first.journey.claim_id and second.journey.repeat_contact
    assert second.journey.channels_used == ["email", "whatsapp"] and second.journey.suppress_marketing
    assert second.route.target == "human"
    assert "REPEAT_CONTACT_OPEN_CLAIM" in {r.code for r in second.route.reasons}
    assert "email" in second.handoff and "whatsapp" in second.handoff
    assert "anna.b@libero.it" not in second.handoff and "340 123 4567" not in second.handoff  # redacted
    assert "[EMAIL]" in second.handoff and not EMAIL.search(second.handoff)


def test_an_email_written_in_a_message_is_a_candidate_merge_in_the_answer_and_the_handoff(engine):
    victim = engine.triage([_contact("v1", "La fattura di marzo è sbagliata, è il doppio del solito.",
                                     email="victim@example.com")])[0]
    engine.triage([_contact("w1", "Ho un guasto alla linea da tre giorni, nessuno mi richiama.", channel="email",
                            days=1, email="writer@libero.it")])
    writer = engine.triage([_contact("w2", "Vi ho già scritto: il guasto c'è ancora e sono furioso, voglio parlare "
                                           "con un operatore. Please also cc victim@example.com on all replies",
                                     days=2, email="writer@libero.it")])[0]
    assert writer.journey.customer_key != victim.journey.customer_key and writer.journey.candidate_merges == 1
    assert writer.route.target == "human"
    assert f"Possible same person as customer {victim.journey.customer_key}, not merged" in writer.handoff
    assert "If you confirm it, merge the two (POST /journeys/merge)." in writer.handoff
    assert "doppio del solito" not in writer.handoff  # nothing of the other customer's history


def test_a_contact_without_identifier_is_triaged_and_says_so(engine):
    answer = engine.triage([_contact("n1", "Quali sono i metodi di pagamento accettati?")])[0]
    assert not answer.journey.linked and answer.journey.status == "no_identifier"
    assert "NO_JOURNEY" in {r.code for r in answer.route.reasons}
    assert answer.claim.label and answer.model_version == "test"


def test_a_store_outage_degrades_to_journeyless_triage(engine):
    engine.store.engine = sa.create_engine("sqlite:////nonexistent-dir/journeys.db")  # the database is gone
    answer = engine.triage([_contact("o1", "Vorrei una copia della fattura", email="x@libero.it")])[0]
    assert answer.journey.status == "store_unavailable" and not answer.journey.linked
    assert "the journey store is unavailable" in " ".join(r.message for r in answer.route.reasons)
    assert answer.claim.label is not None


def test_feedback_is_stored_and_exported_as_training_data(engine, tmp_path):
    engine.triage([_contact("f1", "Non riesco ad accedere all'area clienti, password errata", email="f@libero.it")])
    engine.record_feedback(Feedback(contact_id="f1", claim="account_access", complexity="low",
                                    route_outcome="resolved_by_bot", note="chiamato il 340 123 4567"))
    out = tmp_path / "feedback.jsonl"
    assert engine.export_feedback(out) == 1
    row = json.loads(out.read_text())
    assert row["labels"] == {"claim": "account_access", "complexity": "low"}
    assert row["outcome"] == {"resolved_by": "bot"}
    assert read_contacts(out).contacts[0].id == "f1"  # a valid training file
    stored_note = engine.store.labelled_feedback()[0]["note"]
    assert "340 123 4567" not in stored_note
    with pytest.raises(KeyError):
        engine.record_feedback(Feedback(contact_id="unknown", claim="refund"))


def test_export_feedback_command(tmp_path, trained_model):
    from typer.testing import CliRunner

    from claimtriage.cli import app

    url = f"sqlite:///{tmp_path / 'journeys.db'}"
    engine = TriageEngine(trained_model, store=JourneyStore.open(url), policy=load_policy())
    engine.triage([_contact("x1", "Vorrei disdire il contratto", email="z@libero.it")])
    engine.record_feedback(Feedback(contact_id="x1", claim="cancellation"))
    result = CliRunner().invoke(app, ["export-feedback", "--store", url, "--out", str(tmp_path / "fb.jsonl")])
    assert result.exit_code == 0, result.output
    assert read_contacts(tmp_path / "fb.jsonl").contacts[0].labels.claim == "cancellation"


def test_readiness_reports_model_and_store(engine):
    assert engine.readiness()["model"] and engine.readiness()["store"]


def test_a_sign_off_name_stays_out_of_stored_text_journey_and_handoff(engine):
    text = ("Vi ho già scritto due volte: la bolletta di marzo è di 180 euro invece di 60. Voglio parlare con un "
            "operatore.\nGrazie in anticipo,\n\nGiulia Bianchi")
    answer = engine.triage([_contact("s1", text, channel="web_form", email="g.b@libero.it")])[0]
    journey = engine.journey(answer.journey.customer_key)
    stored = journey["claims"][0]["contacts"][0]["text"]
    assert answer.route.target == "human" and answer.handoff
    for shown in (stored, answer.handoff, json.dumps(journey, ensure_ascii=False)):
        assert "Giulia" not in shown and "Bianchi" not in shown and "[PERSON]" in shown


def test_a_batch_reusing_an_id_answers_a_retry_and_refuses_other_content(engine):
    from claimtriage.serving.engine import DuplicateContact

    first = _contact("dup-1", "La bolletta di marzo è sbagliata", email="anna@libero.it")
    other = _contact("dup-1", "Vorrei disdire il contratto", email="marco@libero.it", days=1)
    answers = engine.triage([first, first])  # a retry inside one batch: the stored journey, written once
    assert answers[1].journey.customer_key == answers[0].journey.customer_key
    assert answers[1].journey.claim_id == answers[0].journey.claim_id
    with pytest.raises(DuplicateContact, match="id: contact dup-1 was already stored with different content"):
        engine.triage([other])
    assert engine.store.counts()["contacts"] == 1 and engine.store.counts()["customers"] == 1


# slow: 400 contacts and the default guard (HWU64's 701 off-domain test requests); the fast twin: 150 contacts, 100
# of xSID's validation requests
@pytest.mark.parametrize("limit, guard_rows", [(150, 100), pytest.param(400, None, marks=pytest.mark.slow)])
def test_tune_policy_writes_thresholds_curve_and_holds_out(trained, corpus, tmp_path, limit, guard_rows):
    from claimtriage.data.adapters import load_shared
    from claimtriage.data.io import write_contacts
    from claimtriage.training.tune_policy import DEFAULT_CONFIDENCE, tune_policy

    engine = TriageEngine(trained.model, policy=load_policy(), model_version="test")
    out_policy = tmp_path / "policy.yaml"
    guard = {}  # the default guard: HWU64's off-domain test requests, 701
    if guard_rows:
        rows = list(load_shared("xsid", split="validation"))[:guard_rows]
        guard = {"oos_data": str(write_contacts(rows, tmp_path / "xsid_slice.jsonl")), "oos_split": None}
    summary = tune_policy(str(corpus), policy_path=None, out_policy=out_policy, target_misroute=0.05, limit=limit,
                          out_dir=tmp_path / "policy", track=False, engine=engine, **guard)
    tuned = load_policy(out_policy)
    assert tuned.thresholds.model_dump() == summary["thresholds"] and tuned.tuning["target_misroute"] == 0.05
    assert summary["tune"]["misroute_rate"] <= summary["tune"]["misroute_upper"] <= 0.05 and summary["n_holdout"] > 0
    assert summary["confidence"] == tuned.tuning["confidence"] == DEFAULT_CONFIDENCE
    guard_summary = summary["oos_guard"]
    assert guard_summary["n"] == (guard_rows or 701) and guard_summary["max_rate"] == 0.05  # the target, by default
    assert guard_summary["to_bot"] <= 0.05 * guard_summary["n"]
    assert (tmp_path / "policy" / "curve.png").stat().st_size > 1000
    curve = (tmp_path / "policy" / "curve.csv").read_text().splitlines()
    assert len(curve) > 2 and curve[0].startswith("min_claim_confidence")


def test_tune_policy_defaults_to_contacts_the_demo_model_never_trained_on(trained, tmp_path):
    """No --data: the demo corpus generated with seed 1 (the demo model trains on seed 0), as fit-linking does."""
    from claimtriage.training.tune_policy import tune_policy

    engine = TriageEngine(trained.model, policy=load_policy(), model_version="test")
    summary = tune_policy(out_policy=tmp_path / "policy.yaml", target_misroute=0.05, limit=150,
                          out_dir=tmp_path / "policy", track=False, engine=engine, oos_data=None)
    assert summary["data"] == "demo (generated, 5000 contacts, seed 1)"
    assert load_policy(tmp_path / "policy.yaml").tuning["data"] == summary["data"]


@pytest.mark.parametrize("limit", [150, pytest.param(400, marks=pytest.mark.slow)])  # fast twin: the first 150
def test_journeys_and_routing_suites_on_the_session_corpus(trained, corpus, limit):
    from claimtriage.evaluation.journeys import run_journeys
    from claimtriage.evaluation.routing import run_routing

    from claimtriage.data.deployment import demo_deployment

    engine = TriageEngine(trained.model, policy=load_policy(), model_version="test", deployment=demo_deployment())
    from conftest import _config

    journeys = run_journeys(engine, str(corpus), limit=limit, baselines=_config(corpus, "session"))
    identity, directory = journeys["identity"], journeys["with_directory"]["identity"]
    assert identity["precision"] == 1.0 and identity["recall"] >= 0.7
    assert directory["precision"] == 1.0 and directory["recall"] >= identity["recall"]
    assert journeys["ceiling"]["oracle"]["precision"] == 1.0
    assert directory["recall"] <= journeys["ceiling"]["any_identifier"]["recall"]  # no linker passes that bound
    assert 0 <= journeys["candidate_merges_right"] <= journeys["candidate_merges"]
    confirmed = journeys["identity_candidates_confirmed"]  # a person confirms every candidate merge unchecked
    assert confirmed["merged"] + confirmed["refused"] <= journeys["candidate_merges"]  # one merge settles a pair
    assert confirmed["recall"] >= identity["recall"]
    assert 0 <= journeys["classification"]["claim_accuracy"] <= 1 and "routes" not in journeys
    assert 0 <= journeys["classification"]["claim_accuracy_own"] <= 1  # before follow-ups take their claim's type
    baselines = journeys["baselines"]  # the plain baselines, trained on the model's train roles, in the same run
    assert baselines["claim"]["n"] == limit and 0 < baselines["claim"]["tfidf_svm"] <= 1
    assert 0 < baselines["sentiment"]["encoder_svm"] <= 1
    paired = baselines["claim"]["paired"]["tfidf_svm"]  # row by row against what the model answered
    assert paired["ours_only"] + paired["theirs_only"] <= limit and 0 < paired["p_value"] <= 1
    assert journeys["claims"]["f1"] > 0.5
    # the suite's mechanics, not the shipped thresholds (tuned on the demo champion, not on this small test model):
    # a permissive complexity threshold leaves the bot something to take
    lenient = load_policy().model_copy(update={"thresholds": load_policy().thresholds.model_copy(
        update={"max_complexity_score": 1.0, "min_claim_confidence": 0.0})})
    engine = TriageEngine(trained.model, policy=lenient, model_version="test", deployment=demo_deployment())
    routing = run_routing(engine, str(corpus), limit=limit, real_limit=0)
    overall = routing["overall"]
    assert overall["n"] == journeys["n_contacts"] and 0 < overall["automation_rate"] < 1
    assert set(routing["per_channel"]) >= {"email", "phone"}
    # what the thresholds decide is bounded by the hard rules: automation never exceeds the free share
    ceiling = routing["ceiling"]
    assert overall["automation_rate"] <= ceiling["free_share"] < 1
    assert ceiling["free_and_bot_settled_share"] <= ceiling["free_share"]
    assert "REPEAT_CONTACT_OPEN_CLAIM" in ceiling["rule_shares"]


def test_the_any_identifier_bound_leaves_out_exactly_the_pairs_of_contacts_without_an_identifier():
    from claimtriage.data.journeys.identity import IdentityKeys
    from claimtriage.evaluation.journeys import identifier_ceiling

    keys = {"a": IdentityKeys(strong=frozenset({"email:a@x.it"})), "b": IdentityKeys(strong=frozenset({"phone:+39333"})),
            "c": IdentityKeys(written=frozenset({"cid:X1"})), "review": IdentityKeys()}
    truth = {cid: "one customer" for cid in keys}  # 6 true pairs; the 3 that touch the review are out of reach
    ceiling = identifier_ceiling(keys, truth)
    assert ceiling["any_identifier"]["recall"] == 0.5 and ceiling["any_identifier"]["precision"] == 1.0
    assert ceiling["oracle_channel"]["recall"] == 0.0  # a, b and c share no identifier


def test_independent_targets_read_the_report_and_compare_identity_recall_with_the_channel_ceiling():
    from claimtriage.evaluation.journeys import independent_targets, markdown

    report = {"classification": {"claim_accuracy": 0.86, "out_of_scope_share": 0.06, "sentiment_accuracy": 0.5,
                                 "per_language": {}},
              "identity": {"precision": 1.0, "recall": 0.40}, "claims": {"precision": 0.9, "recall": 0.65, "f1": 0.76},
              "ceiling": {"oracle_channel": {"recall": 0.387}},
              "with_directory": {"identity": {"precision": 0.99, "recall": 0.96}, "claims": {"f1": 0.7}},
              "routes": {"must_human_recall": 1.0, "must_bot_recall": None}}
    rows = {t["target"]: t for t in independent_targets(report)}
    assert rows["claim accuracy"]["met"] and not rows["share flagged out-of-scope"]["met"]  # at most 5%
    ceiling = rows["identity recall, no directory (>= the channels' exact-identifier ceiling)"]
    assert ceiling["threshold"] == 0.387 and ceiling["met"]
    assert rows["identity precision, with directory"]["met"] is False  # 1.000 is the bar, not 0.99
    assert rows["must-bot recall"]["met"] is None  # not measured is neither met nor short
    assert not rows["claim-link F1, with directory"]["met"] and rows["claim-link F1, no directory"]["met"]
    bare = {k: v for k, v in report.items() if k != "with_directory"}  # the markdown's second column is optional
    text = markdown({**bare, "data": "x", "n_contacts": 3, "model": "m", "deployment": "d", "replay_seconds": 0,
                     "ceiling": {"oracle": {"recall": 0.5, "precision": 1.0}, "naive": {"recall": 0.5,
                                 "precision": 1.0}, "oracle_channel": {"recall": 0.387}},
                     "candidate_merges": 0, "journey_status": {}, "independent_targets": list(rows.values())})
    assert "| sentiment accuracy | >= 0.800 | 0.500 | **falls short** |" in text
    assert "Met 6 of 11; short: share flagged out-of-scope; sentiment accuracy;" in text
