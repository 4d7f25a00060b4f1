"""Deploying builder apps to Vercel, history, domains and new-client provisioning."""
