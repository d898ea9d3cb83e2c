"""The shop's kernel, used by every other part: settings, the database, staff and roles, money, the ledger, where printed paper goes (printouts.py) and the errors a person can cause."""
