"""The app's pages, in menu order. Adding a page is one line in PAGES.

Each entry names a page script under assistant/ui/entry/ (two lines: import the page
module's `page` function and call it), its menu title, icon and URL path. Page scripts,
not callables, so `st.switch_page` and AppTest's `switch_page` can reach every page.
Another helper's page is added by writing assistant/ui/entry/themes.py and appending
`PageSpec("themes.py", "Learning themes", ":material/school:", "themes")`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import Page as StreamlitPage

ENTRY = Path(__file__).resolve().parent / "entry"


@dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str
    default: bool = False

    def to_page(self) -> StreamlitPage:
        return st.Page(ENTRY / self.script, title=self.title, icon=self.icon,
                       url_path=self.url_path, default=self.default)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("ask.py", "Ask", ":material/chat:", "ask", default=True),
    PageSpec("themes.py", "Learning themes", ":material/school:", "themes"),
    PageSpec("whats_new.py", "What's new", ":material/new_releases:", "whats-new"),
    PageSpec("admin.py", "Administration", ":material/admin_panel_settings:", "admin"),
)


def navigation() -> StreamlitPage:
    """The menu; the caller runs the page it returns."""
    return st.navigation([p.to_page() for p in PAGES])
