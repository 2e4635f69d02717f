"""The shared reading of a call, used by both backends, the integrity check and the evaluation runner:
the dialogue-act tagger and its lexicons, the call state (what the debtor knows, feels and has agreed)
and the phrase banks of in-character lines."""
