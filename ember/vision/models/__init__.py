"""ember.vision.models (being written)."""
