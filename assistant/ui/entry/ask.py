"""Page script run by st.navigation; the page itself lives in assistant.ui.chat."""

from assistant.ui.chat import page

page()
