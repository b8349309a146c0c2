"""Phase 1: one agreement's page, its periods table and its JSON, from its records and evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from markupsafe import Markup

from mkdocs_sla.compare.deviations import deviations
from mkdocs_sla.core.audiences import customer_key
from mkdocs_sla.core.evaluate import AgreementEvaluation, PeriodOutcome, evaluate
from mkdocs_sla.core.model import Terms
from mkdocs_sla.core.records import Agreement, Version, VersionStatus
from mkdocs_sla.core.reviews import next_review
from mkdocs_sla.present import display, markup
from mkdocs_sla.present.documents import evidenced_period_document
from mkdocs_sla.present.markup import escape_line as _escape
from mkdocs_sla.present.words import (
    claim_status,
    credit_terms_lines,
    deadline_words,
    measured_words,
    metric_credit_words,
    objective_words,
    period_name,
    remedy_clause,
    remedy_lines,
    responsibility_lines,
)
from mkdocs_sla.site import customer_views
from mkdocs_sla.site.corrections_view import correction_rows
from mkdocs_sla.site.evidence_page import evidence_section
from mkdocs_sla.site.history import History
from mkdocs_sla.site.paths import Links, RenderOptions, glossary_anchor, page_url, version_slug
from mkdocs_sla.site.templating import _env, _json
from mkdocs_sla.site.tickets import calendar_pages, ticket_section
from mkdocs_sla.site.views import (
    AgreementSummary,
    Mark,
    MetricUse,
    PeriodEntry,
    PeriodTotal,
    RenderedAgreement,
    StandardUse,
    _metric_charts,
    _metric_view,
    earlier_years,
    statement_line,
)

# ---------------------------------------------------------------- phase 1: one agreement


def render_agreement(
    record: Agreement,
    evaluation: AgreementEvaluation,
    *,
    today: dt.date,
    options: RenderOptions | None = None,
    results_shown: bool = True,
) -> RenderedAgreement:
    """An agreement's page (with its charts, credit calculator and badge), its history page, a
    page per version, credits JSON and the badge's SVG, and its summary for the listings.
    `results_shown=False` (an audience that sees the terms only, see site/audiences.py): the
    record comes without results, and there is no credits JSON."""
    options = options or RenderOptions()
    links = Links(options)
    paths = links.paths
    pages: dict[str, str] = {}
    history = History(record, today, links, options.site_name)
    version = record.in_force(today)
    years = earlier_years(evaluation.periods)
    periods = [(outcome, _period_entry(record.id, outcome, years.get(outcome.period.label))) for outcome in evaluation.periods]
    if results_shown:
        pages[paths.agreement_json(record.id)] = _credits_json(record, evaluation)
    embed = _badge(record, evaluation, links, options, pages)
    pages[paths.agreement(record.id)] = _agreement_page(record, evaluation, periods, years, history, embed, links, today, results_shown)
    by_year: dict[int, list[tuple[PeriodOutcome, PeriodEntry]]] = {}
    for outcome, entry in periods:
        if entry.earlier_year is not None:
            by_year.setdefault(entry.earlier_year, []).append((outcome, entry))
    for year, shown in by_year.items():
        page = paths.earlier_periods(record.id, year)
        pages[page] = _earlier_periods_page(record, evaluation, year, shown, page, links, history, today)
    pages.update(calendar_pages(record, evaluation, links, paths.agreement(record.id)))
    pages.update(history.pages({glossary_anchor(m) for m in version.terms.metrics}))
    summary = _summary(record, version, evaluation, periods, years, history, results_shown)
    return RenderedAgreement(pages, summary)


def _credits_json(record: Agreement, evaluation: AgreementEvaluation) -> str:
    """credits.json: every period with its evidence, for the customer's records."""
    document = {
        "agreement": record.id,
        "file": record.file,
        "periods": [evidenced_period_document(outcome) for outcome in evaluation.periods],
    }
    return _json(document) + "\n"


def _badge(
    record: Agreement, evaluation: AgreementEvaluation, links: Links, options: RenderOptions, pages: dict[str, str]
) -> Markup | None:
    """The badge's SVG (added to `pages`) and the snippet that embeds it, with absolute links
    where the site has a URL; None when no period has closed."""
    badge = customer_views.badge_of(evaluation)
    if not badge:
        return None
    paths, path = links.paths, links.paths.agreement(record.id)
    pages[paths.badge(record.id)] = badge[0]
    site = (options.site_url or "").rstrip("/") + "/"

    def absolute(target: str) -> str:
        return site + page_url(target, options.use_directory_urls) if options.site_url else links(path, target)

    return customer_views.embed_snippet(links(path, paths.badge(record.id)), absolute(paths.badge(record.id)), absolute(path), badge[1])


def _agreement_page(
    record: Agreement,
    evaluation: AgreementEvaluation,
    periods: list[tuple[PeriodOutcome, PeriodEntry]],
    years: Mapping[str, int],
    history: History,
    embed: Markup | None,
    links: Links,
    today: dt.date,
    results_shown: bool,
) -> str:
    """The agreement's page: the terms in force, its metrics with their charts, and the latest
    periods in full (each earlier year has a page of its own)."""
    paths = links.paths
    path = paths.agreement(record.id)
    version = record.in_force(today)
    terms = version.terms
    recent = replace(evaluation, periods=tuple(o for o in evaluation.periods if o.period.label not in years))
    metrics = []
    for metric in terms.metrics:
        view = _metric_view(metric, terms)
        view["glossary_href"] = links(path, paths.definition(glossary_anchor(metric)))
        view["charts"] = _metric_charts(metric, recent)
        metrics.append(view)
    last = periods[-1] if periods else None
    versions = history.views(path)
    version_hrefs = {v.label: v.href for v in versions}
    return (
        _env()
        .get_template("agreement.md.j2")
        .render(
            record=record,
            terms=terms,
            version=version,
            review=_review(terms, record, today),
            metrics=metrics,
            today=today,
            results_shown=results_shown,
            versions=versions,
            upcoming=[v for v in reversed(versions) if v.status is VersionStatus.UPCOMING],
            history_href=links(path, history.path),
            responsibilities=responsibility_lines(terms),
            credit_terms=credit_terms_lines(terms),
            remedies=remedy_lines(terms),
            deadline=deadline_words(terms),
            periods=len(periods),
            misses=evaluation.periods[-1].misses_to_date if periods else 0,
            shown=len(recent.periods),
            earlier=[(year, links(path, paths.earlier_periods(record.id, year))) for year in sorted(set(years.values()), reverse=True)],
            periods_html=Markup(
                "\n".join(
                    _period_rows(outcome, entry, terms, version_hrefs, today)
                    for outcome, entry in reversed(periods)
                    if entry.earlier_year is None
                )
            ),
            last=last[1] if last else None,
            last_name=period_name(last[0].period) if last else None,
            termination_since=evaluation.termination_right_since,
            catalog_href=links(path, paths.catalog),
            json_href=links(path, paths.agreement_json(record.id)),
            standard=_standard_view(version, links, path),
            credits_chart=customer_views.credits_chart(recent),
            calculator=customer_views.calculator_data(evaluation),
            formula=customer_views.formula_words(terms),
            badge=embed,
            evidence_html=evidence_section(record, recent),
            tickets=ticket_section(record, evaluation, links, path, links(path, paths.agreement_json(record.id))),
        )
    )


def _summary(
    record: Agreement,
    version: Version,
    evaluation: AgreementEvaluation,
    periods: list[tuple[PeriodOutcome, PeriodEntry]],
    years: Mapping[str, int],
    history: History,
    results_shown: bool,
) -> AgreementSummary:
    """What the listings (catalog, credits by period, statements, glossary) need of the agreement,
    `version` the one in force."""
    terms = version.terms
    last = periods[-1] if periods else None
    return AgreementSummary(
        id=record.id,
        file=record.file,
        line=record.versions[0].position.line,
        title=terms.title,
        provider=terms.provider,
        customer=terms.customer,
        customer_key=customer_key(terms),
        family=terms.service.family,
        version=terms.version,
        last=last[1] if last else None,
        last_reported=sum(m.reported for m in last[0].metrics) if last else 0,
        periods_with_credits=sum(1 for outcome, _entry in periods if outcome.credit.percent > 0),
        metrics=tuple(
            MetricUse(record.id, m.id, m.name, m.definition, m.unit, objective_words(m), glossary_anchor(m)) for m in terms.metrics
        ),
        periods=tuple(entry for _outcome, entry in periods),
        versions=history.entries(),
        standard=_standard_use(version),
        statements=tuple(
            statement_line(record.id, outcome.terms.title, outcome, years.get(outcome.period.label)) for outcome in evaluation.periods
        )
        if results_shown
        else (),
    )


def _standard_use(version) -> StandardUse | None:
    inherited = version.inherited
    if inherited is None:
        return None
    scope = version.terms.standard.components if version.terms.standard else None
    return StandardUse(
        inherited.service,
        inherited.standard_version,
        inherited.follows_current,
        tuple(scope) if scope is not None else None,
        tuple((d.words, str(d.effect)) for d in deviations(version)),
    )


def _standard_view(version, links: Links, path: str) -> dict[str, Any] | None:
    """What the page says of the standard an inheriting version follows, and each negotiated difference."""
    inherited = version.inherited
    if inherited is None:
        return None
    return {
        "service": inherited.service,
        "version": inherited.standard_version,
        "current": inherited.follows_current,
        "href": links(path, links.paths.service(inherited.service)),
        "deviations": deviations(version),
    }


def _review(terms: Terms, record: Agreement, today: dt.date) -> dict[str, Any] | None:
    """The review cycle the page shows: counted from the latest review held, in the terms or in
    the record of reviews (`reviews.yaml`), by the one rule of `core.reviews`."""
    upcoming = next_review(terms.review, record.reviews)
    if upcoming is None:
        return None
    return {
        "due": upcoming.due,
        "overdue": upcoming.overdue(today),
        "last": upcoming.last,
        "every": upcoming.every_months,
        "recorded": upcoming.recorded is not None,
    }


def render_record(record: Agreement, today: dt.date, options: RenderOptions) -> RenderedAgreement:
    """Evaluate and render one agreement: the task a worker process runs for a large tree."""
    return render_agreement(record, evaluate(record), today=today, options=options)


def _earlier_periods_page(
    record: Agreement,
    evaluation: AgreementEvaluation,
    year: int,
    shown: list[tuple[PeriodOutcome, PeriodEntry]],
    path: str,
    links: Links,
    history: History,
    today: dt.date,
) -> str:
    """The page of one earlier year's periods (`shown`, oldest first): the same table, charts and
    evidence as the agreement's page, for the periods it no longer shows."""
    evaluation = replace(evaluation, periods=tuple(outcome for outcome, _entry in shown))
    home = links(path, links.paths.agreement(record.id))
    terms = evaluation.periods[-1].terms  # the terms of the year's last period: its charts' objectives and tiers
    version_hrefs = {v.label: v.href for v in history.views(path)}
    rows = [_period_rows(outcome, entry, terms, version_hrefs, today, metrics_href=home) for outcome, entry in reversed(shown)]
    charts = [(metric, _metric_charts(metric, evaluation)) for metric in terms.metrics]
    # The terms each period was judged under, so that its credit can be worked out on this page:
    # objectives, credit rules and tiers, and the credit terms (combining, cap, minimum).
    governed: dict[str, Any] = {}
    for outcome, _entry in reversed(shown):
        if outcome.version not in governed:
            governed[outcome.version] = {
                "label": outcome.version,
                # Named as the version's own page is (one name per label, as versions are added).
                "anchor": f"terms-{version_slug(outcome.version)}",
                "href": version_hrefs.get(outcome.version),
                "periods": [],
                "metrics": [_metric_view(metric, outcome.terms) for metric in outcome.terms.metrics],
                "credit_terms": credit_terms_lines(outcome.terms),
            }
        governed[outcome.version]["periods"].append(outcome.period.label)
    return (
        _env()
        .get_template("earlier_periods.md.j2")
        .render(
            governed=list(governed.values()),
            record=record,
            terms=record.versions[-1].terms,
            year=year,
            home=home,
            periods=len(evaluation.periods),
            charts=[(metric, chart) for metric, chart in charts if chart],
            credits_chart=customer_views.credits_chart(evaluation),
            periods_html=Markup("\n".join(rows)),
            evidence_html=evidence_section(record, evaluation),
        )
    )


def _remedy_text(remedy, last: bool) -> str:
    """One remedy of a metric in the periods table; all but the last lose a closing full stop,
    as they are followed by a semicolon."""
    text = remedy_clause(remedy) + (" — termination right" if remedy.termination_right else "")
    return text if last else text.rstrip(".")


def _period_entry(agreement_id: str, outcome: PeriodOutcome, earlier_year: int | None = None) -> PeriodEntry:
    terms = outcome.terms
    return PeriodEntry(
        period=outcome.period,
        agreement_id=agreement_id,
        version=outcome.version,
        mark=outcome.status,
        total=PeriodTotal.of(outcome),
        due=outcome.credit.combined_percent > 0 or any(m.earned_back for m in outcome.metrics),
        issued=outcome.credit.issued,
        currency=terms.credit_terms.currency if terms.credit_terms else None,
        missed=tuple(m.metric.name for m in outcome.missed),
        earned_back=tuple((m.metric.name, m.earned_back.label) for m in outcome.metrics if m.earned_back),
        attainment=tuple((m.metric.name, _attainment_text(m)) for m in outcome.metrics),
        earlier_year=earlier_year,
    )


def _attainment_text(m) -> str:
    """A metric's attainment as shown in the tables (rounded towards the worse side), or "—"."""
    if m.attainment is None:
        return "—"
    return display.attainment(m.attainment, m.metric.unit, m.metric.better)


def _period_rows(
    outcome: PeriodOutcome,
    entry: PeriodEntry,
    current: Terms,
    version_hrefs: Mapping[str, str],
    today: dt.date,
    metrics_href: str = "",
) -> str:
    """One period of the periods table: a heading row with the period's total and the version
    that governed it (a link to its terms), a row per metric (its name a link to the metric on
    the agreement's page, at `metrics_href`), and the remedies reached. Built without Jinja:
    12 periods × 5 metrics per page."""
    e = _escape
    total = entry.total
    label = e(outcome.period.label)
    version = e(outcome.version)
    if outcome.version in version_hrefs:
        version = f'<a href="{e(version_hrefs[outcome.version])}">{version}</a>'
    head = (
        f'<tr class="sla-period__head"><th colspan="4" scope="rowgroup"><span class="sla-period__label">{label}</span> '
        f'<span class="sla-period__meta">{e(period_name(outcome.period))} · terms version {version}</span> '
        f'{Mark(entry.mark).html} <span class="sla-period__total{" sla-total--credited" if total.credited else ""}">'
        f"{('Your credit: ' if total.credited else 'Credit: ') + e(total.text) if total.text != '—' else 'No credit'}</span>"
        + "".join(f' <span class="sla-note">({e(note)})</span>' for note in total.notes)
        + (
            f' <span class="sla-note">claim by {e(total.claim_by)} ({e(claim_status(outcome.claim_deadline, today))})</span>'
            if total.claim_by and outcome.claim_deadline
            else ""
        )
        + "</th></tr>"
    )
    rows = [f'<tbody id="period-{label}" class="sla-period sla-period--{Mark(entry.mark).state}">', head]
    for m in outcome.metrics:
        metric = m.metric
        name = markup.inline(metric.name)
        if current.metric(metric.id) is not None:
            name = f'<a href="{e(metrics_href)}#metric-{e(metric.id)}">{name}</a>'
        shown = e(display.attainment(m.attainment, metric.unit, metric.better))
        if m.attainment is not None:
            # The exact value on hover (title) and on a tap or a key (a <details>: no script needed).
            exactly = e(display.exactly(m.attainment, metric.unit))
            title = f' title="{exactly}"'
            figure = f'<details class="sla-exact"><summary>{shown}</summary><span>{exactly}</span></details>'
        else:
            title, figure = "", f"<strong>{shown}</strong>"
        detail = f" <small>{e(measured_words(m))}</small>"
        mark = Mark.of(m.met)
        note = f'<br><small class="sla-note">earned back in {e(m.earned_back.label)}</small>' if m.earned_back else ""
        rows.append(
            f'<tr class="sla-row--{mark.state}"><td>{name}</td> '
            f'<td class="sla-att"{title}>{figure}{detail}</td> '
            f"<td>{mark.html}</td> <td>{e(metric_credit_words(m))}{note}</td></tr>"
        )
    if outcome.remedies:
        # By metric, its remedies one after another: a metric's name once per period, not per remedy.
        by_metric: dict[str, list] = {}
        for r in outcome.remedies:
            by_metric.setdefault(r.metric.id, []).append(r)
        items = "".join(
            f"<li>{markup.inline(found[0].metric.name)}: "
            + "; ".join(markup.inline(_remedy_text(r, last=r is found[-1])) for r in found)
            + "</li>"
            for found in by_metric.values()
        )
        rows.append(f'<tr class="sla-row--remedies"><td colspan="4"><strong>What these misses bring</strong><ul>{items}</ul></td></tr>')
    rows.extend(correction_rows(outcome))
    rows.append("</tbody>")
    return "\n".join(rows)
