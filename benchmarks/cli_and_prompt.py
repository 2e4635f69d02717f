"""`roleplay --help` wall time, and the grader's prompt tokens for a 20-turn call."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

from benchmarks.figures import Figure, median, not_measured
from benchmarks.served_app import roleplay_command
from benchmarks.workload import REPO, long_transcript

HELP_RUNS = 7
MESSAGE_OVERHEAD_TOKENS = 3  # per chat message, as OpenAI counts them; plus 3 priming the reply


def help_figure() -> Figure:
    samples: list[float] = []
    for _ in range(HELP_RUNS):
        started = time.perf_counter()
        done = subprocess.run([*roleplay_command(), "--help"], cwd=REPO, capture_output=True, timeout=60)
        samples.append(time.perf_counter() - started)
        if done.returncode != 0:
            return not_measured("roleplay --help", "s", "<= 0.5 s", f"exit status {done.returncode}")
    value = median(samples)
    note = f"median of {HELP_RUNS} runs in a subprocess; fastest {min(samples):.2f} s"
    return Figure("roleplay --help", value, "s", "<= 0.5 s", value <= 0.5, note)


def _token_counter() -> tuple[Callable[[str], int], str]:
    """tiktoken's o200k_base when its file is available (it is downloaded once), else ~4 characters a token."""
    try:
        import tiktoken

        encoding = tiktoken.get_encoding("o200k_base")
        return (lambda text: len(encoding.encode(text))), "tiktoken o200k_base"
    except Exception:  # no tiktoken, or its encoding file cannot be fetched (no network)
        from fake_openai import estimate_tokens  # the fake server's own estimate (tests/ is on sys.path)

        return estimate_tokens, "estimated at 4 characters a token (tiktoken's o200k_base file is not cached)"


def grader_prompt_figure() -> Figure:
    name, goal = "grader prompt, 20-turn call, over transcript", "<= 2,000 tokens"
    try:
        from roleplay.content import load_rubric
        from roleplay.llm.grader_prompt import build_grader_messages
    except ImportError as exc:
        return not_measured(name, "tokens", goal, f"the LLM grader is not there ({exc})")
    count, how = _token_counter()
    transcript = long_transcript(20)
    messages = build_grader_messages(transcript, load_rubric(), transcript.language)
    prompt = sum(count(str(m["content"])) + MESSAGE_OVERHEAD_TOKENS for m in messages) + 3
    spoken = sum(count(turn.text) for turn in transcript.turns)
    extra = prompt - spoken
    note = f"{how}; prompt {prompt} tokens for a transcript of {spoken} ({transcript.language}, first sample)"
    return Figure(name, extra, "tokens", goal, extra <= 2000, note)
