"""pytest plugin loaded into the target interpreter to account for the session (see baseline_session_guard)."""
