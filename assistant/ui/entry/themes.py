"""Page script run by st.navigation; the page itself lives in assistant.ui.themes_page."""

from assistant.ui.themes_page import render

render()
