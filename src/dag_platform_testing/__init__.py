"""Test and benchmark support for the platform (a real stack in a copy of the checkout); not used at run time."""
