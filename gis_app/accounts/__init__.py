"""Accounts: users, passwords, API tokens, browser sessions and what each role may do."""
