"""A pytest plugin shipped to the target's interpreter: this folder is put on its PYTHONPATH."""
