/**
 * The inline style and script of report.html. The script holds no data, so it can be allowed by
 * its hash in the CSP: it reads the page's data block (`#report-data`, JSON) with JSON.parse,
 * puts each cause's details (HTML escaped when the page was made) into its card when the card is
 * first opened, and case names in with textContent.
 */

/** The page's CSS. */
export const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--link:#0969da;
--ok:#116329;--ok-bg:#dafbe1;--av:#0a3069;--av-bg:#ddf4ff;--kf:#6b4b00;--kf-bg:#fff3b0;
--pe:#8a2e00;--pe-bg:#ffe2cc;--mm:#a40e26;--mm-bg:#ffd7d5}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:#fff;font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
main{max-width:1500px;margin:0 auto;padding:0 24px 48px}
header{padding:20px 0 8px}
h1{font-size:22px;margin:0 0 6px}
h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:0 0 6px;word-break:break-all}
h4{font-size:13px;margin:14px 0 6px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:12.5px}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:0;overflow:auto;max-height:420px;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:var(--soft);font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0 0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;word-break:break-all}
.badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap;vertical-align:1px}
.v-identical{background:var(--ok-bg);color:var(--ok)}
.v-allowed-variant{background:var(--av-bg);color:var(--av)}
.v-known-failure{background:var(--kf-bg);color:var(--kf)}
.v-peer-error{background:var(--pe-bg);color:var(--pe)}
.v-mismatch{background:var(--mm-bg);color:var(--mm)}
.v-known-flaky{background:#eee6ff;color:#4a2d8a}
.v-not-run{background:#e8e8e8;color:#333}
.status{font-size:14px;padding:3px 12px;margin-right:6px}
nav.filters{position:sticky;top:0;z-index:2;background:rgba(255,255,255,.97);border-bottom:1px solid var(--line);padding:8px 0;display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center}
nav.filters label{display:inline-flex;align-items:center;gap:4px;padding:2px 8px 2px 4px;border-radius:12px;cursor:pointer;user-select:none}
nav.filters button{font:inherit;padding:2px 10px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
nav.filters button:hover{background:var(--soft)}
nav.filters input[type=search]{font:inherit;padding:3px 8px;border:1px solid var(--line);border-radius:6px;min-width:260px;flex:1;max-width:420px}
#shown{margin-left:auto}
table.matrix th[scope=row]{white-space:nowrap;vertical-align:middle}
table.matrix thead th{text-align:center}
table.matrix td{text-align:center;vertical-align:middle;min-width:96px;padding:0}
table.matrix td a{display:block;padding:5px 8px;color:inherit}
table.matrix td a:hover{text-decoration:none;filter:brightness(.95)}
table.matrix td.none{color:var(--muted);background:#fff;padding:5px 8px}
table.matrix b{font-size:16px;display:block}
table.matrix small{display:block;font-size:11px;white-space:nowrap}
.legend-line{margin:6px 0 0;color:var(--muted);font-size:12px}
.legend-line span{margin-right:12px}
table.results{width:100%}
table.results td.nw{white-space:nowrap}
table.results td.name{overflow-wrap:anywhere;min-width:220px}
table.results td.summary{overflow-wrap:anywhere;min-width:260px}
section.failure{border:1px solid var(--line);border-left:6px solid var(--mm);border-radius:6px;padding:12px 16px;margin:16px 0}
section.failure.v-peer-error{border-left-color:#d15704}
section.failure.v-known-failure{border-left-color:#bf8700}
section.failure{background:#fff;color:var(--fg)}
.where{color:var(--muted);margin:0 0 6px}
section.failure .summary{font-weight:600;margin:6px 0;word-break:break-word}
.reason{margin:6px 0;padding:4px 10px;border-radius:6px;background:var(--kf-bg);color:var(--kf)}
.shrunk-line{margin:6px 0;color:var(--av)}
.shrunk{margin:16px 0 0;padding:6px 14px 12px;border-left:4px solid var(--av);background:#f6fbff;border-radius:0 6px 6px 0}
.shrunk h4{margin-top:8px}.shrunk-summary{font-weight:600;margin:4px 0;word-break:break-word}
.shrunk details{margin:8px 0}.shrunk table.values,.shrunk table.hex{margin:6px 0}
.shrunk p.file{margin:8px 0 4px}
table.known tr.stale td{background:var(--mm-bg)}
table.values td{word-break:break-all}
table.values td.w{background:#ffebe9}table.values td.g{background:#dafbe1}
table.hex{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:12.5px}
table.hex td{white-space:pre;padding:2px 8px}
table.hex td.off{color:var(--muted)}
table.hex tr.same td.bytes{color:#6e7781}
table.hex td.gap{color:var(--muted);font-style:italic;font-family:system-ui,sans-serif}
table.hex .x{border-radius:2px;font-weight:700;color:#82071e;background:#ffcecb;box-shadow:inset 0 -2px 0 #cf222e;cursor:help}
table.hex td.ascii .x{font-weight:700}
.s0{background:#ffd8b5!important}.s1{background:#e0c8ff!important}.s2{background:#b6e3ff!important}
.s3{background:#fff19e!important}.s4{background:#bff0c9!important}.s5{background:#ffc7e5!important}
table.hex tfoot td{white-space:normal;font-family:system-ui,sans-serif;font-size:12.5px;color:var(--fg)}
.sw{background:#ffcecb;display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin-right:4px;box-shadow:inset 0 -2px 0 #cf222e}
.key{display:inline-block;margin:1px 14px 1px 0}
details>summary{cursor:pointer;color:var(--muted)}
[hidden]{display:none!important}
body.hide-identical [data-v=identical],body.hide-allowed-variant [data-v=allowed-variant],
body.hide-known-failure [data-v=known-failure],body.hide-peer-error [data-v=peer-error],
body.hide-mismatch [data-v=mismatch],body.hide-known-flaky [data-v=known-flaky],
body.hide-not-run [data-v=not-run]{display:none}
details.cause{border:1px solid var(--line);border-left:6px solid var(--mm);border-radius:6px;margin:10px 0;background:#fff}
details.cause.v-peer-error{border-left-color:#d15704}
details.cause.v-known-failure{border-left-color:#bf8700}
details.cause.v-known-flaky{border-left-color:#8250df}
details.cause.v-not-run{border-left-color:#6e7781}
details.cause>summary{padding:8px 12px;color:var(--fg);list-style-position:outside;margin-left:14px}
details.cause>summary .key{word-break:break-all}
details.cause>summary .facts{color:var(--muted);margin-left:6px}
details.cause>summary .text{display:block;margin-top:3px;word-break:break-word}
details.cause>.body{padding:4px 16px 14px}
section.example{border-top:1px dashed var(--line);padding:10px 0 4px;margin-top:8px}
section.example .summary{font-weight:600;margin:6px 0;word-break:break-word}
ol.names{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:12px;max-height:360px;overflow:auto;margin:4px 0;padding-left:56px;background:var(--soft);border:1px solid var(--line);border-radius:6px}
ol.names li{overflow-wrap:anywhere}
button.more{font:inherit;padding:2px 10px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
table.passing td,table.variants td{font-size:13px}
`;

/** The page's JS: verdict checkboxes, "only failures", "show all", the search box, matrix cell links, cause cards built when opened. */
export const SCRIPT = `
(function () {
  var body = document.body;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[data-verdict]'));
  var search = document.getElementById('search');
  var shown = document.getElementById('shown');
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var cards = Array.prototype.slice.call(document.querySelectorAll('details.cause'));
  var hay = data.causes.map(function (c) { return c.search + '\\n' + c.names.join('\\n').toLowerCase(); });
  var tokens = [];
  function has(text, ts) {
    for (var k = 0; k < ts.length; k++) if (text.indexOf(ts[k]) < 0) return false;
    return true;
  }
  function fillNames(el, i) {
    var c = data.causes[i];
    var list = el.querySelector('ol.names');
    var more = el.querySelector('button.more');
    var picked = c.names;
    if (tokens.length > 0) {
      picked = c.names.filter(function (n) { return has(n.toLowerCase(), tokens); });
      if (picked.length === 0) picked = c.names;
    }
    var max = Number(list.getAttribute('data-max'));
    list.textContent = '';
    var frag = document.createDocumentFragment();
    picked.slice(0, max).forEach(function (n) {
      var li = document.createElement('li');
      li.textContent = n;
      frag.appendChild(li);
    });
    list.appendChild(frag);
    more.hidden = picked.length <= max;
    more.textContent = 'Show all ' + picked.length;
  }
  function build(el) {
    if (el.hasAttribute('data-built')) return;
    var i = Number(el.getAttribute('data-i'));
    var c = data.causes[i];
    var box = el.querySelector('.body');
    box.innerHTML = c.html;
    var h = document.createElement('h4');
    h.textContent =
      c.total > c.names.length
        ? 'The first ' + c.names.length + ' of ' + c.total + ' cases (results.jsonl has them all)'
        : 'Every case (' + c.names.length + ')';
    var list = document.createElement('ol');
    list.className = 'names';
    list.setAttribute('data-max', '200');
    var more = document.createElement('button');
    more.type = 'button';
    more.className = 'more';
    more.addEventListener('click', function () {
      list.setAttribute('data-max', String(c.names.length));
      fillNames(el, i);
    });
    box.appendChild(h);
    box.appendChild(list);
    box.appendChild(more);
    el.setAttribute('data-built', '');
    fillNames(el, i);
  }
  function apply() {
    boxes.forEach(function (b) { body.classList.toggle('hide-' + b.getAttribute('data-verdict'), !b.checked); });
    tokens = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var n = 0;
    var cases = 0;
    cards.forEach(function (el) {
      var i = Number(el.getAttribute('data-i'));
      var hit = has(hay[i], tokens);
      el.hidden = !hit;
      if (hit && !body.classList.contains('hide-' + el.getAttribute('data-v'))) {
        n++;
        cases += data.causes[i].names.length;
      }
      if (hit && el.hasAttribute('data-built')) fillNames(el, i);
    });
    shown.textContent = n + ' of ' + cards.length + ' causes shown (' + cases + ' cases)';
  }
  cards.forEach(function (el) {
    el.addEventListener('toggle', function () { if (el.open) build(el); });
  });
  function openHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    var card = el && el.closest ? el.closest('details.cause') : null;
    if (card) {
      card.open = true;
      build(card);
      var again = document.getElementById(id);
      if (again) again.scrollIntoView();
    }
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  document.getElementById('only-failures').addEventListener('click', function () {
    boxes.forEach(function (b) { b.checked = b.hasAttribute('data-failure'); });
    apply();
  });
  document.getElementById('show-all').addEventListener('click', function () {
    boxes.forEach(function (b) { b.checked = true; });
    search.value = '';
    apply();
  });
  Array.prototype.forEach.call(document.querySelectorAll('a[data-q]'), function (a) {
    a.addEventListener('click', function () { search.value = a.getAttribute('data-q'); apply(); });
  });
  window.addEventListener('hashchange', openHash);
  apply();
  openHash();
})();
`;
