"""Pure scoring engine: the methodology as data and the scoring rules. No Dash, no SQLAlchemy."""
