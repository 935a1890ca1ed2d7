"""Every word a digest writes, by language: English here, Hindi in `catalog_hi` (the same keys; a missing key
falls back to English, so a partial translation still sends). Numbers, months and the lagging wording inside
a digest come from `dashboard.display` in the digest's language (`dashboard.i18n.use_language`).

Texts are `str.format` templates; the values put into them (names, numbers) are escaped by the renderer,
never here."""

from __future__ import annotations

from collections.abc import Callable

from dashboard.digests.catalog_hi import HI
from dashboard.i18n import DEFAULT_LANGUAGE as I18N_DEFAULT
from dashboard.i18n import LANGUAGES as I18N_LANGUAGES

EN: dict[str, str] = {
    # common
    "brand": "CCTNS Progress Dashboard",
    "footer_why": "You receive this because digests are switched on for {username} ({email}).",
    "footer_manage": "Choose which digests you get",
    "footer_data": "Data as of {data_as_of} · methodology {version}",
    "footer_auto": "An automatic message: replies are not read.",
    "more_rows": "and {n} more",
    "none": "None",
    "language_name": "English",
    # every ranking scheme, side by side (issue 13)
    "standing_title": "Every ranking scheme",
    "standing_lead_state": "{state}'s standing in each scheme States are ranked on, {month}. The sections below "
                           "are CCTNS Pragati's.",
    "standing_lead_district": "{district}'s standing among {state}'s districts in each scheme, {month}. The "
                              "sections below are CCTNS Pragati's.",
    "standing_lead_national": "Each scheme's leader, {month}. The tables below are CCTNS Pragati's.",
    "col_scheme": "Scheme",
    "col_rank_india": "All-India rank",
    "col_lagging": "Lagging stations",
    "col_leader": "Rank 1",
    "col_ranked": "States/UTs ranked",
    "no_result": "no result this month",
    "scheme_rank_brief": "{scheme}: rank {rank} ({score})",
    "scheme_leader_brief": "{scheme}: {leader} first ({score})",
    # monthly: State
    "state_subject": "{state}: {month} CCTNS score {score}, all-India rank {rank}",
    "state_title": "{state} · {month}",
    "state_subtitle": "Monthly digest for {username} · {category}",
    "state_preheader": "Score {score} ({change}); all-India rank {rank} ({rank_words}).",
    "kpi_score": "CCTNS Pragati score",
    "kpi_score_sub": "{change} since last month · gap to 100: {gap}",
    "kpi_rank_india": "All-India rank (CCTNS Pragati)",
    "kpi_rank_category": "Category rank (CCTNS Pragati)",
    "kpi_of": "{rank} of {n}",
    "lost_title": "Where the marks are lost (CCTNS Pragati)",
    "lost_lead": "The three parameters losing most marks this month.",
    "col_parameter": "Parameter",
    "col_value": "Value",
    "col_records": "Records",
    "col_marks_lost": "Marks lost",
    "overtake_title": "What it takes to overtake {above} (CCTNS Pragati)",
    "overtake_lead": "{marks} marks more would take us past {above} ({above_score}); the gap is {gap}.",
    "overtake_top": "{state} has the highest score this month: no State/UT ranks above.",
    "overtake_top_title": "Holding rank 1 (CCTNS Pragati)",
    "overtake_stakes": "Where the marks are (marks at stake at lagging police stations):",
    "col_at_stake": "At stake",
    "col_stations": "Stations",
    "fell_title": "Districts that fell most (CCTNS Pragati)",
    "fell_none": "No district's score fell this month.",
    "col_district": "District",
    "col_score": "Score",
    "col_change": "Change",
    "col_rank_state": "Rank in State",
    "commit_title": "Commitments from the last review",
    "commit_lead": "Due in {month}: {total} · met {met} · partly met {partly} · not met {not_met} · pending {pending} · escalated {escalated}.",
    "commit_none": "No actions were due in {month}.",
    "col_unit": "Unit",
    "col_action": "Direction",
    "col_owner": "Owner",
    "col_data_shows": "What the data shows",
    "pack_note": "The review pack for {month} is attached (PDF).",
    "link_state": "Open the State page",
    "link_lagging": "Lagging stations",
    "link_deck": "Conference mode",
    "link_actions": "Actions",
    "link_my_actions": "Your actions",
    # monthly: district
    "district_subject": "{district} district: {month} CCTNS rank {rank} in {state}",
    "district_title": "{district} district · {month}",
    "district_subtitle": "Monthly digest for {username} · {state}",
    "district_preheader": "Rank {rank} in {state} ({rank_words}); {lagging} lagging police station(s).",
    "kpi_rank_in_state": "Rank in {state} (CCTNS Pragati)",
    "kpi_lagging": "Lagging stations (CCTNS Pragati)",
    "kpi_lagging_sub": "{stake} marks at stake for the district",
    "kpi_lagging_none": "None lagging this month",
    "kpi_reported": "Stations reported (CCTNS rows)",
    "kpi_reported_all": "All active stations reported",
    "kpi_reported_missing": "{n} not reported",
    "lagging_title": "Lagging police stations (CCTNS Pragati)",
    "lagging_lead": "As on the district page: ordered by marks at stake for the State, with the reason and what "
                    "fixing it takes.",
    "stake_note": "district · {state} State",
    "stake_note_district": "for the district",
    "more_actions": "… and {n} more on the page",
    "lagging_none": "No police station of the district is lagging this month.",
    "col_station": "Police station",
    "col_reasons": "Why it lags",
    "col_todo": "What it takes",
    "open_title": "Your open actions",
    "open_lead": "{open} open, {overdue} overdue (carried over past their due month).",
    "open_none": "No open actions for the district.",
    "col_due": "Due",
    "col_status": "Status",
    "overdue_word": "overdue",
    "link_district": "Open the district page",
    # monthly: national
    "national_subject": "CCTNS {month}: all-India league table",
    "national_title": "All India · {month}",
    "national_subtitle": "Monthly digest for {username}",
    "national_preheader": "{leader} leads with {score}; {reported} of {active} police stations reported.",
    "kpi_states": "States/UTs ranked",
    "kpi_leader": "Rank 1 (CCTNS Pragati)",
    "kpi_completeness": "Stations reported (CCTNS rows)",
    "kpi_completeness_sub": "{pct} of active police stations",
    "top_title": "Top of the table (CCTNS Pragati)",
    "bottom_title": "Bottom of the table (CCTNS Pragati)",
    "col_rank": "Rank",
    "col_state": "State/UT",
    "col_rank_change": "Rank ±",
    "movers_title": "Largest movers (CCTNS Pragati)",
    "movers_none": "No State/UT changed rank this month.",
    "complete_title": "Data completeness (CCTNS rows)",
    "complete_lead": "States/UTs with police stations that sent no data ({n} stations in all).",
    "complete_all": "Every active police station reported this month.",
    "col_reported": "Reported",
    "col_not_reported": "Not reported",
    "col_state_rows": "State rows",
    "link_national": "Open the league table",
    # actions: outcomes and statuses
    "outcome_pending": "Pending",
    "outcome_met": "Met",
    "outcome_partly_met": "Partly met",
    "outcome_not_met": "Not met",
    "outcome_no_data": "Not met (no data)",
    "outcome_unit_closed": "Cannot be judged (station closed)",
    "outcome_parameter_dropped": "Cannot be judged (parameter dropped)",
    "outcome_not_applicable": "Cannot be judged (no cases)",
    "status_open": "Open",
    "status_escalated": "Escalated",
    "status_done": "Done",
    "status_dropped": "Dropped",
    "carried": "carried over {n}×",
    "link_data": "Data page",
    # reminder
    "remind_subject": "Reminder: {month} CCTNS data due by {cutoff} ({scope})",
    "remind_title": "{month} data due by {cutoff}",
    "remind_subtitle": "Reminder for {username} · {scope} · {days} day(s) left",
    "remind_preheader": "{n} police station(s) in your area sent no data in the latest month ({latest}).",
    "remind_lead": "NCRB's cut-off for {month} is {cutoff}. The latest data here is for {latest}: below, what it shows still pending in your area.",
    "remind_not_reported": "Police stations that sent no CCTNS data ({latest})",
    "remind_not_reported_none": "Every police station in your area sent data for {latest}.",
    "remind_pending": "Records pending at lagging police stations ({latest}, CCTNS Pragati)",
    "remind_pending_none": "No police station in your area is lagging in {latest}.",
    "remind_by_state": "Stations that sent no CCTNS data, by State/UT ({latest})",
    "kpi_not_reported": "Not reported (CCTNS rows)",
    "kpi_lagging_all": "Lagging stations (CCTNS Pragati)",
    "kpi_cutoff": "Cut-off",
    "kpi_days_left": "{days} day(s) left",
    "link_data_page": "Open the data page",
    "scope_all_india": "All India",
}

CATALOGS: dict[str, dict[str, str]] = {"en": EN, "hi": HI}
LANGUAGES: dict[str, str] = dict(I18N_LANGUAGES)  # code -> name shown on the profile page (dashboard.i18n)
DEFAULT_LANGUAGE = I18N_DEFAULT


def words(language: str | None) -> Callable[..., str]:
    """`t(key, **values)` in `language` (English for a language or key the catalogue lacks)."""
    catalog = CATALOGS.get(language or DEFAULT_LANGUAGE, EN)

    def t(key: str, **values: object) -> str:
        template = catalog.get(key) or EN[key]
        return template.format(**values) if values else template

    return t
