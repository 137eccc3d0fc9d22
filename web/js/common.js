/* Shared by every page: its data block, texts, the folium map, JSON requests, escaping,
   and the CSRF token every write to this site carries (from the gis_csrf cookie). */
"use strict";
(function () {
  const plainFetch = window.fetch.bind(window);
  function csrfToken() {
    const found = document.cookie.split("; ").find((c) => c.startsWith("gis_csrf="));
    return found ? decodeURIComponent(found.slice("gis_csrf=".length)) : "";
  }
  window.fetch = function (resource, init) {
    const opts = Object.assign({}, init || {});
    const method = (opts.method || (resource instanceof Request ? resource.method : "GET"))
      .toUpperCase();
    const url = new URL(resource instanceof Request ? resource.url : resource, location.href);
    if (url.origin === location.origin && !["GET", "HEAD", "OPTIONS"].includes(method)) {
      const headers = new Headers(opts.headers || (resource instanceof Request ? resource.headers : {}));
      headers.set("X-CSRF-Token", csrfToken());
      opts.headers = headers;
    }
    return plainFetch(resource, opts);
  };
})();
window.GIS = (function () {
  let data = null;
  function pageData() {
    if (data === null) {
      const block = document.getElementById("page-data");
      data = block ? JSON.parse(block.textContent) : {texts: {}, lang: "zh-CN"};
    }
    return data;
  }
  function t(key, values) {
    const template = pageData().texts[key] || key;
    return template.replace(/\{(\w+)\}/g, (m, name) =>
      values && values[name] !== undefined ? String(values[name]) : m);
  }
  function escape(text) {
    return String(text === null || text === undefined ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function map() {
    const div = document.querySelector(".folium-map");
    return div ? window[div.id] : null;
  }
  function number(value, digits) {
    if (value === null || value === undefined || value === "") { return ""; }
    const locale = pageData().lang === "en" ? "en" : "zh-CN";
    return Number(value).toLocaleString(locale, {maximumFractionDigits: digits ?? 1});
  }
  async function fetchJSON(url, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = Object.assign({"Accept-Language": pageData().lang}, opts.headers || {});
    if (opts.json !== undefined) {
      opts.method = opts.method || "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    const response = await fetch(url, opts);
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = {detail: text}; }
    if (!response.ok) {
      const error = new Error(describeError(body) || response.statusText);
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return body;
  }
  function describeError(body) {
    if (!body) { return ""; }
    const detail = body.detail;
    if (detail && typeof detail.message === "string") { return detail.message; }
    if (typeof detail === "string") { return detail; }
    return JSON.stringify(body);
  }
  function message(element, text, isError) {
    element.innerHTML = "<div class=\"gis-message" + (isError ? " error" : "") + "\">" +
      escape(text) + "</div>";
  }
  function withLang(url) {
    return url + (url.includes("?") ? "&" : "?") + "lang=" + encodeURIComponent(pageData().lang);
  }
  return {data: pageData, t, escape, map, number, fetchJSON, message, withLang};
})();
/* The page's frame on a phone: the navigation folds behind its menu button, and a map page's
   side panel is a bottom sheet raised and lowered by its handle. */
(function () {
  function nav() {
    const bar = document.querySelector(".gis-nav");
    const toggle = document.getElementById("nav-toggle");
    if (!bar || !toggle) { return; }
    toggle.addEventListener("click", () => {
      const open = bar.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  function sheet() {
    const panel = document.getElementById("panel");
    if (!panel) { return; }
    const handle = document.createElement("button");
    handle.type = "button";
    handle.className = "gis-sheet-handle";
    handle.id = "sheet-handle";
    handle.setAttribute("aria-expanded", "false");
    handle.setAttribute("aria-label", GIS.t("web.layout.sheet"));
    handle.title = GIS.t("web.layout.sheet");
    handle.addEventListener("click", () => {
      const open = document.body.classList.toggle("gis-sheet-open");
      handle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    panel.prepend(handle);
  }
  function ready() { nav(); sheet(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else { ready(); }
})();
