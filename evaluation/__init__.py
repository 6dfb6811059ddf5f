"""claimtriage.evaluation: the top layer, free to import every other. Each suite writes JSON under evaluation/ and
its own section of evaluation/RESULTS.md (results.update_section).

    evaluate.evaluate_model    any model on any labelled source, per head and per slice
    quality / oos_draws        model quality on held-out public sets; the out-of-scope gate over several draws
    journeys / routing         identity and claim linking; automation and misroute, with real-data checks
    bench / bench_serve        speed and memory of the model and of the served endpoint
    segments                   claim segmentation and the HTML report for analysts
"""
