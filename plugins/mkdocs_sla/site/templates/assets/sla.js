/* mkdocs-sla: the credit calculator of an agreement page.

   The customer picks a period and types its fee; the credit amount, the minimum and the
   claim deadline follow, computed here with no request. Money is exact: every number is a
   fraction of BigInts ([numerator, denominator]), never a binary float, and the steps are
   the engine's (core/credits.py, period_credit): the percentage of the fee, rounded half up
   to the agreement's step if it has one (down where up would pass the cap or the
   at-risk amount), an amount under the minimum not issued. The credit percentage, the cap
   and the claim deadline come from the page (computed by the engine at build time).
   Without this script, the page states the formula in words. */
(function () {
  "use strict";

  var HUNDRED = [100n, 1n];

  function ratio(pair) {
    return pair ? [BigInt(pair[0]), BigInt(pair[1])] : null;
  }

  /* "21,300.00", "21 300", "1200.5" -> an exact fraction; null for anything else. */
  function parseFee(text) {
    var cleaned = text.replace(/[\s,_'\u00a0\u202f]/g, "");
    var match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned) || /^()\.(\d+)$/.exec(cleaned);
    if (!match) return null;
    var decimals = match[2] || "";
    return [BigInt((match[1] || "0") + decimals), 10n ** BigInt(decimals.length)];
  }

  function mul(a, b) { return [a[0] * b[0], a[1] * b[1]]; }
  function div(a, b) { return [a[0] * b[1], a[1] * b[0]]; }
  function add(a, b) { return [a[0] * b[1] + b[0] * a[1], a[1] * b[1]]; }
  function cmp(a, b) {
    var left = a[0] * b[1], right = b[0] * a[1];
    return left < right ? -1 : left > right ? 1 : 0;
  }
  function floor(a) {
    var q = a[0] / a[1];
    if (a[0] < 0n && q * a[1] !== a[0]) q -= 1n;
    return q;
  }
  function isZero(a) { return a[0] === 0n; }

  /* Two decimals, half up, thousands separated: as display.money writes it; `down` (a withheld
     amount, display.credit_amount) rounds down, so 0.999 never reads as a minimum of 1.00 reached. */
  function money(a, currency, down) {
    var cents = floor(down ? mul(a, HUNDRED) : add(mul(a, HUNDRED), [1n, 2n]));
    var whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return whole + "." + (cents % 100n).toString().padStart(2, "0") + " " + currency;
  }

  /* The engine's amount: fee x percent / 100, rounding to the step, then the minimum. */
  function credit(period, fee) {
    var amount = div(mul(fee, ratio(period.percent)), HUNDRED);
    var step = ratio(period.round_to);
    if (step && !isZero(amount)) {
      var rounded = mul([floor(add(div(amount, step), [1n, 2n])), 1n], step);
      var ceiling = ratio(period.ceiling);
      if (ceiling && cmp(rounded, div(mul(fee, ceiling), HUNDRED)) > 0) {
        rounded = mul([floor(div(amount, step)), 1n], step);
      }
      amount = rounded;
    }
    var minimum = ratio(period.minimum);
    // Under the minimum, or at it too where the agreement issues only amounts above it.
    var below = !!minimum && !isZero(amount) && (period.minimum_issued ? cmp(amount, minimum) < 0 : cmp(amount, minimum) <= 0);
    return { amount: amount, below: below };
  }

  function row(list, key, term, text) {
    var wrap = document.createElement("div");
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = text;
    dd.setAttribute("data-sla-calc", key);
    wrap.appendChild(dt);
    wrap.appendChild(dd);
    list.appendChild(wrap);
  }

  function start(root) {
    if (root.getAttribute("data-sla-ready")) return;
    root.setAttribute("data-sla-ready", "1");
    var data = JSON.parse(root.querySelector(".sla-calculator__data").textContent);
    var form = root.querySelector("form");
    var select = form.querySelector("select");
    var input = form.querySelector("input");
    var currency = form.querySelector(".sla-calculator__currency");
    var output = root.querySelector("output");
    data.periods.forEach(function (period, index) {
      var option = document.createElement("option");
      option.value = String(index);
      option.textContent = period.name + " (" + period.period + ")";
      select.appendChild(option);
    });

    function show() {
      var period = data.periods[Number(select.value)];
      currency.textContent = period.currency;
      var list = document.createElement("dl");
      list.className = "sla-facts";
      row(list, "percent", "Credit", period.percent_text + " of the fee" + (period.capped_text ? " (" + period.capped_text + ")" : ""));
      var fee = parseFee(input.value);
      if (input.value.trim() && !fee) {
        row(list, "error", "Fee", "Write the fee as a number, such as 21300.00");
      } else if (fee) {
        var result = credit(period, fee);
        var amount = money(result.amount, period.currency, result.below);
        if (result.below) {
          row(list, "amount", "Amount", amount + ": " + (period.minimum_issued ? "under" : "not above") + " the minimum of " + period.minimum_text + ": not issued");  // words.withheld_words
        } else {
          row(list, "amount", "Amount", amount);
        }
        if (period.minimum_text && !result.below && !isZero(result.amount)) row(list, "minimum", "Minimum", period.minimum_text + ": reached");
        if (period.claim_by && !result.below && !isZero(result.amount)) row(list, "claim-by", "Claim by", period.claim_by);
      }
      output.replaceChildren(list);
    }

    function choose() {
      var period = data.periods[Number(select.value)];
      input.value = period.charges || "";
      show();
    }

    select.addEventListener("change", choose);
    input.addEventListener("input", show);
    form.addEventListener("submit", function (event) { event.preventDefault(); show(); });
    form.hidden = false;
    output.hidden = false;
    choose();
  }

  /* A box that scrolls sideways only on a narrow screen (a chart on a phone, a table in
     Material's own wrapper) takes the keyboard focus while it does, so that it can be scrolled
     without a mouse (WCAG 2.1.1); our tables' boxes are focusable in the page already. */
  function boxLabel(box) {
    var title = box.querySelector("svg > title");
    if (title) return title.textContent;
    var heads = Array.prototype.map.call(box.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    return heads.length ? "Table: " + heads.join(", ") : "Table";
  }
  function reachable() {
    document.querySelectorAll(".md-typeset .sla-chart__frame, .md-typeset .md-typeset__scrollwrap").forEach(function (box) {
      if (box.closest(".sla-table")) return;
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", boxLabel(box));
        box.dataset.slaReachable = "";
      } else if (!scrolls && box.dataset.slaReachable !== undefined) {
        ["tabindex", "role", "aria-label", "data-sla-reachable"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(reachable, 150);
  });

  function startAll() {
    document.querySelectorAll("[data-sla-calculator]").forEach(start);
    reachable();
  }

  /* Material's instant navigation swaps pages without a load event: follow its document$. */
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(startAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
