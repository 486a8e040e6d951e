"""Exceptions, one class per layer under a single base. Only the CLI turns them into exit codes."""

from __future__ import annotations


class BaselineError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class UsageError(BaselineError):
    """The user asked for something impossible: a missing target, a bad flag value."""


class ConfigError(UsageError):
    """The configuration (pyproject.toml ``[tool.baseline]`` or ``baseline.toml``) is invalid."""


class CatalogError(UsageError):
    """A technique catalog is missing, unreadable or invalid."""


class PluginError(BaselineError):
    """A plugin could not be loaded or validated (reported, never raised past discovery)."""


class SandboxError(BaselineError):
    """A sandboxed process could not be started at all (not: it failed, which is a result)."""


class ToolError(BaselineError):
    """An external tool adapter could not produce a result."""
