"""Estimated cost of token usage from the price table prompts/pricing.yaml (USD per 1M tokens)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from roleplay import content
from roleplay.domain import TokenUsage

PER_TOKENS = 1_000_000


class ModelPrice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: float = Field(ge=0, description="USD per 1M prompt tokens")
    completion: float = Field(ge=0, description="USD per 1M completion tokens")


class PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    models: dict[str, ModelPrice]


@cache
def load_prices(path: Path | None = None) -> PriceTable:
    return content.load_model(path or content.prompts_dir() / "pricing.yaml", PriceTable)


def estimate_cost(usage: TokenUsage, prices: PriceTable | None = None) -> float | None:
    """USD for `usage`, or None when the model has no price in the table (no guess)."""
    price = (prices or load_prices()).models.get(usage.model)
    if price is None:
        return None
    return (usage.prompt_tokens * price.prompt + usage.completion_tokens * price.completion) / PER_TOKENS
