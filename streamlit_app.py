"""Guidance Assistant, the Streamlit app: page registration only (pages live in assistant.ui)."""

import streamlit as st

from assistant.ui.pages import navigation

st.set_page_config(page_title="Guidance Assistant", page_icon=":material/shield:", layout="centered",
                   initial_sidebar_state="auto")
navigation().run()
