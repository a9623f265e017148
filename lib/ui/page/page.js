// The flor dashboard (docs/ui.md). Reads the JSON API of `flor ui`, or the
// documents a `flor report` file embeds (#flor-data), and draws with Chart.js.
'use strict';
(function () {
  const embedded = document.getElementById('flor-data');
  const DATA = embedded ? JSON.parse(embedded.textContent) : null;
  const POLL_MS = 2000;
  const COLORS = ['#1d4ed8', '#b91c1c', '#047857', '#b45309', '#7c3aed', '#0e7490', '#be185d', '#4d7c0f',
                  '#1e293b', '#c2410c'];
  const state = {
    experiment: null, runs: [], selected: [], series: new Map(), charts: [], errors: [], live: false,
  };

  // Errors the page met, for the test hook (and the console as usual).
  window.addEventListener('error', (e) => state.errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => state.errors.push(String(e.reason)));
  const consoleError = console.error;
  console.error = (...args) => { state.errors.push(args.join(' ')); consoleError.apply(console, args); };

  async function api(path) {
    if (DATA) {
      if (!(path in DATA)) throw new Error('this report does not hold ' + path);
      return DATA[path];
    }
    const res = await fetch(path, { cache: 'no-store' });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status + ' for ' + path));
    return body;
  }

  function showError(message) {
    const el = document.getElementById('error');
    el.textContent = message;
    el.hidden = !message;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
    return node;
  }

  const apiBase = () => '/api/experiments/' + encodeURIComponent(state.experiment);
  const recordOf = (run) => (run.parent == null ? run.id : run.parent);
  const runById = (id) => state.runs.find((r) => r.id === id);

  function formatBytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    for (; n >= 1024 && i < units.length - 1; i++) n /= 1024;
    return (i ? n.toFixed(1) : n) + ' ' + units[i];
  }
  function formatDuration(s) {
    if (s < 60) return s.toFixed(1) + 's';
    const m = Math.floor(s / 60);
    return m < 60 ? m + 'm' + String(Math.round(s % 60)).padStart(2, '0') + 's'
                  : Math.floor(m / 60) + 'h' + String(m % 60).padStart(2, '0') + 'm';
  }
  const formatTime = (t) => new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19);

  // A table whose columns sort on a click of their header and whose rows a
  // text filter narrows. columns: {label, value(row) for sorting and
  // filtering, cell(row) -> Node|text (default: value), num}.
  function sortableTable(container, columns, rows, rowClass) {
    const filter = el('input', { class: 'filter', type: 'search', placeholder: 'filter' });
    const table = el('table');
    const head = el('tr');
    const body = el('tbody');
    let sortBy = -1, ascending = true;
    const draw = () => {
      const needle = filter.value.toLowerCase();
      let shown = rows.filter((r) => !needle || columns.some((c) => String(c.value(r) ?? '').toLowerCase().includes(needle)));
      if (sortBy >= 0) {
        const v = columns[sortBy].value;
        shown = shown.slice().sort((a, b) => {
          const x = v(a), y = v(b);
          const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''), undefined, { numeric: true });
          return ascending ? cmp : -cmp;
        });
      }
      body.replaceChildren(...shown.map((r) => el('tr', { class: rowClass ? rowClass(r) : '' },
        ...columns.map((c) => el('td', { class: c.num ? 'num' : '' }, c.cell ? c.cell(r) : (c.value(r) ?? '-'))))));
    };
    columns.forEach((c, i) => head.append(el('th', {
      onclick: (e) => {
        ascending = sortBy === i ? !ascending : true;
        sortBy = i;
        head.querySelectorAll('th').forEach((th) => th.classList.remove('sorted-asc', 'sorted-desc'));
        e.target.classList.add(ascending ? 'sorted-asc' : 'sorted-desc');
        draw();
      },
    }, c.label)));
    filter.addEventListener('input', draw);
    table.append(el('thead', {}, head), body);
    container.replaceChildren(filter, table);
    draw();
  }

  function drawRuns() {
    const columns = [
      { label: '', value: (r) => (state.selected.includes(r.id) ? 1 : 0),
        cell: (r) => {
          const box = el('input', { type: 'checkbox', id: 'select-' + r.id, onchange: () => toggleRun(r.id) });
          box.checked = state.selected.includes(r.id);
          return box;
        } },
      { label: 'run', value: (r) => r.id, num: true },
      { label: 'kind', value: (r) => r.kind },
      { label: 'of', value: (r) => r.parent, num: true },
      { label: 'status', value: (r) => r.status, cell: (r) => el('span', { class: 'status-' + r.status }, r.status) },
      { label: 'version', value: (r) => r.vid,
        cell: (r) => (r.vid ? el('a', { class: 'vid', title: 'code change since the previous run', onclick: () => showDiff(r.id) }, r.vid.slice(0, 10)) : '-') },
      { label: 'started', value: (r) => formatTime(r.started) },
      { label: 'duration', value: (r) => r.duration_s, cell: (r) => formatDuration(r.duration_s), num: true },
      { label: 'epochs', value: (r) => r.epochs, num: true },
      { label: 'checkpoints', value: (r) => r.checkpoints, num: true },
      { label: 'bytes', value: (r) => r.bytes, cell: (r) => formatBytes(r.bytes), num: true },
      { label: 'divergences', value: (r) => r.divergences, num: true },
      { label: 'args', value: (r) => Object.entries(r.args).map(([k, v]) => k + '=' + v).join(' ') },
      { label: 'command', value: (r) => r.command.join(' ') },
    ];
    const clear = el('button', { id: 'clear-selection', onclick: () => { state.selected = []; drawRuns(); refreshCharts(); } }, 'clear selection');
    const box = el('div');
    sortableTable(box, columns, state.runs);
    document.getElementById('runs').replaceChildren(clear, box);
  }

  async function showDiff(id) {
    const pre = document.getElementById('diff');
    pre.hidden = false;
    try {
      const d = await api(apiBase() + '/runs/' + id + '/diff');
      pre.textContent = d.previous == null ? 'run ' + id + ' is the first version'
        : 'run ' + d.previous + ' (' + d.previous_vid.slice(0, 10) + ') -> run ' + id + ' (' + d.vid.slice(0, 10) + ')\n' +
          (d.patch || '(identical code)');
    } catch (e) {
      pre.textContent = 'no diff: ' + e.message;
    }
  }

  function toggleRun(id) {
    const i = state.selected.indexOf(id);
    if (i >= 0) state.selected.splice(i, 1);
    else state.selected.push(id);
    refreshCharts();
  }

  async function drawSweeps() {
    const rows = await api(apiBase() + '/sweeps');
    document.getElementById('sweeps-section').hidden = rows.length === 0;
    if (!rows.length) return;
    const keys = [];
    for (const r of rows) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
    sortableTable(document.getElementById('sweeps'),
      keys.map((k) => ({ label: k, value: (r) => r[k], num: typeof rows[0][k] === 'number' })), rows);
  }

  async function drawDivergences() {
    const replays = state.runs.filter((r) => r.divergences > 0);
    const rows = [];
    for (const r of replays) rows.push(...(await api(apiBase() + '/runs/' + r.id + '/divergences')).divergences);
    document.getElementById('divergences-section').hidden = rows.length === 0;
    if (!rows.length) return;
    const columns = ['run', 'epoch', 'step', 'name', 'recorded', 'replayed', 'loc'].map((k) => ({ label: k, value: (d) => d[k] }));
    sortableTable(document.getElementById('divergences'), columns, rows, (d) => (d.first ? 'first-divergence' : ''));
  }

  // ---- charts ----

  const numeric = (y) => typeof y === 'number';
  const all = (s) => s.recorded.concat(s.hindsight, s.diverged || []);
  function scalarDatasets(entries, logScale) {
    const sets = [];
    entries.forEach(({ run, s }, i) => {
      const color = COLORS[i % COLORS.length];
      const points = (list) => list.map(([x, y]) => ({ x, y: numeric(y) && (!logScale || y > 0) ? y : null }));
      if (s.recorded.length) {
        sets.push({ label: 'run ' + run + ' ' + s.name, data: points(s.recorded), borderColor: color, backgroundColor: color,
                    pointRadius: s.recorded.length > 200 || entries.length > 5 ? 0 : 2, borderWidth: 1.5, spanGaps: false, hindsight: false });
      }
      if (s.hindsight.length) {
        sets.push({ label: 'run ' + run + ' ' + s.name + ' (hindsight)', data: points(s.hindsight), borderColor: color,
                    backgroundColor: color, borderDash: [6, 4], pointStyle: 'triangle', pointRadius: 4, borderWidth: 1.5,
                    spanGaps: false, hindsight: true });
      }
      if ((s.diverged || []).length) {
        sets.push({ label: 'run ' + run + ' ' + s.name + ' (diverged replay)', data: points(s.diverged), borderColor: '#dc2626',
                    backgroundColor: '#dc2626', borderDash: [2, 2], pointStyle: 'rectRot', pointRadius: 4, borderWidth: 1,
                    spanGaps: false, diverged: true });
      }
    });
    return sets;
  }

  // Non-finite values cannot be plotted: each is a red cross on the chart's
  // top edge and named in a note under the title.
  function nonFinite(entries) {
    const found = [];
    for (const { run, s } of entries) {
      for (const [x, y] of all(s)) if (!numeric(y)) found.push({ run, x, y: String(y) });
    }
    return found;
  }

  function yTop(sets) {
    let top = -Infinity;
    for (const d of sets) for (const p of d.data) if (p.y != null && p.y > top) top = p.y;
    return top === -Infinity ? 1 : top;
  }

  function chartSets(entries) {
    const sets = scalarDatasets(entries, state.log);
    const bad = nonFinite(entries);
    if (bad.length) {
      const top = yTop(sets);
      sets.push({ label: 'non-finite', data: bad.map((b) => ({ x: b.x, y: top })), showLine: false, pointStyle: 'crossRot',
                  pointRadius: 8, borderColor: '#dc2626', backgroundColor: '#dc2626', borderWidth: 2, nonFinite: true });
    }
    return { sets, bad };
  }

  function addZoom(card, canvas, chart) {
    let start = null;
    const box = el('div', { class: 'zoom-box', hidden: '' });
    card.append(box);
    canvas.addEventListener('mousedown', (e) => { start = e.offsetX; });
    canvas.addEventListener('mousemove', (e) => {
      if (start == null) return;
      box.hidden = false;
      Object.assign(box.style, { left: (canvas.parentNode.offsetLeft + Math.min(start, e.offsetX)) + 'px', width: Math.abs(e.offsetX - start) + 'px',
                                 top: canvas.parentNode.offsetTop + 'px', height: canvas.offsetHeight + 'px' });
    });
    canvas.addEventListener('mouseup', (e) => {
      box.hidden = true;
      if (start != null && Math.abs(e.offsetX - start) > 4) {
        const a = chart.scales.x.getValueForPixel(start), b = chart.scales.x.getValueForPixel(e.offsetX);
        zoom(chart, Math.min(a, b), Math.max(a, b));
      }
      start = null;
    });
    canvas.addEventListener('dblclick', () => zoom(chart, undefined, undefined));
  }

  function zoom(chart, min, max) {
    chart.options.scales.x.min = min;
    chart.options.scales.x.max = max;
    chart.update('none');
  }

  function scalarCard(name, entries) {
    const card = el('div', { class: 'chart scalar', 'data-name': name });
    const note = el('div', { class: 'note' });
    const canvas = el('canvas');
    card.append(el('h3', {}, name), note, el('div', { class: 'plot' }, canvas));
    const { sets, bad } = chartSets(entries);
    note.textContent = bad.length ? 'non-finite: ' + bad.map((b) => b.y + ' at ' + b.x + ' (run ' + b.run + ')').join(', ') : '';
    const axis = entries[0].s.axis;
    const chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: sets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, normalized: true,
        interaction: { mode: 'nearest', intersect: false },
        scales: { x: { type: 'linear', ticks: { precision: 0 }, title: { display: true, text: axis === 'step' ? 'global step' : 'epoch' } },
                  y: { type: state.log ? 'logarithmic' : 'linear' } },
        plugins: { legend: { labels: { boxWidth: 12, usePointStyle: true } } },
      },
    });
    addZoom(card, canvas, chart);
    state.charts.push({ name, chart, note, update: (e) => {
      const next = chartSets(e);
      chart.data.datasets = next.sets;
      chart.options.scales.y.type = state.log ? 'logarithmic' : 'linear';
      chart.update('none');
    } });
    return card;
  }

  // Histograms, images and tensors: one epoch at a time, picked with a slider.
  function epochCard(name, kind, entries, draw) {
    const card = el('div', { class: 'chart ' + kind, 'data-name': name });
    const points = [];
    for (const { run, s } of entries) for (const [x, v] of all(s)) points.push({ run, x, v });
    points.sort((a, b) => a.x - b.x || a.run - b.run);
    const label = el('span', { class: 'muted' });
    const view = el('div');
    const slider = el('input', { type: 'range', min: '0', max: String(Math.max(points.length - 1, 0)), value: String(Math.max(points.length - 1, 0)) });
    const show = () => {
      const p = points[Number(slider.value)];
      if (!p) return;
      label.textContent = ' run ' + p.run + ', ' + (entries[0].s.axis === 'step' ? 'step ' : 'epoch ') + p.x;
      draw(view, p.v);
    };
    slider.addEventListener('input', show);
    card.append(el('h3', {}, name + ' (' + kind + ')'), slider, label, view);
    show();
    return card;
  }

  function drawHistogram(view, v) {
    view.replaceChildren();
    const canvas = el('canvas');
    view.append(el('div', { class: 'plot' }, canvas));
    const labels = v.counts.map((_, i) => Number(v.edges[i]).toPrecision(3));
    new Chart(canvas, { type: 'bar', data: { labels, datasets: [{ label: 'count', data: v.counts, backgroundColor: COLORS[0] }] },
                        options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } } } });
  }

  function drawImage(view, v) {
    view.replaceChildren(el('div', { class: 'images' }, el('img', { src: v.src, alt: 'image' })));
  }

  function drawTensor(view, v) {
    const flat = v.data.flat();
    const lo = Math.min(...flat), hi = Math.max(...flat);
    const table = el('table', { class: 'heatmap' });
    for (const row of v.data) {
      table.append(el('tr', {}, ...row.map((x) => {
        const t = hi > lo ? (x - lo) / (hi - lo) : 0;
        const cell = el('td', { title: String(x) }, '');
        cell.style.background = 'rgb(' + Math.round(255 - 226 * t) + ',' + Math.round(255 - 177 * t) + ',' + Math.round(255 - 39 * t) + ')';
        return cell;
      })));
    }
    view.replaceChildren(table);
  }

  function drawText(view, v) { view.replaceChildren(el('code', {}, v)); }

  const RENDERERS = { histogram: drawHistogram, image: drawImage, tensor: drawTensor, text: drawText };

  async function loadSeries(record) {
    if (!state.series.has(record) || state.live) {
      state.series.set(record, await api(apiBase() + '/runs/' + record + '/series'));
    }
    return state.series.get(record);
  }

  // name -> [{run, s}] over the selected runs, in the order names were first logged.
  async function selectedSeries() {
    const byName = new Map();
    for (const id of state.selected) {
      const run = runById(id);
      if (!run) continue;
      const doc = await loadSeries(recordOf(run));
      for (const s of doc.series) {
        if (!byName.has(s.name)) byName.set(s.name, []);
        byName.get(s.name).push({ run: id, s });
      }
    }
    return byName;
  }

  // Redraws coalesce: requests made while one waits join it (fifty clicks in a
  // row draw once), and it redraws in place only when every request allowed it.
  let drawing = Promise.resolve();
  let queued = null;
  function refreshCharts(inPlace) {
    if (queued) {
      queued.inPlace = queued.inPlace && !!inPlace;
      return queued.promise;
    }
    const request = { inPlace: !!inPlace };
    queued = request;
    request.promise = drawing = drawing.then(() => {
      queued = null;
      return drawCharts(request.inPlace);
    }).catch((e) => showError(e.message));
    return request.promise;
  }

  async function drawCharts(inPlace) {
    const byName = await selectedSeries();
    const names = [...byName.keys()];
    const same = inPlace && names.length === state.charts.length + document.querySelectorAll('#charts .chart:not(.scalar)').length;
    if (same) {
      for (const c of state.charts) if (byName.has(c.name)) c.update(byName.get(c.name));
      return;
    }
    for (const c of state.charts) c.chart.destroy();
    state.charts = [];
    const container = document.getElementById('charts');
    container.replaceChildren();
    if (!names.length) {
      container.append(el('p', { class: 'muted' }, state.selected.length ? 'no values logged yet' : 'tick a run to see its values'));
    }
    for (const [name, entries] of byName) {
      const kind = entries[0].s.kind;
      if (kind === 'scalar') container.append(scalarCard(name, entries));
      else if (RENDERERS[kind]) container.append(epochCard(name, kind, entries, RENDERERS[kind]));
    }
  }

  // ---- experiments, live updates ----

  async function loadExperiment(name) {
    state.experiment = name;
    state.series.clear();
    state.runs = await api(apiBase() + '/runs');
    const newest = state.runs.find((r) => r.kind === 'record');
    state.selected = newest ? [newest.id] : [];
    drawRuns();
    await Promise.all([drawSweeps(), drawDivergences(), refreshCharts()]);
  }

  async function poll() {
    try {
      const runs = await api(apiBase() + '/runs');
      const running = runs.filter((r) => r.status === 'running').length;
      const wasRunning = state.live;
      state.live = running > 0;
      document.getElementById('live').textContent = running ? 'live: ' + running + ' running' : '';
      if (!running && !wasRunning && runs.length === state.runs.length) return;
      state.runs = runs;
      drawRuns();
      state.live = true;  // refetch the series once more, after the last run ended too
      await Promise.all([drawSweeps(), drawDivergences(), refreshCharts(true)]);
      state.live = running > 0;
    } catch (e) {
      showError('live update failed: ' + e.message);
    }
  }

  async function runTestHook(params) {
    const select = params.get('select');
    if (select) {
      document.getElementById('clear-selection').click();
      for (const id of select.split(',')) document.getElementById('select-' + id).click();
    }
    await drawing;
    const datasets = [];
    for (const c of state.charts) {
      for (const d of c.chart.data.datasets) {
        datasets.push({ chart: c.name, label: d.label, hindsight: !!d.hindsight, diverged: !!d.diverged, nonFinite: !!d.nonFinite,
                        points: d.data.length, dashed: !!(d.borderDash && d.borderDash.length) });
      }
    }
    const report = {
      ms: Math.round(performance.now()), errors: state.errors, embedded: !!DATA, charts: state.charts.length, names: state.charts.map((c) => c.name),
      selected: state.selected, datasets, runs: document.querySelectorAll('#runs tbody tr').length,
      sweeps: document.querySelectorAll('#sweeps tbody tr').length,
      firstDivergence: (document.querySelector('tr.first-divergence') || {}).textContent || null,
      histograms: document.querySelectorAll('.chart.histogram canvas').length,
      images: [...document.querySelectorAll('.chart.image img')].map((i) => i.getAttribute('src')),
      heatmapCells: document.querySelectorAll('.chart.tensor td').length,
      notes: state.charts.map((c) => c.note.textContent).filter((t) => t),
    };
    const pre = el('pre', { id: 'flor-test' });
    pre.textContent = JSON.stringify(report);
    document.body.append(pre);
  }

  async function main() {
    const params = new URLSearchParams(location.hash.slice(1));
    const experiments = await api('/api/experiments');
    const select = document.getElementById('experiment');
    select.replaceChildren(...experiments.map((e) => el('option', { value: e.name }, e.name)));
    const wanted = params.get('exp') || (experiments[0] && experiments[0].name);
    if (wanted) {
      select.value = wanted;
      await loadExperiment(wanted);
    } else {
      document.getElementById('charts').append(el('p', { class: 'muted' }, 'no experiments yet: record one with flor run NAME -- CMD'));
    }
    select.addEventListener('change', () => loadExperiment(select.value).catch((e) => showError(e.message)));
    document.getElementById('log-scale').addEventListener('change', (e) => { state.log = e.target.checked; refreshCharts(true); });
    if (!DATA) setInterval(poll, POLL_MS);
    if (params.has('test')) await runTestHook(params);
  }

  main().catch((e) => { showError(e.message); console.error(e.message); });
  window.florPage = { state, zoom, refreshCharts };
})();
