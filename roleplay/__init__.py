"""Debt-collection roleplay coach: practise being hard on the problem and soft on people."""

__version__ = "0.1.0"
