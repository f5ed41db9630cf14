"""Exports people open in a spreadsheet or a word processor (no streamlit here)."""
