"""The built-in checks, one module per technique. Each registers under ``baseline.checks``."""
