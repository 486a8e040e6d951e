"""The fuzzing subsystem (atheris runner, harness discovery and generation, crash triage)."""
