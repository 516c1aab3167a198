/* The help center's search: results as you type under the header's search box on every page,
   and on the search page (search.html?q=...). The engine is Pagefind (stemming, Chinese words,
   highlighted excerpts; its bundle and index chunks are fetched on first use) when the build had
   it and the site is served over http(s). Opened from disk (file://), browsers refuse Pagefind's
   module and fetches, so the page says so and searches the simple index (<locale>/search-index.js,
   exact text) instead; a build without Pagefind uses that index everywhere.
   The form's data-* attributes carry the locale, the site root and this locale's strings. */
(function () {
  "use strict";
  var form = document.querySelector("form.search-form[data-engine]");
  if (!form) { return; }
  var input = form.querySelector("input[name=q]");
  var d = form.dataset;
  var locale = d.locale;
  var root = new URL(d.root, window.location.href);
  var served = window.location.protocol === "http:" || window.location.protocol === "https:";
  var usePagefind = d.engine === "pagefind" && served;
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var onSearchPage = !!(status && list);
  var limit = onSearchPage ? 20 : 5;

  /* ---- engines: search(query) -> Promise of [{href, title, excerpt: [text | {mark: text}]}] or null ---- */

  function localHref(url) {
    // Results of this locale's folder link relative to it, like the site's own links.
    var path = new URL(url, root).pathname;
    var prefix = root.pathname + locale + "/";
    return path.indexOf(prefix) === 0 ? path.slice(prefix.length) : path;
  }

  function excerptParts(html) {
    // Pagefind's excerpt is HTML with <mark>: parsed inert, kept as text and marks only.
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var parts = [];
    doc.body.firstChild.childNodes.forEach(function (node) {
      parts.push(node.nodeName === "MARK" ? { mark: node.textContent } : node.textContent);
    });
    return parts;
  }

  var pagefind = null;
  function pagefindSearch(query) {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
        // Pagefind picks the index by <html lang>; a page shown as a fallback is in another
        // language than its folder: search the folder's locale.
        var html = document.documentElement;
        var lang = html.getAttribute("lang");
        html.setAttribute("lang", locale);
        var instance = module.createInstance({ basePath: new URL("pagefind/", root).href,
                                               baseUrl: root.pathname, excerptLength: 24 });
        html.setAttribute("lang", lang);
        return instance;
      });
    }
    var instance;
    return pagefind.then(function (loaded) {
      instance = loaded;
      return instance.debouncedSearch(query, {}, 120);
    }).then(function (whole) {
      if (!whole) { return null; }  // a later keystroke replaced this search
      // Pagefind keeps only the pages that hold every word. A question in the reader's words
      // ("someone saw my seed phrase") holds words no article has: search each word too and
      // rank by the sum of Pagefind's own per-word scores (BM25), times the share of words a
      // page holds, so pages with all the words still come first.
      var words = queryWords(query);
      if (words.length < 2) { return ranked(whole.results, whole.results.length); }
      return Promise.all(words.map(function (word) { return instance.search(word); })).then(function (each) {
        var pages = {};
        each.forEach(function (found) {
          if (!found) { return; }
          found.results.forEach(function (result) {
            var page = pages[result.id] || (pages[result.id] = { result: result, score: 0, words: 0 });
            page.score += result.score;
            page.words += 1;
          });
        });
        var list = Object.keys(pages).map(function (id) { return pages[id]; });
        list.forEach(function (page) { page.rank = page.score * page.words / words.length; });
        list.sort(function (a, b) { return b.rank - a.rank; });
        return ranked(list.map(function (page) { return page.result; }), list.length);
      });
    });
  }

  function queryWords(query) {
    if (typeof Intl === "undefined" || !Intl.Segmenter) { return query.split(/\s+/).filter(Boolean); }
    var words = [];
    for (var s of new Intl.Segmenter(locale, { granularity: "word" }).segment(query)) {
      if (s.isWordLike && words.indexOf(s.segment.toLowerCase()) < 0) { words.push(s.segment.toLowerCase()); }
    }
    return words;
  }

  function ranked(results, count) {
    return Promise.all(results.slice(0, limit).map(function (r) { return r.data(); })).then(function (pages) {
      return { count: count, hits: pages.map(function (page) {
        return { href: localHref(page.url), title: page.meta.title, excerpt: excerptParts(page.excerpt) };
      }) };
    });
  }

  var simple = null;
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/ё/g, "е");
  }
  function simpleTerms(query) {
    var out = [];
    fold(query).split(/[\s,.;:!?，。；：！？、]+/).forEach(function (part) {
      if (!part) { return; }
      if (/[\u3400-\u9fff]/.test(part) && typeof Intl !== "undefined" && Intl.Segmenter) {
        var seg = new Intl.Segmenter(locale, { granularity: "word" });
        for (var s of seg.segment(part)) { if (s.isWordLike) { out.push(s.segment); } }
      } else {
        out.push(part);
      }
    });
    return out;
  }
  function simpleSearch(query) {
    if (!simple) {
      simple = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = new URL(locale + "/search-index.js", root).href;
        script.onload = function () {
          resolve(window.SUPPORTKIT_SEARCH.docs.map(function (doc) {
            return { t: doc.t, u: doc.u, x: doc.x, ft: fold(doc.t), fx: fold(doc.x) };
          }));
        };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return simple.then(function (docs) {
      var wanted = simpleTerms(query);
      var hits = [];
      docs.forEach(function (doc) {
        var score = 0;
        for (var i = 0; i < wanted.length; i += 1) {
          var inTitle = doc.ft.indexOf(wanted[i]) >= 0;
          if (!inTitle && doc.fx.indexOf(wanted[i]) < 0) { return; }
          score += inTitle ? 10 : 1;
        }
        hits.push({ doc: doc, score: score });
      });
      hits.sort(function (a, b) { return b.score - a.score || (a.doc.t < b.doc.t ? -1 : 1); });
      return { count: hits.length, hits: hits.slice(0, limit).map(function (hit) {
        var doc = hit.doc;
        var at = wanted.length ? doc.fx.indexOf(wanted[0]) : -1;
        var start = Math.max(0, at - 60);
        var end = Math.min(doc.x.length, start + 180);
        var excerpt = [(start > 0 ? "…" : "") + doc.x.slice(start, Math.max(start, at))];
        if (at >= 0) { excerpt.push({ mark: doc.x.slice(at, at + wanted[0].length) }); }
        excerpt.push(doc.x.slice(at >= 0 ? at + wanted[0].length : start, end) + (end < doc.x.length ? "…" : ""));
        return { href: doc.u, title: doc.t, excerpt: excerpt };
      }) };
    });
  }

  function search(query) {
    return usePagefind ? pagefindSearch(query) : simpleSearch(query);
  }

  /* ---- showing results ---- */

  function say(target, text, link) {
    target.textContent = text;
    if (link && d.contact) {
      var a = document.createElement("a");
      a.href = d.contact;
      a.textContent = d.contactText;
      target.appendChild(document.createTextNode(" "));
      target.appendChild(a);
    }
  }

  function fill(target, hits) {
    target.textContent = "";
    hits.forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = hit.href;
      a.textContent = hit.title;
      var p = document.createElement("p");
      hit.excerpt.forEach(function (part) {
        if (typeof part === "string") {
          p.appendChild(document.createTextNode(part));
        } else {
          var mark = document.createElement("mark");
          mark.textContent = part.mark;
          p.appendChild(mark);
        }
      });
      li.appendChild(a);
      li.appendChild(p);
      target.appendChild(li);
    });
  }

  var panel = document.getElementById("search-panel");
  var panelStatus = panel && panel.querySelector("[role=status]");
  var panelList = panel && panel.querySelector("ul");
  var panelAll = panel && panel.querySelector("a.search-all");
  var note = document.getElementById("search-note");
  if (!served && note) { note.textContent = d.offline; note.hidden = false; }

  var latest = "";
  function run(query) {
    latest = query;
    var target = onSearchPage ? list : panelList;
    var told = onSearchPage ? status : panelStatus;
    if (!target || !told) { return; }
    if (onSearchPage) { keepQuery(query); }
    if (!query.trim()) {
      target.textContent = "";
      say(told, d.prompt, false);
      if (onSearchPage) { list.dataset.query = query; } else { panel.hidden = true; }
      return;
    }
    if (!onSearchPage) { panel.hidden = false; panelAll.href = form.getAttribute("action") + "?q=" + encodeURIComponent(query); }
    target.setAttribute("aria-busy", "true");
    search(query).then(function (found) {
      if (found === null || query !== latest) { return; }
      fill(target, found.hits);
      if (found.count) { say(told, d.found.replace("{count}", String(found.count)), false); } else { say(told, d.none, true); }
      target.removeAttribute("aria-busy");
      target.dataset.query = query;
    }).catch(function () {
      if (usePagefind) { usePagefind = false; run(query); return; }  // no Pagefind bundle: the simple index
      target.removeAttribute("aria-busy");
      target.dataset.query = query;
    });
  }

  function keepQuery(query) {
    // The search page keeps its query in its address and in the language switcher's links.
    var suffix = query ? "?q=" + encodeURIComponent(query) : "";
    if (served) { window.history.replaceState(null, "", window.location.pathname + suffix); }
    document.querySelectorAll("nav.languages a[hreflang]").forEach(function (a) {
      a.setAttribute("href", a.getAttribute("href").split("?")[0] + suffix);
    });
  }

  input.addEventListener("input", function () { run(input.value); });
  if (!onSearchPage && panel) {
    input.addEventListener("focus", function () { if (input.value.trim()) { run(input.value); } });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden) { panel.hidden = true; input.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!panel.contains(event.target) && !form.contains(event.target)) { panel.hidden = true; }
    });
  }
  if (onSearchPage) {
    var query = new URLSearchParams(window.location.search).get("q") || "";
    input.value = query;
    run(query);
  }
})();
