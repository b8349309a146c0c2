"""source: what providers write and export, read with positions: YAML, CSV, git snapshots, collectors.

`load.load(root)` is the one validation path of the CLI and the plugin: every problem of a
tree at once, as `file:line:column` diagnostics (`core.diagnostics`).
"""
