"""make run's scaffolding: not part of the shipped packages."""
