"""`sla sites OUT_DIR`: every audience's site, each a complete MkDocs build of its own.

Each audience is a separate `mkdocs build --strict` with `SLA_AUDIENCE` set, into
`OUT_DIR/<folder>`: `public/`, `internal/` and one folder per customer key. A
separate build per audience, not one build filtered afterwards, so each site has
its own search index, sitemap, feed and 404 page, made from its own pages only.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import yaml

from mkdocs_sla.core.audiences import Audience, AudienceKind, customer_key
from mkdocs_sla.core.diagnostics import Severity
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.core.records import Catalog
from mkdocs_sla.site import tree
from mkdocs_sla.site.audiences import audiences_of, folders_clash
from mkdocs_sla.site.navigation import mkdocs_nav
from mkdocs_sla.site.paths import RenderOptions
from mkdocs_sla.source.parallel import for_each_agreement


def _key(record) -> str | None:
    return customer_key(record.versions[-1].terms)


def tree_audiences(path: str | Path) -> tuple[list, list[Audience]]:
    """(diagnostics, every audience of the tree at `path`: public, internal, one per customer)."""
    diagnostics, keys = for_each_agreement(path, _key)
    return diagnostics, audiences_of(keys)


def build_sites(config: Path, out_dir: Path, audiences: list[Audience], *, stream=None) -> int:
    """Build each audience's site into `out_dir/<folder>`; 0, or 1 at the first failed build
    (its output printed) or when two audiences would share a folder."""
    stream = stream or sys.stderr
    clashes = folders_clash(audiences)
    if clashes:
        for message in clashes:
            print(f"sla sites: {message}", file=stream)
        return 1
    for audience in audiences:
        target = out_dir / audience.folder
        env = {**os.environ, "SLA_AUDIENCE": audience.name, "NO_MKDOCS_2_WARNING": "1"}
        proc = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(target.resolve())],
            cwd=config.parent,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(f"sla sites: the {audience} site failed to build:\n{proc.stdout}{proc.stderr}", file=stream)
            return 1
        kind = "customer" if audience.kind is AudienceKind.CUSTOMER else audience.kind.value
        print(f"{audience.name}: {kind} site in {target}", file=stream)
    return 0


def write_docs(
    catalog: Catalog,
    out: Path,
    *,
    today: dt.date,
    options: RenderOptions,
    nav_file: str | None = None,
    config_file: str | None = None,
) -> int:
    """`sla render`: a complete docs folder in `out` for `options.audience` (site/tree.py: the
    pages, the stylesheet, the calculator's script, the format reference and the schemas, a
    home page when `out` has none), the navigation as a MkDocs `nav:` list in `nav_file`, and a
    whole mkdocs.yml (with its theme overrides) in `config_file`, which Zensical and MkDocs
    build without the plugin; returns the number of files written into `out`."""
    files, navigation = tree.docs_tree(catalog, [evaluate(r) for r in catalog.agreements], today=today, options=options)
    if not (out / "index.md").exists():
        files["index.md"] = tree.home_page(options)
    for path, text in files.items():
        _write(out / path, text)
    if nav_file:
        # Titles escaped: MkDocs and Material print navigation titles as HTML.
        Path(nav_file).write_text(yaml.safe_dump(mkdocs_nav(navigation), sort_keys=False, allow_unicode=True), encoding="utf-8")
    if config_file:
        config_path = Path(config_file)
        docs_dir = Path(os.path.relpath(out.resolve(), config_path.resolve().parent)).as_posix()
        config = tree.site_config(navigation, docs_dir=docs_dir, options=options)
        config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
        for name, text in tree.override_files().items():
            _write(config_path.parent / tree.OVERRIDES_DIR / name, text)
    return len(files)


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def cmd_sites(args) -> int:
    """`sla sites OUT_DIR [--config mkdocs.yml] [--path agreements] [--only public|internal|customers]`."""
    diagnostics, audiences = tree_audiences(args.path)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        for diagnostic in errors:
            print(str(diagnostic), file=sys.stderr)
        return 1
    if args.only:
        audiences = [a for a in audiences if ("customers" if a.kind is AudienceKind.CUSTOMER else a.kind.value) in args.only]
    return build_sites(Path(args.config).resolve(), Path(args.out_dir), audiences)


def add_sites_verb(verbs, default_root: str) -> None:
    """`sla sites`: its arguments, on the `sla` command's sub-parsers."""
    sites = verbs.add_parser("sites", help="build every audience's site (public, internal, one per customer) into its own folder")
    sites.add_argument("out_dir", help="folder of the sites: OUT_DIR/public, OUT_DIR/internal, OUT_DIR/<customer id>")
    sites.add_argument("--config", default="mkdocs.yml", help="the MkDocs configuration (default: mkdocs.yml)")
    sites.add_argument("--path", default=default_root, help="agreements folder, for the list of customers (default: agreements)")
    sites.add_argument("--only", choices=("public", "internal", "customers"), action="append", help="only these audiences (repeatable)")
    sites.set_defaults(run=cmd_sites)


def add_render_verb(verbs, default_root: str, run) -> None:
    """`sla render`: its arguments, on the `sla` command's sub-parsers (`run`: the command)."""
    render = verbs.add_parser("render", help="write the site's Markdown pages without MkDocs")
    render.add_argument("out_dir", help="folder to write the pages into (created; existing files are overwritten)")
    render.add_argument("--path", default=default_root, help="agreements folder (default: agreements)")
    render.add_argument("--today", type=dt.date.fromisoformat, help="build date (default: SOURCE_DATE_EPOCH, else today)")
    render.add_argument("--prefix", default="agreements", help="folder of the pages inside OUT_DIR (default: agreements)")
    render.add_argument("--group-by", default="family", choices=("family", "provider", "customer"))
    render.add_argument("--nav", help="also write the navigation as a MkDocs `nav:` list (YAML) to this file")
    render.add_argument(
        "--audience",
        default="internal",
        help="who the pages are for: public, internal (default) or customer:<id>; only what it may see is written",
    )
    render.add_argument(
        "--config", help="also write a whole mkdocs.yml for the tree to this file (Zensical and MkDocs build it without the plugin)"
    )
    render.add_argument(
        "--zensical",
        action="store_true",
        help="links relative to each page's Markdown file, as Zensical reads the pages' HTML (MkDocs needs them relative to the page's URL)",
    )
    render.add_argument("--site-name", default="Service level agreements", help="the site's name (in --config and the feed)")
    render.add_argument("--site-url", help="the site's address (in --config; the feed's links are absolute with it)")
    render.set_defaults(run=run)
