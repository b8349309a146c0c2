"""diffreport: a `CatalogDiff` as text for the terminal, Markdown for a pull-request comment, or JSON.

All three say the same things in the same order: a one-line summary
(agreements changed, adverse changes, history rewritten, notice violations),
then one section per agreement: its new, revised or rewritten versions with
their changes, and the periods whose results or credit changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from mkdocs_sla.compare.agreements import AgreementDiff, AgreementStatus, ResultsDiff, VersionDiff, VersionStatus
from mkdocs_sla.compare.changes import Change
from mkdocs_sla.compare.compare import CatalogDiff
from mkdocs_sla.compare.standards import Reach, StandardDiff
from mkdocs_sla.core.diagnostics import one_line
from mkdocs_sla.present.display import decimal

#: GitHub refuses comments over 65,536 characters; leave room for the marker and a note.
MARKDOWN_LIMIT = 60_000

MARK = {"favourable": "+", "adverse": "-", "neutral": "~"}


def headline(diff: CatalogDiff) -> str:
    """The one-line summary that opens every format."""
    changed = len(diff.changed)
    if not changed:
        return "No changes to agreements."
    parts = [f"{changed} agreement{'s' if changed != 1 else ''} changed"]
    if diff.standards:
        standards = len(diff.standards)
        parts.insert(0, f"{standards} standard{'s' if standards != 1 else ''} changed")
    adverse = diff.adverse_count
    parts.append(f"{adverse} adverse change{'s' if adverse != 1 else ''}" if adverse else "no adverse changes")
    parts.append("history rewritten" if diff.rewrites_history else "history intact")
    violations = len(diff.notice_violations)
    if violations:
        parts.append(f"{violations} notice violation{'s' if violations != 1 else ''}")
    invalid = len([a for a in diff.agreements if a.status is AgreementStatus.INVALID])
    if invalid:
        parts.append(f"{invalid} invalid at HEAD")
    return ", ".join(parts) + "."


def _version_heading(version: VersionDiff) -> str:
    words = {
        VersionStatus.NEW: "new",
        VersionStatus.REVISED: "revised before taking effect",
        VersionStatus.REWRITTEN: "REWRITTEN after publication: rewrites history",
        VersionStatus.REMOVED: "REMOVED after publication: rewrites history",
        VersionStatus.WITHDRAWN: "withdrawn before publication",
    }[version.status]
    text = f"version {version.label} ({words}, effective {version.effective.isoformat()}"
    if version.compared_with and version.status is VersionStatus.NEW:
        text += f", compared with {version.compared_with}"
    return text + ")"


def _results_line(results: ResultsDiff) -> str:
    text = results.summary
    if results.rewrites_history:
        text += " — past period: rewrites history"
    return text


def _status_words(agreement: AgreementDiff) -> str:
    return {
        AgreementStatus.ADDED: "added",
        AgreementStatus.REMOVED: "removed",
        AgreementStatus.CHANGED: "changed",
        AgreementStatus.FIXED: "invalid at BASE, valid at HEAD",
        AgreementStatus.INVALID: "INVALID at HEAD",
        AgreementStatus.UNCHANGED: "unchanged",
    }[agreement.status]


def standard_headline(standard: StandardDiff) -> str:
    """One line per changed standard: "standard `acme-compute` (Acme Compute): 2.0 new; reaches 3 of 3 agreements: 2 adverse, 1 shielded, 1 notice violation"."""
    versions = ", ".join(f"{v.label} {v.status}" for v in standard.versions)
    reached = [a for a in standard.agreements if a.reach is not Reach.NOT_REACHED]
    counts = [f"{standard.count(r)} {r}" for r in Reach if r is not Reach.NOT_REACHED and standard.count(r)]
    text = f"standard `{standard.service}` ({standard.name}): {versions}; reaches {len(reached)} of {len(standard.agreements)} agreement{'s' if len(standard.agreements) != 1 else ''}"
    if counts:
        text += ": " + ", ".join(counts)
    if standard.notice_violations:
        text += f", {standard.notice_violations} notice violation{'s' if standard.notice_violations != 1 else ''}"
    return text


# ---------------------------------------------------------------- text


def _text_diff(change: Change) -> str:
    return "".join(text if op == "=" else f"[-{text}-]" if op == "-" else f"{{+{text}+}}" for op, text in change.word_diff or ())


def to_text(diff: CatalogDiff) -> str:
    """The comparison for a terminal: one line per change, grouped by agreement."""
    lines = [headline(diff), f"base {diff.base} -> head {diff.head}, as of {diff.today.isoformat()}"]
    for problem in diff.problems:
        lines.append(f"  {problem}")
    for standard in diff.standards:
        lines += ["", standard_headline(standard)]
        for version in standard.versions:
            for change in version.changes:
                lines.append(f"  {version.label}: {MARK[change.effect]} {change.effect:<10}  {change.summary}")
        for a in standard.agreements:
            notice = f" — ERROR notice: {a.notice}" if a.notice else ""
            lines.append(f"  {a.id:<24} {a.reach:<12} follows {a.follows:<8} {a.customer}{notice}")
    for agreement in diff.changed:
        lines.append("")
        lines.append(f"{agreement.id}: {_status_words(agreement)} — {agreement.title}")
        for problem in agreement.problems:
            lines.append(f"  {problem}")
        for change in agreement.changes:
            lines.append(f"  {MARK[change.effect]} {change.effect:<10}  {change.summary}")
        for version in agreement.versions:
            lines.append(f"  {_version_heading(version)}")
            if version.note:
                lines.append(f"    says: {' '.join(version.note.split())}")
            if version.notice:
                lines.append(f"    ERROR notice: {version.notice.message}")
            for change in version.changes:
                lines.append(f"    {MARK[change.effect]} {change.effect:<10}  {change.summary}")
                if change.word_diff:
                    lines.append(f"        {_text_diff(change)}")
        for results in agreement.results:
            lines.append(f"  {MARK[results.effect]} {results.effect:<10}  {_results_line(results)}")
            for metric, before, after in results.attainments:
                lines.append(f"        {metric}: {before} -> {after}")
    # One line each: a title or a note from the YAML may hold line breaks or escape sequences.
    return "\n".join(one_line(line) for line in lines) + "\n"


# ---------------------------------------------------------------- markdown


# Every character Markdown or GitHub gives a meaning to; `!` for images, `&` for entities.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!&])")
# A zero-width space after `@` keeps GitHub from reading `@name` as a mention, or `@org/team`
# as a team to notify; it reads the same.
_MENTION = "@\u200b"


def md(text: str) -> str:
    """Agreement text made inert in Markdown: one line, no emphasis, links, images, headings,
    tables, HTML (so no `<!-- sla-diff -->` marker) or mentions from the data."""
    return _inert(text.strip())


def _inert(text: str) -> str:
    """`md` without trimming: runs of white space (line breaks too) become one space."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(re.sub(r"\s+", " ", text))).replace("@", _MENTION)


def code(text: str) -> str:
    """Text as a Markdown code span it cannot leave: the fence is one backtick longer than the
    longest run inside, as CommonMark reads it; one line; no HTML comment or mention either."""
    text = one_line(" ".join(text.split())).replace("<!--", "<!\u200b--").replace("@", _MENTION)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_message(text: str) -> str:
    """One of our own messages, which quote values in backticks (`version \\`1.1\\``): the quoted
    parts as code spans, the rest escaped, so GitHub shows code, not escaped backticks."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: no pairs to trust
        return md(text)
    return "".join(code(part) if index % 2 else _inert(part) for index, part in enumerate(parts)).strip()


def _md_diff(change: Change) -> str:
    """Removed words struck through, added words in bold; spaces kept outside the markers."""
    parts = []
    previous = ""
    for op, text in change.word_diff or ():
        core = text.strip()
        if not core:
            parts.append(" " if text else "")
            continue
        # A replacement reads `~~old~~ **new**`: the markers must not touch.
        lead = " " if text[:1].isspace() or (previous == "-" and op == "+") else ""
        previous = op
        trail = " " if text[-1:].isspace() else ""
        mark = {"=": "", "-": "~~", "+": "**"}[op]
        parts.append(f"{lead}{mark}{md(core)}{mark}{trail}")
    return "".join(parts)


_BADGE = {"favourable": "🟢 favourable", "adverse": "🔴 **adverse**", "neutral": "⚪ neutral"}


def changes_markdown(changes: Sequence[Change]) -> str:
    """A Markdown list of changes, with word diffs indented below: for the versions pages too."""
    lines = []
    for change in changes:
        lines.append(f"- {_BADGE[change.effect]}: {md(change.summary)}")
        if change.word_diff:
            lines.append(f"  - {_md_diff(change)}")
    return "\n".join(lines)


def to_markdown(diff: CatalogDiff) -> str:
    """The comparison as the pull-request comment: Markdown in which no text from the data can act as Markdown."""
    lines = [f"**SLA changes:** {headline(diff)}", "", f"Base {code(diff.base)}, head {code(diff.head)}, as of {diff.today.isoformat()}."]
    if diff.problems:
        lines += ["", "Errors at HEAD outside any agreement:", ""] + [f"- {md(p)}" for p in diff.problems]
    for standard in diff.standards:
        lines += [
            "",
            f"## Standard {md(standard.service)} — {md(standard.name)}",
            "",
            md(standard_headline(standard).replace("`", "")) + ".",
        ]
        for version in standard.versions:
            lines += ["", f"### Standard version {md(version.label)} ({version.status}, effective {version.effective})"]
            if version.changes:
                lines += ["", changes_markdown(version.changes)]
        lines += ["", "| Agreement | Customer | Follows | Reach | Notice |", "| --- | --- | --- | --- | --- |"]
        for a in standard.agreements:
            notice = f"**violation:** {md(a.notice)}" if a.notice else "ok"
            lines.append(f"| {md(a.id)} | {md(a.customer)} | {md(a.follows)} | {a.reach} | {notice} |")
    for agreement in diff.changed:
        lines += ["", f"## {md(agreement.id)} — {md(agreement.title)}", "", f"*{_status_words(agreement)}*"]
        if agreement.problems:
            lines += ["", "Errors:", ""] + [f"- {code(p)}" for p in agreement.problems]
        if agreement.changes:
            lines += ["", changes_markdown(agreement.changes)]
        for version in agreement.versions:
            lines += ["", f"### {md(_version_heading(version))}"]
            if version.note:
                lines += ["", f"> {md(version.note)}"]
            if version.notice:
                lines += ["", f"**Notice violation:** {md_message(version.notice.message)}"]
            if version.changes:
                lines += ["", changes_markdown(version.changes)]
            elif version.status in (VersionStatus.NEW, VersionStatus.REVISED, VersionStatus.REWRITTEN) and version.compared_with:
                lines += ["", "No change to the terms."]
        if agreement.results:
            lines += ["", "### Results", ""]
            for results in agreement.results:
                lines.append(f"- {_BADGE[results.effect]}: {md(_results_line(results))}")
                for metric, before, after in results.attainments:
                    lines.append(f"  - {md(metric)}: {md(before)} → {md(after)}")
    text = "\n".join(lines) + "\n"
    if len(text) > MARKDOWN_LIMIT:
        cut = text.rfind("\n", 0, MARKDOWN_LIMIT)
        text = text[:cut] + "\n\n*…cut here: the full report is too long for a comment; run `sla diff` locally.*\n"
    return text


# ---------------------------------------------------------------- json


def _credit(view) -> dict[str, Any] | None:
    if view is None:
        return None
    return {
        "percent": decimal(view.percent),
        "amount": decimal(view.amount),
        "below_minimum": view.below_minimum,
        "issued": decimal(view.issued),
        "currency": view.currency,
    }


def to_document(diff: CatalogDiff) -> dict[str, Any]:
    """The diff as plain data; exact numbers as strings, as `sla credits --format json` writes them."""
    return {
        "format": 1,
        "base": diff.base,
        "head": diff.head,
        "today": diff.today.isoformat(),
        "summary": {
            "headline": headline(diff),
            "agreements_changed": len(diff.changed),
            "adverse_changes": diff.adverse_count,
            "rewrites_history": diff.rewrites_history,
            "notice_violations": len(diff.notice_violations),
            "invalid_at_head": [a.id for a in diff.agreements if a.status is AgreementStatus.INVALID],
        },
        "problems": list(diff.problems),
        "standards": [
            {
                "service": st.service,
                "name": st.name,
                "summary": standard_headline(st),
                "versions": [
                    {"label": v.label, "status": v.status.value, "effective": v.effective, "changes": [c.to_dict() for c in v.changes]}
                    for v in st.versions
                ],
                "agreements": [
                    {
                        "id": a.id,
                        "customer": a.customer,
                        "follows": a.follows,
                        "reach": a.reach.value,
                        "adverse": a.adverse,
                        "notice_violation": a.notice,
                    }
                    for a in st.agreements
                ],
                "counts": {r.value: st.count(r) for r in Reach},
            }
            for st in diff.standards
        ],
        "agreements": [
            {
                "id": a.id,
                "title": a.title,
                "status": a.status.value,
                "rewrites_history": a.rewrites_history,
                "problems": list(a.problems),
                "changes": [c.to_dict() for c in a.changes],
                "versions": [
                    {
                        "label": v.label,
                        "effective": v.effective.isoformat(),
                        "status": v.status.value,
                        "compared_with": v.compared_with,
                        "note": v.note,
                        "rewrites_history": v.rewrites_history,
                        "notice_violation": None
                        if v.notice is None
                        else {
                            "notice_days": v.notice.notice_days,
                            "earliest": v.notice.earliest.isoformat(),
                            "message": v.notice.message,
                        },
                        "changes": [c.to_dict() for c in v.changes],
                    }
                    for v in a.versions
                ],
                "results": [
                    {
                        "period": r.period,
                        "status": r.status.value,
                        "past": r.past,
                        "rewrites_history": r.rewrites_history,
                        "effect": r.effect.value,
                        "summary": r.summary,
                        "credit_before": _credit(r.before),
                        "credit_after": _credit(r.after),
                        "attainments": [{"metric": m, "before": b, "after": x} for m, b, x in r.attainments],
                        "corrections": list(r.corrections),
                        "correction_after_claim_deadline": r.late,
                    }
                    for r in a.results
                ],
            }
            for a in diff.changed
        ],
    }


def to_json(diff: CatalogDiff) -> str:
    """The comparison as JSON for tools: decimal strings, never fractions."""
    return json.dumps(to_document(diff), indent=1, ensure_ascii=False) + "\n"
