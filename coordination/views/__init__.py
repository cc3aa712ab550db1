"""The coordination pages: "my actions" and the shift handovers."""
