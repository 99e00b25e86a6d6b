"""What the operations team needs of every app instance: health endpoints for the load
balancer, one JSON log line per request, Prometheus metrics, and the check that every instance
serves the same instruments."""
