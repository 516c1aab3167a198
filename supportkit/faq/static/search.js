/* Client-side search over this locale's index only (window.SUPPORTKIT_SEARCH, loaded from
   search-index.js so it also works from file://). Chinese queries are split into words with
   Intl.Segmenter when the browser has it, else into overlapping character pairs. */
(function () {
  "use strict";
  var data = window.SUPPORTKIT_SEARCH;
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var input = document.getElementById("q");
  if (!data || !status || !list) { return; }
  var strings = data.strings;

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/ё/g, "е");
  }
  var docs = data.docs.map(function (d) { return { t: d.t, u: d.u, c: d.c, x: d.x, f: fold(d.t + "\n" + d.x) }; });

  function hasHan(text) { return /[\u3400-\u9fff]/.test(text); }
  function terms(query) {
    var out = [];
    fold(query).split(/[\s,.;:!?，。；：！？、]+/).forEach(function (part) {
      if (!part) { return; }
      if (hasHan(part)) {
        if (typeof Intl !== "undefined" && Intl.Segmenter) {
          var seg = new Intl.Segmenter(data.locale, { granularity: "word" });
          for (var s of seg.segment(part)) { if (s.isWordLike) { out.push(s.segment); } }
        } else if (part.length <= 2) {
          out.push(part);
        } else {
          for (var i = 0; i + 2 <= part.length; i += 1) { out.push(part.slice(i, i + 2)); }
        }
      } else {
        out.push(part);
      }
    });
    return out;
  }

  function snippet(text, term) {
    var at = fold(text).indexOf(term);
    var start = Math.max(0, at - 40);
    return (start > 0 ? "…" : "") + text.slice(start, start + 160) + (start + 160 < text.length ? "…" : "");
  }

  function run(query) {
    list.textContent = "";
    var wanted = terms(query);
    if (!wanted.length) { status.textContent = strings.prompt; return; }
    var hits = [];
    docs.forEach(function (doc) {
      var score = 0;
      for (var i = 0; i < wanted.length; i += 1) {
        if (doc.f.indexOf(wanted[i]) < 0) { return; }
        score += fold(doc.t).indexOf(wanted[i]) >= 0 ? 10 : 1;
      }
      hits.push({ doc: doc, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score || (a.doc.t < b.doc.t ? -1 : 1); });
    status.textContent = hits.length ? strings.found.replace("{count}", hits.length) : strings.none;
    hits.forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = hit.doc.u;
      a.textContent = hit.doc.t;
      var p = document.createElement("p");
      p.textContent = snippet(hit.doc.x, wanted[0]);
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  if (input) { input.value = query; }
  run(query);
})();
