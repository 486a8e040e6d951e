"""Tool adapters: each runs one external tool and parses its output into typed records."""
