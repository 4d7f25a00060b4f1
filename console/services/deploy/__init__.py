"""Deploying builder apps to Vercel, history, domains and new-client provisioning.

What the runs create remotely is kept in a ledger (`ledger`), so rollbacks remove it.
"""
