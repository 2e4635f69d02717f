"""Who is asking: the principal every service call, route and UI handler acts for.

Rules (the one place they are decided):
- reading a session: a trainer reads every session; a trainee reads only their own.
- changing a session (add turns, end the call, grade it, delete it): only its owner.
- reviewing (human labels) and re-grading with the current grader: trainers, on any
  session; see `can_review`.

Local single-user mode (no user in the database) acts as `LOCAL`: one person who is
both trainee and trainer, so `LOCAL` reads everything and changes every session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["trainee", "trainer"]
ROLES: tuple[Role, ...] = ("trainee", "trainer")


@dataclass(frozen=True)
class Principal:
    """An authenticated user (or the local single user) and their role."""

    name: str
    role: Role
    local: bool = False

    @property
    def is_trainer(self) -> bool:
        return self.role == "trainer"

    def can_read(self, owner: str) -> bool:
        """A trainer (or the local user) reads all sessions; a trainee only their own."""
        return self.local or self.is_trainer or owner == self.name

    def can_change(self, owner: str) -> bool:
        """Only the owner changes their own session (the local user owns everything).

        A trainer does not add turns to, end or delete another trainee's session;
        trainers re-grade and review through `can_review` instead.
        """
        return self.local or owner == self.name

    def can_review(self, owner: str) -> bool:
        """Re-grade and save a human label: trainers (and the local user), any session."""
        return self.local or self.is_trainer


LOCAL = Principal("local", "trainer", local=True)
