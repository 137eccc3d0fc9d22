/* The date picker (as_of) of the floor plan, the map and the dashboard: which day the page
   shows, today by default. The date lives in the URL (?as_of=YYYY-MM-DD) so a link shares it;
   the page's script asks GIS.asOf for it and is told when it changes. */
"use strict";
GIS.asOf = (function () {
  const PATTERN = /^\d{4}-\d{2}-\d{2}$/;
  const listeners = [];
  const t = GIS.t;

  function today() {
    const d = new Date();
    const pad = n => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }
  function valid(text) {
    if (!PATTERN.test(text)) { return false; }
    const d = new Date(text + "T00:00:00Z");
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
  }

  const asked = new URL(window.location.href).searchParams.get("as_of");
  let problem = null;
  let value = "";
  if (asked !== null && asked !== "") {
    if (!valid(asked)) {
      problem = t("web.as_of.bad", {value: asked});
    } else if (asked > today()) {
      problem = t("web.as_of.future", {value: asked});
    } else if (asked !== today()) {
      value = asked;
    }
  }

  function withParam(href, date) {
    const url = new URL(href, window.location.href);
    if (date) { url.searchParams.set("as_of", date); } else { url.searchParams.delete("as_of"); }
    return url.pathname + url.search + url.hash;
  }
  function remember() {
    window.history.replaceState(null, "", withParam(window.location.href, value));
    const switcher = document.querySelector("[data-lang-switch]");
    if (switcher) { switcher.href = withParam(switcher.href, value); }
  }

  function render(box) {
    const shown = value || today();
    box.innerHTML =
      `<label for="as-of-date">${GIS.escape(t("web.as_of.label"))}</label> ` +
      `<input type="date" id="as-of-date" max="${today()}" value="${shown}">` +
      ` <button type="button" id="as-of-today"${value ? "" : " disabled"}>` +
      `${GIS.escape(t("web.as_of.today"))}</button>` +
      `<div class="gis-muted" id="as-of-note">${GIS.escape(value
        ? t("web.as_of.past", {date: value}) : t("web.as_of.now"))}</div>` +
      (problem ? `<div class="gis-message error" id="as-of-problem">${GIS.escape(problem)}</div>` : "");
    const input = box.querySelector("#as-of-date");
    input.addEventListener("change", () => {
      const picked = input.value;
      if (!picked) { return; }
      if (!valid(picked) || picked > today()) {
        problem = t("web.as_of.future", {value: picked});
        input.value = value || today();
        render(box);
        return;
      }
      set(picked === today() ? "" : picked);
    });
    box.querySelector("#as-of-today").addEventListener("click", () => set(""));
  }

  function boxes() { return document.querySelectorAll("[data-as-of]"); }

  function set(date) {
    problem = null;
    if (date === value) { boxes().forEach(render); return; }
    value = date;
    remember();
    boxes().forEach(render);
    listeners.forEach(fn => fn(value));
  }

  if (problem) { remember(); }
  boxes().forEach(render);  /* a deferred script: the page is parsed */

  return {
    /* The chosen date, or "" for today. */
    value: () => value,
    today,
    /* `url` asking for the chosen date (unchanged for today). */
    with(url) {
      return value ? url + (url.includes("?") ? "&" : "?") + "as_of=" + value : url;
    },
    /* `href` (a link to another page) carrying the chosen date. */
    link: href => withParam(href, value),
    onChange(fn) { listeners.push(fn); },
  };
})();
