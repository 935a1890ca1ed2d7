"""Data layer, configuration, command line and authentication of the CCTNS progress dashboard."""
