"""backend-pair: a keyboard-driven terminal pair programmer for backend work."""

__version__ = "0.1.0"
