"""Translation units and (next) their review workflow."""
