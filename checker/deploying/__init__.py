"""`tapcheck deploy`: packaging the handlers, API Gateway deployments, change sets."""
