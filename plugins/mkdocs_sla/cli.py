"""The `sla` command: a thin shell over load, evaluate and render.

Exit status: 0 success; 1 invalid agreements or bad arguments (argparse uses 2
for usage errors). Verbs that compare refs document their own statuses:

`sla diff BASE [HEAD]` (and `DIFF_EXIT_STATUS`, printed by `sla diff --help`):
  0  no changes, or only favourable and neutral ones
  3  adverse changes for the customer
  4  history rewritten: a version already published or in force was edited or
     removed, or the results or credit of a past period changed (wins over 3)
  5  an adverse change takes effect sooner than the agreement's `notice_days`
     after the change (the HEAD commit's date) (wins over 3 and 4)
  1  invalid input: a ref that does not exist, no agreements folder, or a
     changed agreement invalid at HEAD (the report is still printed; wins over all)

`sla validate --against BASE` reports a notice violation as an error (exit 1).

`sla credits --period P` shows only the agreements measured per P's kind (month or
quarter): if none is, that is an error (exit 1, a message on stderr); if some are
but none has results for P, the (empty) report is printed with a note on stderr
and exit 0, as for any period without results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import re
import sys
from pathlib import Path

from mkdocs_sla.core.audiences import Audience, customer_key
from mkdocs_sla.core.diagnostics import Diagnostic, Severity, excerpt
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.core.model import RESERVED_IDS, SLUG
from mkdocs_sla.core.periods import Period
from mkdocs_sla.present.credits_report import credits_document, write_csv, write_table
from mkdocs_sla.source.diskcache import for_each_cached
from mkdocs_sla.source.yamlsource import display_path, for_terminal, names_for_site

DEFAULT_ROOT = "agreements"
#: Verbs parsed alone when asked for: the others import the site's modules (half a second).
QUICK_VERBS = ("validate", "credits")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(every_verb=not argv or argv[0] not in QUICK_VERBS)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # `sla credits | head`
        return 0
    except KeyboardInterrupt:
        return 130


def build_parser(every_verb: bool = True) -> argparse.ArgumentParser:
    """The `sla` parser; without `every_verb`, only the QUICK_VERBS (registered first: parsed alike)."""
    parser = argparse.ArgumentParser(prog="sla", description="Service level agreements as code.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    validate = verbs.add_parser("validate", help="check every agreement; errors as file:line:col")
    validate.add_argument("path", nargs="?", default=DEFAULT_ROOT, help="agreements folder (default: agreements)")
    validate.add_argument(
        "--format", choices=("text", "github"), default="text", help="`github` prints workflow annotations (::error file=…)"
    )
    validate.add_argument(
        "--against",
        metavar="BASE",
        help="also report adverse changes since BASE (a git ref or a folder) that take effect sooner than the agreement's notice_days",
    )
    validate.add_argument(
        "--today",
        type=_date,
        help="today's date: results of a period not ended by then are errors; the date of the change for --against "
        "(default: SOURCE_DATE_EPOCH, else today)",
    )
    validate.set_defaults(run=cmd_validate)

    credits = verbs.add_parser("credits", help="attainment, tiers and credits per agreement and period")
    credits.add_argument("path", nargs="?", default=DEFAULT_ROOT, help="agreements folder (default: agreements)")
    credits.add_argument(
        "--period",
        help="only this period, e.g. 2026-10 or 2026-Q4; agreements measured per the other kind of "
        "period are left out (exit 1 if that is every one; a note on stderr if none has results then)",
    )
    credits.add_argument("--agreement", help="only this agreement id")
    credits.add_argument("--customer", help="only the agreements of this customer (its audience key, e.g. example-trading-plc)")
    credits.add_argument("--format", choices=("table", "json", "csv"), default="table")
    credits.add_argument(
        "--today", type=_date, help="results of a period not ended by this date are errors (default: SOURCE_DATE_EPOCH, else today)"
    )
    credits.set_defaults(run=cmd_credits)
    for quick in (validate, credits):
        quick.add_argument(
            "--no-cache", action="store_true", help="load every agreement, neither reading nor writing the cache (SLA_CACHE_DIR)"
        )
    if not every_verb:
        return parser
    from mkdocs_sla.builds import add_render_verb, add_sites_verb
    from mkdocs_sla.collectverb import add_collect_verb

    add_render_verb(verbs, DEFAULT_ROOT, cmd_render)

    add_sites_verb(verbs, DEFAULT_ROOT)

    new = verbs.add_parser("new", help="write a new agreement from a commented template")
    new.add_argument("id", help="the agreement id: lower-case letters, digits and hyphens")
    new.add_argument("--path", default=DEFAULT_ROOT, help="agreements folder (default: agreements)")
    new.add_argument("--effective", help="first day the terms apply (default: the first day of next month)")
    new.set_defaults(run=cmd_new)

    diff = verbs.add_parser(
        "diff",
        help="what changed for customers between two git refs or two folders",
        description="The semantic changes to agreements between BASE and HEAD: versions, objectives, "
        "credits at attainment levels, claims, remedies, exclusions, duties; each favourable, "
        "adverse or neutral for the customer. BASE and HEAD are git refs (read without touching "
        "the checkout) or folders; HEAD defaults to the working tree.",
        epilog=DIFF_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.add_argument("base", metavar="BASE", help="git ref (origin/main, a tag, a commit) or folder")
    diff.add_argument("head", metavar="HEAD", nargs="?", help="git ref or folder (default: the working tree)")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    diff.add_argument("--path", default=DEFAULT_ROOT, help="agreements folder in the repository (default: agreements)")
    diff.add_argument(
        "--today",
        type=_date,
        help="the date of the change when HEAD is the working tree or a folder (default: today); a commit's own date is used otherwise",
    )
    diff.set_defaults(run=cmd_diff)

    lock = verbs.add_parser("lock", help="write versions.lock: the hashes of versions published or in force")
    lock.add_argument("path", nargs="?", default=DEFAULT_ROOT, help="agreements folder (default: agreements)")
    lock.add_argument("--today", type=_date, help="lock versions published or in force by this date (default: today)")
    lock.set_defaults(run=cmd_lock)

    schema = verbs.add_parser("schema", help="JSON Schema (draft 2020-12) of the agreement and results files")
    schema.add_argument("--results", action="store_true", help="the results file's schema instead of the agreement's")
    schema.add_argument("--out", metavar="DIR", help="write agreement.schema.json and results.schema.json into DIR")
    schema.set_defaults(run=cmd_schema)
    add_collect_verb(verbs, DEFAULT_ROOT, _date, print_diagnostics)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date; expected YYYY-MM-DD") from None


# ---------------------------------------------------------------- validate


def _today(args) -> dt.date | None:
    """The date a verb checks results against (`--today`, else the clock); None after saying why not."""
    from mkdocs_sla.clock import build_date

    try:
        return build_date(getattr(args, "today", None))
    except ValueError as exc:
        print(f"sla {args.verb}: {exc}", file=sys.stderr)
        return None


def print_diagnostics(diagnostics, fmt: str = "text", stream=None) -> None:
    stream = stream or sys.stdout
    for diagnostic in diagnostics:
        print(diagnostic.github() if fmt == "github" else str(diagnostic), file=stream)


def summary(valid: int, diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    return f"{valid} valid agreement(s), {errors} error(s), {len(diagnostics) - errors} warning(s)"


def _warn(text: str) -> None:
    print(text, file=sys.stderr)


def _agreement_id(record) -> str:
    return record.id


def cmd_validate(args) -> int:
    if args.against:
        return _validate_against(args)
    today = _today(args)
    if today is None:
        return 1
    diagnostics, valid = for_each_cached(args.path, _agreement_id, ("validate",), today=today, use_cache=not args.no_cache, warn=_warn)
    print_diagnostics(diagnostics, args.format)
    print(summary(len(valid), diagnostics), file=sys.stderr)
    return 1 if any(d.severity is Severity.ERROR for d in diagnostics) else 0


# ---------------------------------------------------------------- credits


def cmd_credits(args) -> int:
    if args.period:
        try:
            wanted_period = Period.parse(args.period)
        except ValueError as exc:
            print(f"sla credits: {exc}", file=sys.stderr)
            return 1
    # JSON is encoded in the workers: for thousands of agreements, encoding in one
    # process would take longer than the evaluation itself.
    encode = args.format == "json"
    task = functools.partial(
        _credits_of, period=wanted_period if args.period else None, only=args.agreement, encode=encode, customer=args.customer
    )
    today = _today(args)
    if today is None:
        return 1
    verb = ("credits", args.period, args.agreement, args.customer, encode)
    diagnostics, entries = for_each_cached(args.path, task, verb, today=today, use_cache=not args.no_cache, warn=_warn)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        print_diagnostics(diagnostics, stream=sys.stderr)
        print(summary(len(entries), diagnostics), file=sys.stderr)
        return 1
    found = [e for e in entries if e is not None]
    if args.agreement and not found:
        print(f"sla credits: no agreement `{args.agreement}` in {args.path}", file=sys.stderr)
        return 1
    if args.customer and not found:
        print(f"sla credits: no agreement of customer `{args.customer}` in {args.path}", file=sys.stderr)
        return 1
    entries = [entry for _kind, _has, entry in found]
    if args.period:
        # Agreements measured per the other kind of period are left out; if that is every one,
        # the period cannot be meant for them: an error, not an empty report.
        same_kind = [(has, entry) for kind, has, entry in found if kind == wanted_period.kind]
        if not same_kind:
            other = "month" if wanted_period.kind == "quarter" else "quarter"
            example = Period.containing(wanted_period.start, other).label
            whose = f"agreement `{args.agreement}` is" if args.agreement else "every agreement is"
            print(
                f"sla credits: period {wanted_period} is a {wanted_period.kind}, but {whose} measured per {other}; "
                f"expected a {other} such as {example}",
                file=sys.stderr,
            )
            return 1
        # The table shows only the agreements with results in P: an empty table per agreement
        # is noise, and the JSON and CSV keep every agreement of the period's kind.
        entries = [entry for has, entry in same_kind if has or args.format != "table"]
        if not any(has for has, _entry in same_kind):
            print(f"sla credits: no results for period {wanted_period} in any agreement measured per {wanted_period.kind}", file=sys.stderr)
    if encode:
        sys.stdout.write('{"format":1,"agreements":[')
        for index, entry in enumerate(entries):  # one at a time: joined, 10,000 agreements' JSON is copied whole
            sys.stdout.write("," + entry if index else entry)
        sys.stdout.write("]}\n")
        return 0
    document = {"format": 1, "agreements": entries}
    if args.format == "csv":
        write_csv(document, sys.stdout)
    else:
        write_table(document, sys.stdout)
    return 0


def _credits_of(
    record, period: Period | None, only: str | None, encode: bool = False, customer: str | None = None
) -> tuple[str, bool, dict | str] | None:
    """Runs in a worker: evaluate one agreement and return (its kind of period, whether it has
    results in `period`, its plain-data credits or their JSON)."""
    if only is not None and record.id != only:
        return None
    if customer is not None and customer_key(record.versions[-1].terms) != customer:
        return None
    entry = credits_document([evaluate(record)], period)["agreements"][0]
    kind = record.versions[-1].terms.period
    return kind, bool(entry["periods"]), json.dumps(entry, ensure_ascii=False, separators=(",", ":")) if encode else entry


# ---------------------------------------------------------------- render


def cmd_render(args) -> int:
    from mkdocs_sla.builds import write_docs
    from mkdocs_sla.clock import build_date
    from mkdocs_sla.site.paths import RenderOptions
    from mkdocs_sla.source.load import load

    try:
        today = build_date(args.today)
        audience = Audience.parse(args.audience)
    except ValueError as exc:
        print(f"sla render: {exc}", file=sys.stderr)
        return 1
    # The tree is published: files are named from the working directory, or from the agreements
    # folder's parent when it lies outside, never by the machine's absolute paths.
    with names_for_site(Path.cwd(), Path(args.path)):
        catalog = load(args.path, today)
    if catalog.errors:
        # Named for the terminal: from the working directory, as the other verbs name them.
        shown = [for_terminal(d, Path.cwd(), Path(args.path)) for d in catalog.diagnostics]
        print_diagnostics(shown, stream=sys.stderr)
        print(summary(len(catalog.agreements), shown), file=sys.stderr)
        return 1
    options = RenderOptions(
        prefix=args.prefix,
        group_by=args.group_by,
        audience=audience,
        site_name=args.site_name,
        site_url=args.site_url,
        links_from_source=args.zensical,
    )
    # site/tree.py: the whole docs folder, and with --config a mkdocs.yml Zensical builds as it is.
    count = write_docs(catalog, Path(args.out_dir), today=today, options=options, nav_file=args.nav, config_file=args.config)
    print(f"wrote {count} files to {args.out_dir}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- new


def cmd_new(args) -> int:
    if not re.fullmatch(SLUG, args.id) or len(args.id) > 80:
        print(
            f"sla new: `{excerpt(args.id)}` is not a valid id; expected at most 80 lower-case letters, digits and hyphens, "
            "starting with a letter or digit",
            file=sys.stderr,
        )
        return 1
    if args.id in RESERVED_IDS:
        print(
            f"sla new: id `{args.id}` is reserved for a page of the site ({', '.join(sorted(RESERVED_IDS))}); expected another id",
            file=sys.stderr,
        )
        return 1
    folder = Path(args.path) / args.id
    if folder.exists():
        print(f"sla new: {folder} already exists; choose another id or edit it", file=sys.stderr)
        return 1
    if args.effective:
        try:
            effective = dt.date.fromisoformat(args.effective)
        except ValueError:
            print(f"sla new: `{args.effective}` is not a date; expected YYYY-MM-DD", file=sys.stderr)
            return 1
    else:
        today = dt.date.today()
        effective = Period.containing(today, "month").end
    from mkdocs_sla.source.schema import schema_base

    template = (Path(__file__).parent / "scaffold" / "agreement.yaml").read_text(encoding="utf-8")
    folder.mkdir(parents=True)
    (folder / "results").mkdir()
    schema = schema_base(site_url()) + "agreement.schema.json"
    (folder / "agreement.yaml").write_text(
        template.replace("{schema}", schema).replace("{id}", args.id).replace("{effective}", effective.isoformat()), encoding="utf-8"
    )
    print(f"wrote {folder / 'agreement.yaml'}; add one results/<period>.yaml per period, then run `sla validate`")
    return 0


# ---------------------------------------------------------------- diff, notice, lock, schema

DIFF_EXIT_STATUS = """\
exit status:
  0  no changes, or only favourable and neutral ones
  3  adverse changes for the customer
  4  history rewritten: a version already published or in force was edited or
     removed, or the results or credit of a past period changed (wins over 3)
  5  an adverse change takes effect sooner than the agreement's notice_days
     after the change: the HEAD commit's date, or --today (wins over 3 and 4)
  1  invalid input: a ref that does not exist, no agreements folder, or a
     changed agreement invalid at HEAD (the report is still printed; wins over all)
"""

EXIT_ADVERSE = 3
EXIT_HISTORY = 4
EXIT_NOTICE = 5


def diff_status(result) -> int:
    """The exit status of `sla diff` for a CatalogDiff (see DIFF_EXIT_STATUS)."""
    if result.invalid_head:
        return 1
    if result.notice_violations:
        return EXIT_NOTICE
    if result.rewrites_history:
        return EXIT_HISTORY
    if result.adverse_count:
        return EXIT_ADVERSE
    return 0


def snapshot(spec: str | None, path: str, today: dt.date, only: set[str] | None = None):
    """A git ref, a folder, or (None) the working tree's agreements folder, as a Snapshot."""
    from mkdocs_sla.source.gitsource import GitSourceError, snapshot_at_ref, snapshot_of_folder

    if spec is None:
        if not Path(path).is_dir():
            raise GitSourceError(f"no agreements folder at {path}; expected one sub-folder per agreement (use --path)")
        return snapshot_of_folder(path, today=today, name="working tree", only=only)
    folder = _folder(spec, path)
    if folder is not None:
        return snapshot_of_folder(folder, today=today, name=spec, only=only)
    return snapshot_at_ref(spec, path, only=only)


def _folder(spec: str, path: str) -> Path | None:
    """A BASE or HEAD that is a folder (the agreements folder, or a folder holding one), not a ref."""
    folder = Path(spec)
    if not folder.is_dir():
        return None
    inner = folder / Path(path).name
    return inner if inner.is_dir() else folder


def _same_trees(base: str, head: str | None, path: str) -> str | None:
    """Why BASE and HEAD cannot be compared (an empty name, one folder twice), or None: a
    comparison of a tree with itself says "no changes" and would pass any review."""
    for name, spec in (("BASE", base), ("HEAD", head)):
        if spec is not None and not spec.strip():
            return f"{name} is empty; expected a git ref such as origin/main, or a folder"
    base_folder = _folder(base, path)
    head_folder = Path(path) if head is None else _folder(head, path)
    if base_folder is not None and head_folder is not None and base_folder.resolve() == head_folder.resolve():
        side = "the working tree" if head is None else f"`{excerpt(head)}`"
        return (
            f"BASE `{excerpt(base)}` is the folder {display_path(base_folder.resolve())}, the same as HEAD ({side}); "
            "expected two different trees, e.g. `sla diff origin/main`"
        )
    return None


def changed_only(base: str, head: str | None, path: str) -> set[str] | None:
    """Between git refs (or a ref and the working tree), the agreements that changed; None to compare all."""
    from mkdocs_sla.source.gitsource import changed_agreements

    if _folder(base, path) is not None or (head is not None and _folder(head, path) is not None):
        return None
    return changed_agreements(base, head, path)


def cmd_diff(args) -> int:
    from mkdocs_sla.compare.compare import compare_catalogs
    from mkdocs_sla.compare.diffreport import to_json, to_markdown, to_text
    from mkdocs_sla.source.gitsource import GitSourceError

    today = args.today or dt.date.today()
    problem = _same_trees(args.base, args.head, args.path)
    if problem:
        print(f"sla diff: {problem}", file=sys.stderr)
        return 1
    try:
        # Agreements unchanged between the two sides cannot differ: only the others are read.
        only = changed_only(args.base, args.head, args.path)
        base = snapshot(args.base, args.path, today, only)
        head = snapshot(args.head, args.path, today, only)
    except GitSourceError as exc:
        print(f"sla diff: {exc}", file=sys.stderr)
        return 1
    result = compare_catalogs(base, head)
    formatter = {"text": to_text, "markdown": to_markdown, "json": to_json}[args.format]
    sys.stdout.write(formatter(result))
    status = diff_status(result)
    if status:
        reason = {
            1: "an agreement is invalid at HEAD",
            EXIT_NOTICE: "notice violation",
            EXIT_HISTORY: "history rewritten",
            EXIT_ADVERSE: "adverse changes",
        }[status]
        print(f"sla diff: {reason} (exit {status})", file=sys.stderr)
    return status


def _validate_against(args) -> int:
    from mkdocs_sla.compare.compare import compare_catalogs
    from mkdocs_sla.source.gitsource import GitSourceError

    today = args.today or dt.date.today()
    try:
        only = changed_only(args.against, None, args.path)
        base = snapshot(args.against, args.path, today, only)
        head = snapshot(None, args.path, today)
    except GitSourceError as exc:
        print(f"sla validate: {exc}", file=sys.stderr)
        return 1
    diagnostics = list(head.catalog.diagnostics)
    result = compare_catalogs(base, head if only is None else head.restricted(only))
    for agreement_id, violation in result.notice_violations:
        record = head.catalog.get(agreement_id)
        version = next(v for v in record.versions if v.label == violation.label)
        diagnostics.append(Diagnostic(_effective_position(version), Severity.ERROR, violation.message))
    diagnostics.sort()
    print_diagnostics(diagnostics, args.format)
    print(summary(len(head.catalog.agreements), diagnostics), file=sys.stderr)
    return 1 if any(d.severity is Severity.ERROR for d in diagnostics) else 0


def _effective_position(version):
    """Where the version's `effective:` date is written, so an annotation lands on that line."""
    from mkdocs_sla.core.diagnostics import Diagnostics
    from mkdocs_sla.source.yamlsource import parse

    try:
        text = Path(version.position.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return version.position
    for document in parse(text, version.position.file, Diagnostics()):
        if document.start_line == version.position.line:
            return document.position(("effective",))
    return version.position


def cmd_lock(args) -> int:
    from mkdocs_sla.source.load import LOCK_FILE, load, lock_text
    from mkdocs_sla.source.services import SERVICES_DIR

    today = args.today or dt.date.today()
    catalog = load(args.path, today)
    errors = catalog.errors
    if errors:
        # An agreement whose versions no longer match its lock is invalid: it is never re-locked.
        print_diagnostics(errors, stream=sys.stderr)
    # The services' standard versions, then the agreements' versions, each folder its own lock.
    folders = [(Path(args.path) / SERVICES_DIR / s.id, s.standards) for s in catalog.services]
    folders += [(Path(args.path) / record.id, record.versions) for record in catalog.agreements]
    for folder, versions in folders:
        path = folder / LOCK_FILE
        text = lock_text(versions, today)
        locked = sum(1 for line in text.splitlines() if line.startswith('"'))
        if not locked and not path.exists():
            continue
        if path.exists() and path.read_text(encoding="utf-8") == text:
            print(f"{path}: up to date ({locked} version(s))")
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({locked} version(s))")
    if errors:
        print(f"sla lock: {len(errors)} error(s); invalid agreements and services were not locked", file=sys.stderr)
        return 1
    return 0


def site_url(config: Path = Path("mkdocs.yml")) -> str | None:
    """`site_url` of the mkdocs.yml in the working folder (None without one): the one address a
    provider sets, from which the schemas' addresses follow. Tags such as `!ENV` read as null."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    try:
        data = yaml.load(config.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        return None
    value = data.get("site_url") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def cmd_schema(args) -> int:
    from mkdocs_sla.source.schema import agreement_schema, results_schema, schema_base, schema_text, write_schemas

    base = schema_base(site_url())
    if args.out:
        for path in write_schemas(args.out, base):
            print(f"wrote {path}")
        return 0
    sys.stdout.write(schema_text(results_schema(base) if args.results else agreement_schema(base)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
