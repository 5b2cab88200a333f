"""ember.vision.transforms (being written)."""
