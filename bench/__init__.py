"""`make bench`: speed and scale, each figure against a baseline measured in the same run."""
