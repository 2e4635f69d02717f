"""The offline backend: the scripted debtor and the rule grader (no network, deterministic)."""
