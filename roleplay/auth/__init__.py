"""Accounts, roles and authorisation: who may read and change which session."""

from roleplay.auth.principal import LOCAL, ROLES, Principal, Role

__all__ = ["LOCAL", "ROLES", "Principal", "Role"]
