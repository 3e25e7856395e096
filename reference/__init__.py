"""The reference serverless stack that passes every tapcheck rule."""

from pathlib import Path

TEMPLATE = Path(__file__).with_name("TapStack.yml")
