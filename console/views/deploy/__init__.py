"""Deploy views: progress dialog, Deployments page (history, redeploy, rollback, logs)."""
