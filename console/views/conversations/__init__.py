"""The Conversations section: inbox, thread, takeover, composer."""
