"""claimtriage.serving: the request path. Imports models and data only; a served model never needs training code.

    engine.TriageEngine        a contact in, the triage answer out: normalise -> score -> journey -> route -> answer
    policy.route               the routing policy, a pure function of head outputs, journey and policy config
    replay.fresh_engine/replay the same path over labelled contacts with a throw-away store (tuning, suites, reports)
    service.TriageService      the BentoML service (app: HTTP routes and errors; batching, auth, observability)
    cli.serve_command          `claimtriage serve`; process.running_server starts it as a child on loopback
"""
