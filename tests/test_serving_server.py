"""The real server: `claimtriage serve` on a free loopback port, real contacts of several channels, then stopped."""

from __future__ import annotations

import pytest

from claimtriage.data.schema import Channel
from claimtriage.serving.process import running_server

pytestmark = pytest.mark.service

KEY = "server-test-key-42"
START_TIMEOUT_S = 150


@pytest.fixture(scope="module")
def server(trained_model, workspace, tmp_path_factory):
    import httpx

    folder = tmp_path_factory.mktemp("served")
    model_dir = trained_model.save(folder / "model")
    key_file = folder / "keys.txt"
    key_file.write_text(f"# serving test\n{KEY}\n")
    deployment = folder / "deployment.yaml"  # a brand whose customer code is written bare: ZZ123456
    deployment.write_text("brand: {name: Zeta Test, languages: [it, en]}\n"
                          "customer_code: {regex: '(?i)\\bZZ[\\s-]?\\d{6}\\b', example: ZZ123456}\n"
                          "company_email_domains: [zeta.example]\n", encoding="utf-8")
    args = ["--model", str(model_dir), "--store", f"sqlite:///{folder / 'journeys.db'}", "--api-key-file",
            str(key_file), "--max-batch-contacts", "16", "--deployment", str(deployment)]
    env = {"CLAIMTRIAGE_HOME": str(workspace), "CLAIMTRIAGE_API_KEYS": None}
    with running_server(args, workdir=folder, env=env, timeout_s=START_TIMEOUT_S) as running:
        with httpx.Client(base_url=running.url, headers={"X-API-Key": KEY}, timeout=30) as client:
            yield client, running.log_path


def test_real_server_triages_contacts_of_several_channels(server, corpus_contacts):
    client, log_path = server
    channels = [Channel.email, Channel.phone, Channel.chat, Channel.whatsapp, Channel.review, Channel.web_form]
    picked = [next(c for c in corpus_contacts if c.channel == channel) for channel in channels]
    for contact in picked:
        response = client.post("/triage", json=contact.model_dump(mode="json", exclude_none=True))
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["contact_id"] == contact.id and answer["route"]["target"] in ("bot", "human")
        assert answer["claim"]["out_of_scope"] or answer["claim"]["label"]

    # one customer writes by email, then follows up on WhatsApp: same customer, and the journey shows both
    email, whatsapp = picked[0], picked[3]
    who = {"email": "luca.verdi@example.net", "phone": "+39 333 555 7788"}
    first = client.post("/triage", json=email.model_dump(mode="json", exclude_none=True)
                        | {"id": "srv-1", "customer": who}).json()
    second = client.post("/triage", json=whatsapp.model_dump(mode="json", exclude_none=True)
                         | {"id": "srv-2", "customer": {"phone": who["phone"]},
                            "timestamp": "2025-03-01T09:00:00Z"}).json()  # within the sanity window
    key = first["journey"]["customer_key"]
    assert key and second["journey"]["customer_key"] == key
    journey = client.get(f"/journeys/{key}")
    assert journey.status_code == 200
    assert {"srv-1", "srv-2"} <= {c["id"] for claim in journey.json()["claims"] for c in claim["contacts"]}

    # the deployment file reached the worker: its bare customer code places a contact from a new address
    code_first = client.post("/triage", json=email.model_dump(mode="json", exclude_none=True) | {
        "id": "srv-3", "customer": {"email": "anna.neri@example.net"},
        "body": "La bolletta di marzo è sbagliata, riferimento ZZ123456."}).json()
    code_again = client.post("/triage", json=email.model_dump(mode="json", exclude_none=True) | {
        "id": "srv-4", "customer": {"email": "anna.lavoro@example.org"}, "timestamp": "2025-03-02T09:00:00Z",
        "body": "Scrivo dall'indirizzo di lavoro per la bolletta di marzo, riferimento zz 123456."}).json()
    assert code_first["journey"]["customer_key"] == code_again["journey"]["customer_key"] is not None

    batch = client.post("/triage_batch", json={"contacts": [c.model_dump(mode="json", exclude_none=True)
                                                            for c in corpus_contacts[200:210]]})
    assert batch.status_code == 200 and len(batch.json()["answers"]) == 10
    assert client.post("/triage", json={"id": "x", "channel": "fax"}).status_code == 422
    assert client.post("/triage", json=email.model_dump(mode="json"), headers={"X-API-Key": "wrong"}).status_code == 401

    metrics = client.get("/metrics").text
    assert 'claimtriage_requests_total{endpoint="/triage",status="200"}' in metrics
    assert "claimtriage_model_info" in metrics and "claimtriage_routes_total" in metrics
    logged = log_path.read_text()
    assert "luca.verdi@example.net" not in logged and "555 7788" not in logged


# a stand-in for BentoML's arbiter: it starts a worker in a session of its own, then dies at once on SIGTERM
_ARBITER = """
import subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
print(worker.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("how", ["stop", "kill", "stop after the arbiter died"])
def test_stopping_or_killing_the_server_also_ends_workers_outside_its_process_group(how):
    """BentoML starts workers in sessions of their own: `stop` and `kill` (the probe's kill -9) must end them too,
    also when the arbiter died first and the worker is no longer its child."""
    import os
    import signal
    import subprocess
    import sys

    import psutil

    from claimtriage.serving.process import _family, kill, stop

    arbiter = subprocess.Popen([sys.executable, "-c", _ARBITER], stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    worker = psutil.Process(int(arbiter.stdout.readline()))
    assert worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE
    if how == "stop":
        stop(arbiter, timeout_s=10)
    elif how == "kill":
        kill(arbiter)
        arbiter.wait(timeout=10)
        psutil.wait_procs([worker], timeout=10)
    else:
        started = _family(arbiter)
        os.killpg(arbiter.pid, signal.SIGKILL)  # the arbiter alone, as a group kill does
        arbiter.wait(timeout=10)
        stop(arbiter, timeout_s=10, also=started)
    assert arbiter.poll() is not None
    assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE
