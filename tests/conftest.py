"""Shared test configuration: hypothesis profiles.

CI=true selects the "ci" profile (derandomized, so CI runs are reproducible);
anything else selects the quicker "dev" profile. Pick one by hand with
``pytest --hypothesis-profile=ci``.
"""

import os

from hypothesis import settings

settings.register_profile("ci", deadline=None, max_examples=40, derandomize=True)
settings.register_profile("dev", deadline=None, max_examples=25)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
