// The <style> and <script> that flamegraph_svg.cpp embeds in every flamegraph.
//
// The script reads what it needs from the document the C++ wrote, so nothing else is
// shared: the root <svg> carries the geometry (data-xpad, data-plot-width,
// data-char-width, data-text-pad) and the total bytes (data-total); each frame is a
// <g class="f"> child of #frames, in pre-order, with its subtree's end index
// (data-e: the frames i+1 .. e-1 are its descendants), its bytes (data-b), a <rect>,
// a <text> label, and a <title> whose first line is the frame's full name and whose
// other lines are the details shown on hover. Labels are fitted with the same rule as
// fit_label() in flamegraph_svg.cpp: whole code points, ".." when cut, nothing below 3.
#ifndef HEAPDRIFT_ANALYZER_FLAMEGRAPH_SCRIPT_H
#define HEAPDRIFT_ANALYZER_FLAMEGRAPH_SCRIPT_H

#include <string_view>

namespace heapdrift::flamegraph {

inline constexpr std::string_view kStyle = R"css(
text { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace;
       font-size: 12px; fill: #1a1a1a; }
.title { font-size: 17px; font-weight: bold; text-anchor: middle; }
.subtitle { fill: #555; text-anchor: middle; }
.note { fill: #555; }
.button { fill: #1f4e9c; cursor: pointer; }
.button:hover { text-decoration: underline; }
.hidden { display: none; }
#frames g { cursor: pointer; }
#frames text { pointer-events: none; }
#frames g:hover rect { stroke: #222; stroke-width: 0.8; }
#frames g.parent rect { opacity: 0.5; }
#frames g.new rect, .legend-new { stroke: #0b2d78; stroke-width: 1; stroke-dasharray: 3 2; }
#frames g.match rect { fill: #e600e6; }
)css";

inline constexpr std::string_view kScript = R"js(
(function () {
  'use strict';
  var script = document.currentScript;
  var svg = (script && script.ownerSVGElement) || document.documentElement;
  function byId(id) { return svg.querySelector('#' + id); }

  var xpad = +svg.getAttribute('data-xpad');
  var plotWidth = +svg.getAttribute('data-plot-width');
  var charWidth = +svg.getAttribute('data-char-width');
  var textPad = +svg.getAttribute('data-text-pad');
  var total = +svg.getAttribute('data-total');
  var framesGroup = byId('frames');
  var unzoomButton = byId('unzoom');
  var searchButton = byId('search');
  var matchedText = byId('matched');
  var detailsName = byId('details-name');
  var detailsInfo = byId('details-info');
  var hint = detailsInfo.textContent;

  // The frames in pre-order, with their geometry as written (the unzoomed layout).
  var frames = [];
  var indexOf = new Map();
  Array.prototype.forEach.call(framesGroup.children, function (g, i) {
    var lines = g.querySelector('title').textContent.split('\n');
    var rect = g.querySelector('rect');
    frames.push({
      g: g, rect: rect, text: g.querySelector('text'),
      name: lines[0], info: lines.slice(1).join('  |  '),
      x: +rect.getAttribute('x'), w: +rect.getAttribute('width'),
      end: +g.getAttribute('data-e'), bytes: +g.getAttribute('data-b')
    });
    indexOf.set(g, i);
  });

  function fit(s, width) {
    var chars = Array.from(s);
    var max = Math.floor((width - 2 * textPad) / charWidth);
    if (chars.length <= max) return s;
    if (max < 3) return '';
    return chars.slice(0, max - 2).join('') + '..';
  }

  function human(bytes) {
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var a = Math.abs(bytes), u = 0;
    while (a >= 1024 && u < units.length - 1) { a /= 1024; u++; }
    var digits = u === 0 ? 0 : a < 10 ? 2 : a < 100 ? 1 : 0;
    return (bytes < 0 ? '-' : '') + a.toFixed(digits) + ' ' + units[u];
  }

  function share(bytes) { return total > 0 ? (100 * bytes / total).toFixed(2) + '%' : '-'; }

  function place(f, x, w) {
    f.g.style.display = '';
    f.rect.setAttribute('x', x.toFixed(2));
    f.rect.setAttribute('width', w.toFixed(2));
    f.text.setAttribute('x', (x + textPad).toFixed(2));
    f.text.textContent = fit(f.name, w);
  }

  // Zoom: frame i and its subtree fill the width, its ancestors span it (faded), and
  // everything else is hidden.
  function zoom(i) {
    var z = frames[i];
    var scale = plotWidth / z.w;
    frames.forEach(function (f, j) {
      if (j >= i && j < z.end) {
        place(f, xpad + (f.x - z.x) * scale, f.w * scale);
        f.g.classList.remove('parent');
      } else if (j < i && i < f.end) {
        place(f, xpad, plotWidth);
        f.g.classList.add('parent');
      } else {
        f.g.style.display = 'none';
      }
    });
    unzoomButton.classList.remove('hidden');
  }

  function unzoom() {
    frames.forEach(function (f) { place(f, f.x, f.w); f.g.classList.remove('parent'); });
    unzoomButton.classList.add('hidden');
  }

  // Search: highlight the frames whose name matches; the matched share counts each
  // byte once (a match inside a counted match adds nothing).
  var searching = null;
  function search(pattern) {
    var re;
    try {
      re = new RegExp(pattern);
    } catch (e) {
      matchedText.textContent = 'Bad regular expression: ' + e.message;
      return;
    }
    var bytes = 0, covered = 0, count = 0;
    frames.forEach(function (f, j) {
      var hit = re.test(f.name);
      f.g.classList.toggle('match', hit);
      if (!hit) return;
      count++;
      if (j >= covered) { bytes += f.bytes; covered = f.end; }
    });
    searching = pattern;
    searchButton.textContent = 'Reset search';
    matchedText.textContent = 'Matched: ' + share(bytes) + ' of all (' + human(bytes) + ') in ' +
        count + (count === 1 ? ' frame' : ' frames');
  }

  function resetSearch() {
    frames.forEach(function (f) { f.g.classList.remove('match'); });
    searching = null;
    searchButton.textContent = 'Search';
    matchedText.textContent = '';
  }

  function promptSearch() {
    var pattern = window.prompt('Search frames (regular expression):', searching || '');
    if (pattern) search(pattern);
  }

  function frameAt(event) {
    var g = event.target.closest ? event.target.closest('g.f') : null;
    return g && indexOf.has(g) ? indexOf.get(g) : -1;
  }

  framesGroup.addEventListener('click', function (event) {
    var i = frameAt(event);
    if (i === 0) unzoom();
    else if (i > 0) zoom(i);
  });
  framesGroup.addEventListener('mouseover', function (event) {
    var i = frameAt(event);
    if (i < 0) return;
    detailsName.textContent = fit(frames[i].name, plotWidth);
    detailsInfo.textContent = fit(frames[i].info, plotWidth);
  });
  framesGroup.addEventListener('mouseout', function (event) {
    if (frameAt(event) < 0) return;
    detailsName.textContent = '';
    detailsInfo.textContent = hint;
  });
  unzoomButton.addEventListener('click', unzoom);
  searchButton.addEventListener('click', function () {
    if (searching !== null) resetSearch(); else promptSearch();
  });
  document.addEventListener('keydown', function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === 'f' || event.key === 'F')) {
      event.preventDefault();
      promptSearch();
    } else if (event.key === 'Escape') {
      resetSearch();
    }
  });
})();
)js";

// Both go inside CDATA sections.
static_assert(kStyle.find("]]>") == std::string_view::npos);
static_assert(kScript.find("]]>") == std::string_view::npos);

}  // namespace heapdrift::flamegraph

#endif  // HEAPDRIFT_ANALYZER_FLAMEGRAPH_SCRIPT_H
