"""The core of tapcheck: loading, scenarios, intrinsic resolution, running rules."""
