"""Services shared by the UI, the REST API and the CLI (peers that never import each other)."""
