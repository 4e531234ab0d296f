"""The walk-throughs of the customer portal; fixtures come from tests/support/browser.py."""
