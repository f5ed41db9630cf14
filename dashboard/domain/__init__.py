"""Pure domain rules (no I/O): USCC, working days, code dictionaries."""
