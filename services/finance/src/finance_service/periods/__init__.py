"""Monthly periods: the close, and the monthly tables (C4/C5, T4/T5) finance checks."""
