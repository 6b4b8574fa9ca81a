"""The Streamlit app's pages and components (streamlit_app.py only registers them).

Pages call the library and render; nothing here is imported by the CLI or the index code,
so `import streamlit` stays out of every other path.
"""
