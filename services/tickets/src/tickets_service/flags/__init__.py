"""Customers flagged by reviews (E3, ``CustomerFlagged``): kept per customer and shown to staff on
that customer's complaints and cases, so that the next contact is handled with care."""
