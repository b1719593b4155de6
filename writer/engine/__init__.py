"""The inference engine: a worker process that owns the model, and the client the app uses."""
