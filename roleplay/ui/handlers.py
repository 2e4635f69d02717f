"""The page's event handlers as plain methods over the PracticeService (no gradio here).

Each returns (or, for `send`, yields) a view from roleplay.ui.views; roleplay.ui.page turns the views
into component updates. User mistakes come back as a one-line `notice`, never as an exception.
Every call that touches a session takes the `viewer` (roleplay.auth.Principal) the page resolved
from the request; the service checks it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from roleplay.auth import Principal
from roleplay.domain import Language
from roleplay.protocols import CallState
from roleplay.services.practice import (
    MAX_MESSAGE_CHARS,
    BackendUnavailable,
    InvalidMessage,
    PracticeError,
    PracticeService,
    ReplyDone,
    SessionEnded,
    SessionView,
    TokenBudgetSpent,
    TooManyMessages,
    TurnView,
    clean_message,
)
from roleplay.ui.chat import ChatMessage, chat_message, chat_messages, end_notice, trust_indicator_html
from roleplay.ui.history import session_headers, session_rows
from roleplay.ui.labels import UiLabels, labels
from roleplay.ui.persona_picker import persona_cards_html, persona_choices
from roleplay.ui.views import CallView, PickerView, RestoredCall, SessionTable


def awaiting_reply(turns: Sequence[TurnView]) -> bool:
    """True when the last complete turn is the agent's: its reply failed and may be retried."""
    complete = [turn for turn in turns if turn.status == "complete"]
    return bool(complete) and complete[-1].role == "agent"


class CallHandlers:
    """Persona picking, the call itself, and "my sessions", for the viewer of each event."""

    def __init__(self, service: PracticeService, texts: UiLabels | None = None) -> None:
        self.service = service
        self.texts = texts or labels()

    # ------------------------------------------------------------------ header and picker

    def backend_line(self, language: Language) -> str:
        """'Backend: offline (scripted debtor, rule grader)' or 'Backend: openai (model gpt-4o-mini)'."""
        if self.service.backend == "offline":
            described = self.texts.text("backend_offline", language)
        else:
            service = self.service
            described = self.texts.text("backend_model", language, backend=service.backend, model=service.model)
        return self.texts.text("backend_line", language, backend=described)

    def picker(self, language: Language, selected: str | None = None) -> PickerView:
        cards = self.service.personas(language)
        ids = [card.id for card in cards]
        chosen = selected if selected in ids else None
        return PickerView(
            choices=persona_choices(cards, self.texts, language),
            selected=chosen,
            cards_html=persona_cards_html(cards, chosen, self.texts, language),
        )

    # ------------------------------------------------------------------ the call

    def _call_view(self, view: SessionView, language: Language, notice: str = "", message: str = "") -> CallView:
        ended = view.status == "ended"
        return CallView(
            retry=not ended and awaiting_reply(view.turns),
            session_id=view.id,
            chat=chat_messages(view.turns),
            message=message,
            input_open=not ended,
            training=view.mode == "training",
            indicator=trust_indicator_html(view.state, self.texts, language),
            notice=notice or end_notice(view.state, self.texts, language),
            ended=ended,
        )

    def _refused(
        self, viewer: Principal, session_id: str | None, chat: list[ChatMessage], notice: str, message: str
    ) -> CallView:
        """The view when an event is refused: the call as it was, the message kept."""
        if session_id is None:
            return CallView(session_id=None, chat=chat, message=message, notice=notice)
        try:
            view = self.service.get_session(viewer, session_id)
        except PracticeError as exc:
            return CallView(session_id=None, chat=chat, message=message, notice=str(exc))
        return self._call_view(view, view.language, notice=notice, message=message)

    def start_call(self, viewer: Principal, persona_id: str | None, language: Language, mode: str) -> CallView:
        """Start a new call (the debtor's opening line is in the chat when there is one)."""
        if not persona_id:
            return CallView(session_id=None, chat=[], notice=self.texts.text("no_persona", language))
        try:
            view = self.service.start_session(viewer, persona_id, language, mode)
        except PracticeError as exc:
            return CallView(session_id=None, chat=[], notice=str(exc))
        return self._call_view(view, language)

    def message_problem(self, text: str, language: Language) -> str:
        """'' when the service would accept `text`, else why not, in `language`."""
        try:
            clean_message(text)
        except InvalidMessage:
            try:
                clean_message(text[:MAX_MESSAGE_CHARS])
            except InvalidMessage:
                return self.texts.text("empty_message", language)
            return self.texts.text("too_long", language, limit=MAX_MESSAGE_CHARS, length=len(text))
        return ""

    async def send(
        self, viewer: Principal, session_id: str | None, text: str, language: Language
    ) -> AsyncIterator[CallView]:
        """Show the agent's message at once, then the debtor's reply as it streams in."""
        if session_id is None:
            yield CallView(session_id=None, chat=[], message=text, notice=self.texts.text("no_call", language))
            return
        problem = self.message_problem(text, language)
        try:
            view = self.service.get_session(viewer, session_id)
        except PracticeError as exc:
            yield CallView(session_id=None, chat=[], message=text, notice=str(exc))
            return
        if problem or view.status == "ended":
            notice = problem or self.texts.text("call_over", language)
            yield self._call_view(view, language, notice=notice, message=text)
            return
        async for update in self._stream(viewer, view, text, language):
            yield update

    async def _stream(
        self, viewer: Principal, view: SessionView, text: str, language: Language
    ) -> AsyncIterator[CallView]:
        chat = [*chat_messages(view.turns), chat_message("agent", clean_message(text))]
        try:
            async for update in self._replies(viewer, view, chat, language, text=text):
                yield update
        except SessionEnded:
            yield self._refused(viewer, view.id, chat[:-1], self.texts.text("call_over", language), text)
        except (TooManyMessages, TokenBudgetSpent) as exc:  # refused before anything was stored: keep the text
            yield self._refused(viewer, view.id, chat[:-1], str(exc), text)

    async def _replies(
        self, viewer: Principal, view: SessionView, chat: list[ChatMessage], language: Language, text: str = ""
    ) -> AsyncIterator[CallView]:
        """The debtor's reply streaming in after `chat`: to `text` (sent now) or, without it, retried."""
        training = view.mode == "training"
        indicator = trust_indicator_html(view.state, self.texts, language)
        # The input stays closed while the debtor speaks, so a second message cannot overtake the reply.
        yield CallView(session_id=view.id, chat=chat, training=training, indicator=indicator)
        events = self.service.send(viewer, view.id, text) if text else self.service.retry_reply(viewer, view.id)
        reply = ""
        try:
            async for event in events:
                if isinstance(event, ReplyDone):
                    yield self._after_reply(
                        view.id, [*chat, chat_message("debtor", event.turn.text)], event.state, training, language
                    )
                    return
                reply = event.text if event.reset else reply + event.text  # reset: the reply is replaced
                yield CallView(
                    session_id=view.id,
                    chat=[*chat, chat_message("debtor", reply)],
                    training=training,
                    indicator=indicator,
                )
        except (SessionEnded, TooManyMessages, TokenBudgetSpent):
            raise  # the caller decides what stays in the message box
        except BackendUnavailable as exc:  # the agent turn is stored: offer "Retry reply"
            yield self._refused(viewer, view.id, chat, self.texts.text("reply_failed", language, error=exc), "")
        except PracticeError as exc:
            yield self._refused(viewer, view.id, chat, str(exc), "")

    async def retry(self, viewer: Principal, session_id: str | None, language: Language) -> AsyncIterator[CallView]:
        """Ask the debtor again for the reply to the stored last agent turn (nothing new is stored for the agent)."""
        if session_id is None:
            yield CallView(session_id=None, chat=[], notice=self.texts.text("no_call", language))
            return
        try:
            view = self.service.get_session(viewer, session_id)
        except PracticeError as exc:
            yield CallView(session_id=None, chat=[], notice=str(exc))
            return
        chat = chat_messages([turn for turn in view.turns if turn.status == "complete"])
        try:
            async for update in self._replies(viewer, view, chat, language):
                yield update
        except SessionEnded:
            yield self._refused(viewer, view.id, chat, self.texts.text("call_over", language), "")
        except (TooManyMessages, TokenBudgetSpent) as exc:
            yield self._refused(viewer, view.id, chat, str(exc), "")

    def _after_reply(
        self, session_id: str, chat: list[ChatMessage], state: CallState, training: bool, language: Language
    ) -> CallView:
        return CallView(
            session_id=session_id,
            chat=chat,
            input_open=not state.ended,
            training=training,
            indicator=trust_indicator_html(state, self.texts, language),
            notice=end_notice(state, self.texts, language),
            ended=state.ended,
        )

    def redraw(self, viewer: Principal, session_id: str | None, language: Language) -> CallView:
        """The call as it stands, its indicator and notice in `language` (no call: an empty view)."""
        if session_id is None:
            return CallView(session_id=None, chat=[])
        try:
            view = self.service.get_session(viewer, session_id)
        except PracticeError as exc:
            return CallView(session_id=None, chat=[], notice=str(exc))
        return self._call_view(view, language)

    def hang_up(self, viewer: Principal, session_id: str | None, language: Language) -> CallView:
        """End the call from the agent's side (the scorecard follows)."""
        if session_id is None:
            return CallView(session_id=None, chat=[], notice=self.texts.text("no_call", language))
        try:
            view = self.service.hang_up(viewer, session_id)
        except PracticeError as exc:
            return self._refused(viewer, session_id, [], str(exc), "")
        notice = self.texts.text("call_ended", language, reason=self.texts.end_reason_text("agent_hung_up", language))
        if view.state is not None and view.state.end_reason not in (None, "agent_hung_up"):
            notice = ""
        return self._call_view(view, language, notice=notice)

    # ------------------------------------------------------------------ reload and history

    def restore(self, viewer: Principal) -> RestoredCall | None:
        """The viewer's unfinished call, if any (after a page reload)."""
        view = self.service.active_session(viewer)
        if view is None:
            return None
        call = self._call_view(view, view.language, notice=self.texts.text("restored", view.language))
        return RestoredCall(call=call, language=view.language, persona_id=view.persona_id, mode=view.mode)

    def no_sessions(self, language: Language) -> SessionTable:
        """The sessions table before the page knows who is looking (headers only)."""
        return SessionTable(headers=session_headers(self.texts, language), rows=[])

    def my_sessions(self, viewer: Principal, language: Language) -> SessionTable:
        from roleplay.content import load_rubric

        names = {card.id: card.name for card in self.service.personas(language)}
        rows = session_rows(self.service.list_sessions(viewer), names, load_rubric(), self.texts, language)
        return SessionTable(headers=session_headers(self.texts, language), rows=rows)
