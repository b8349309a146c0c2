"""mkdocs-sla: service level agreements as code, published as a MkDocs site."""
