"""What a finished check becomes for people and CI: failure text, reproducers, JSON."""
