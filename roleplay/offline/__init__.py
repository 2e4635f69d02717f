"""The offline engine: dialogue-act tagger, scripted debtor and rule grader (no network, deterministic)."""
