"""ember.vision.datasets (being written)."""
