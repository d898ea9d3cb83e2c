"""The shop's kernel, used by every other part: settings, the database, staff and roles, money, the ledger and the errors a person can cause."""
