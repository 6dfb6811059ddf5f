"""claimtriage.training: from labelled contacts to a registered model and a tuned policy. Imports serving (policy
tuning and linking fits replay the request path), models and data; never evaluation.

    config.load_config / TrainConfig    one validated YAML per run (training/configs/*.yaml)
    train.train(config)                 data -> encoder (+ optional fine-tuning) -> heads -> metrics -> MLflow
    promote.promote(name)               candidate -> champion when at least as good on the same test data
    tune_policy.run_tune_policy         bot/human thresholds for a target misroute rate (policy_search does the maths)
    fit_linking.run_fit_linking         claim-linking weights, reopen window and threshold from labelled journeys
Helpers: dataset (sources -> leak-free splits per head), labels (derived labels, text views), head_metrics (a head
on its test role), tracking (MLflow runs and the registry), finetune (the encoder before the heads).
"""
