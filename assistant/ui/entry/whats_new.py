"""Page script run by st.navigation; the page itself lives in assistant.ui.whatsnew."""

from assistant.ui.whatsnew import page

page()
