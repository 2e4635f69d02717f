"""The practice service's user-facing errors: each `str(exc)` is a clear one-line message and
`http_status` is the REST API's answer."""

from __future__ import annotations


class PracticeError(Exception):
    """Base of the user-facing errors; `str(exc)` is a clear one-line message."""

    http_status = 400


class InvalidMessage(PracticeError):
    http_status = 422


class UnknownPersona(PracticeError):
    http_status = 404


class SessionNotFound(PracticeError):
    """Also raised when the session exists but belongs to someone else (no leak of existence)."""

    http_status = 404


class NotAllowed(PracticeError):
    """The viewer may read the session but not do this to it (a trainer adding turns to a trainee's call)."""

    http_status = 403


class InvalidChoice(PracticeError):
    """An unknown language or mode."""

    http_status = 422


class SessionEnded(PracticeError):
    http_status = 409


class NothingToGrade(PracticeError):
    """The call has no agent turn yet."""

    http_status = 409


class BackendUnavailable(PracticeError):
    """The configured model endpoint failed (after the SDK's retries); the agent turn is kept."""

    http_status = 503


class TooManyMessages(PracticeError):
    """The user's per-minute message limit is reached; `retry_after` seconds until the next one."""

    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"You are sending messages too fast; wait {retry_after} s.")
        self.retry_after = retry_after


class TokenBudgetSpent(PracticeError):
    """The call has used its token budget; nothing more is sent to the model for it."""

    http_status = 429


class NothingToRetry(PracticeError):
    """The last turn of the call already has its debtor reply."""

    http_status = 409
