"""Page script run by st.navigation; the page itself lives in assistant.ui.admin."""

from assistant.ui.admin import page

page()
