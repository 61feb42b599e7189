"""The coordinators web app (Norwegian bokmål, server-rendered, htmx)."""
