"""A methodology version as NCRB would notify it (a circular), appended to the stored CCTNS TOML by the
schemes' tests: one parameter, so its scores are easy to compute by hand."""

NCRB_CIRCULAR_2025_03 = """
[[version]]
id = "ncrb-2025-03"
title = "As notified by NCRB, March 2025"
effective_from = "2025-03"
lagging_score_below = 90
critical_achievement_below = 0.8
provenance = "notified"
notified_on = "2025-04-02"
reference = "NCRB/CCTNS/Pragati/2025/07"

  [[version.parameter]]
  id = "fir_in_cctns"
  name = "FIRs registered in CCTNS"
  head = "CCTNS database"
  level = "station"
  kind = "count"
  weight = 1
  target = 90
"""
