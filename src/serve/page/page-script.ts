/**
 * The one script of the pages, inline: the read-only parts are complete without it. It asks for
 * a confirmation before an abort, counts drain deadlines down, shows each drain's requests per
 * second as the server's drain events tell them, and fetches the page's live part
 * again whenever `/api/events` says something about the run (and every few seconds while it
 * runs, for a run of another process, which this server has no events of).
 */
export const PAGE_SCRIPT = `
(function () {
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.confirm) return;
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); return; }
    form.elements.confirm.value = 'yes';
  });
  var live = document.getElementById('live');
  if (!live) return;
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(live.dataset.part, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) live.innerHTML = html; })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  function running() {
    var el = live.querySelector('[data-outcome]');
    return !el || el.dataset.outcome === 'running' || el.dataset.outcome === 'unfinished';
  }
  var watched = live.dataset.run;
  var source = new EventSource('/api/events');
  function onEvent(event) {
    try { var data = JSON.parse(event.data); } catch (e) { return; }
    if (!watched || data.runId === watched) refresh();
  }
  source.addEventListener('run', onEvent);
  source.addEventListener('node', onEvent);
  // How a drain stands, about once a second: written into the row, no refetch of the page.
  source.addEventListener('drain', function (event) {
    try { var data = JSON.parse(event.data); } catch (e) { return; }
    if (watched && data.runId !== watched) return;
    live.querySelectorAll('.drain-rate[data-drain-node]').forEach(function (el) {
      if (el.dataset.drainNode !== data.node) return;
      el.textContent = data.requestsPerSecond.toFixed(1) + ' req/s now, ' +
        data.realRequests + ' real request(s) since the drain began, quiet ' +
        Math.floor(data.quietSeconds) + ' s';
    });
  });
  setInterval(function () { if (running()) refresh(); }, 5000);
  setInterval(function () {
    var now = Date.now();
    live.querySelectorAll('.countdown[data-deadline]').forEach(function (el) {
      el.textContent = Math.max(0, Math.round((Date.parse(el.dataset.deadline) - now) / 1000)) + ' s';
    });
  }, 1000);
})();
`;
