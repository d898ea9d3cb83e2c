"""The love bank (爱心银行): members and their passbooks, service hours banked as points, points gifts."""
