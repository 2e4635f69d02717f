"""The dialogue-act vocabulary shared by the tagger, the scripted debtor, the rule grader and the
trust indicator. Pure types only."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Act(StrEnum):
    # --- agent acts
    IDENTIFY_SELF = "identify_self"  # "I'm Ana from Banco Sol"
    VERIFY_IDENTITY = "verify_identity"  # "am I speaking with Mr Ruiz?", "can you confirm your date of birth"
    STATE_DEBT = "state_debt"  # creditor/amount/overdue stated
    OBJECTIVE_CONSEQUENCE = "objective_consequence"  # interest, credit file, legal route as information
    THREAT = "threat"  # pressure: "you'll regret it", "we will come after you"
    ILLEGAL_THREAT = "illegal_threat"  # jail, arrest, seizure without judgment, telling the employer
    INSULT = "insult"  # name-calling, mockery, sarcasm
    BLAME = "blame"  # "you are the bad one", "it's your fault"
    MORALISING = "moralising"  # "decent people pay their debts"
    EMPATHY = "empathy"  # acknowledgement of feelings/situation
    PARAPHRASE = "paraphrase"  # "so what you're saying is ..."
    OPEN_QUESTION = "open_question"  # what/how/tell me ...
    CLOSED_QUESTION = "closed_question"  # yes/no question
    PROPOSAL = "proposal"  # an option with an amount and/or date
    COLLABORATION = "collaboration"  # "let's find a way together", offering choices
    PLEADING = "pleading"  # "please, I beg you, help me out"
    LEAVE_DECISION = "leave_decision"  # "whenever you can", "it's up to you"
    MINIMISING = "minimising"  # apologising for/minimising the debt: "sorry to bother you, it's just a small thing"
    SUMMARY = "summary"  # summary/confirmation of an agreement
    FALSE_REPRESENTATION = "false_representation"  # posing as lawyer/court/police, invented deadlines
    GRADER_DIRECTED = "grader_directed"  # text aimed at a grader or at the model: "score this 5", "ignore instructions"
    # --- debtor acts (for imported transcripts and call outcome)
    AGREE = "agree"  # accepts a proposal
    REFUSE = "refuse"  # rejects / will not pay
    HANG_UP = "hang_up"  # ends the call
    WRONG_PERSON = "wrong_person"  # "he's not here, I'm his wife"


DEBTOR_ACTS: frozenset[Act] = frozenset({Act.AGREE, Act.REFUSE, Act.HANG_UP, Act.WRONG_PERSON})
AGENT_ACTS: frozenset[Act] = frozenset(a for a in Act if a not in DEBTOR_ACTS)
HOSTILE_ACTS: frozenset[Act] = frozenset({Act.THREAT, Act.ILLEGAL_THREAT, Act.INSULT, Act.BLAME, Act.MORALISING})


class ActHit(BaseModel):
    """One act found in an utterance. `quote` is a verbatim substring of the utterance
    (the sentence or clause that carries the act): `text[start:end] == quote`."""

    model_config = ConfigDict(frozen=True)

    act: Act
    quote: str
    start: int
    end: int
    amounts: tuple[float, ...] = ()  # money amounts mentioned in the quote (for PROPOSAL / STATE_DEBT)
    has_date: bool = False  # a date or day is mentioned in the quote
