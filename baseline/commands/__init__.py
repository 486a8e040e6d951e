"""Sub-commands of subsystems. Each module exposes ``install(subparsers)``; the CLI finds them all."""
