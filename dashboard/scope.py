"""What a signed-in user may see. Every query that returns district or station data takes a Scope."""

from __future__ import annotations

from dataclasses import dataclass


class OutOfScope(PermissionError):
    """Raised when a request asks for units outside the user's scope (logged by the caller)."""


@dataclass(frozen=True)
class Scope:
    role: str  # national | state | district
    state_code: str | None = None
    district_code: str | None = None
    username: str = ""

    @classmethod
    def national(cls, username: str = "") -> Scope:
        return cls("national", username=username)

    @property
    def cache_key(self) -> str:
        return f"{self.role}:{self.state_code or '*'}:{self.district_code or '*'}"

    # States/UTs' own scores and ranks (the league table, State heat-maps, rank history) are circulated
    # to every State, so every signed-in user sees them.
    def can_see_state_summary(self, state_code: str) -> bool:
        return True

    def can_see_state_detail(self, state_code: str) -> bool:
        """A State's district table and headline: national, that State's users, its district SPs."""
        return self.role == "national" or self.state_code == state_code

    def can_see_district(self, state_code: str, district_code: str) -> bool:
        """A district's stations, lagging list and heat-map."""
        if self.role == "national":
            return True
        if self.role == "state":
            return self.state_code == state_code
        return self.state_code == state_code and self.district_code == district_code

    def can_see_state_stations(self, state_code: str) -> bool:
        """Station lists across a whole State (State lagging list, State-wide station ranks)."""
        return self.role == "national" or (self.role == "state" and self.state_code == state_code)

    def require(self, allowed: bool, what: str) -> None:
        if not allowed:
            raise OutOfScope(f"{self.username or 'user'} ({self.cache_key}) may not see {what}")

    # --- the review loop (actions) -------------------------------------------------------------------
    def can_see_action(self, state_code: str, district_code: str | None) -> bool:
        """National users read every action; a State's users their State's; an SP their district's."""
        if self.role == "national":
            return True
        if self.role == "state":
            return self.state_code == state_code
        return self.state_code == state_code and district_code is not None and self.district_code == district_code

    def can_create_action(self, level: str, state_code: str, district_code: str | None) -> bool:
        """State users create actions in their State; an SP for the police stations of their district."""
        if self.role == "state":
            return self.state_code == state_code
        if self.role == "district":
            return level == "station" and self.can_see_action(state_code, district_code)
        return False

    def can_update_action(self, state_code: str, district_code: str | None) -> bool:
        """Status and comments: State users in their State, an SP on their district's actions."""
        return self.role in ("state", "district") and self.can_see_action(state_code, district_code)

    def can_edit_action(self, level: str, state_code: str, district_code: str | None) -> bool:
        """The direction itself (text, owner, due month): whoever may create such an action."""
        return self.can_create_action(level, state_code, district_code)
