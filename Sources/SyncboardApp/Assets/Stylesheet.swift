/// The app's stylesheet, compiled into the binary and served at /static/syncboard.css (no CDN, no build step).
enum Stylesheet {
    static let css = #"""
:root {
  --bg: #f6f7f9; --surface: #ffffff; --text: #1c2330; --muted: #5a6472; --border: #d9dee5;
  --accent: #1f5fbf; --accent-text: #ffffff; --accent-soft: #e8f0fc;
  --ok: #17713a; --ok-soft: #e3f4e8; --warn: #8a5300; --warn-soft: #fff3dc;
  --bad: #b3261e; --bad-soft: #fdeceb; --info-soft: #eef3fb; --paused: #5a6472; --paused-soft: #eef0f3;
  --radius: 10px; --shadow: 0 1px 2px rgba(20, 30, 50, .06), 0 2px 8px rgba(20, 30, 50, .05);
  /* Focus ring and form-control borders keep 3:1 against every background they sit on (WCAG 1.4.11). */
  --focus-ring: #0b3d91; --control-border: #737d8c;
  --chart-ok: #2e9d57; --chart-bad: #d0453b; --chart-warn: #b87a00; --chart-run: #3b7ddd; --chart-muted: #808b99;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.5; color: var(--text); background: var(--bg);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12161d; --surface: #1b212b; --text: #e8ecf2; --muted: #a5afbd; --border: #323b48;
    --accent: #7fb0ff; --accent-text: #0d1420; --accent-soft: #1f2c42;
    --ok: #6fd394; --ok-soft: #17301f; --warn: #ffc56b; --warn-soft: #3a2c12;
    --bad: #ff8f86; --bad-soft: #3d1b19; --info-soft: #1b2536; --paused: #a5afbd; --paused-soft: #262d38;
    --focus-ring: #ffbf47; --control-border: #8a95a5;
  }
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
main { flex: 1; width: 100%; max-width: 1120px; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
a { color: var(--accent); }
/* An outline, not a box-shadow: it stays visible in forced-colours (high contrast) mode. */
:focus-visible { outline: 3px solid var(--focus-ring); outline-offset: 2px; }
/* Focus on a time field's picker button makes the field neither :focus nor :focus-visible, only :focus-within. */
input[type=time]:focus-within { outline: 3px solid var(--focus-ring); outline-offset: 2px; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
h1 { font-size: 1.6rem; margin: .2rem 0 1rem; } h2 { font-size: 1.2rem; margin: 1.5rem 0 .6rem; } h3 { font-size: 1.02rem; margin: 1rem 0 .4rem; }
p { margin: .4rem 0 .8rem; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em; }
.skip-link { position: absolute; left: -999px; top: .5rem; background: var(--surface); padding: .4rem .8rem; z-index: 10; }
.skip-link:focus { left: .5rem; }
main:focus { outline: none; }
.demo-banner { margin: 0; background: var(--warn-soft); color: var(--warn); text-align: center; padding: .45rem 1rem; font-size: .92rem; border-bottom: 1px solid var(--border); }
.site-header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .7rem 1.25rem;
  background: var(--surface); border-bottom: 1px solid var(--border); }
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; color: var(--text); }
.brand-mark { display: inline-grid; place-items: center; width: 1.7rem; height: 1.7rem; border-radius: 7px; background: var(--accent); color: var(--accent-text); font-size: .95rem; }
.site-header nav ul { display: flex; gap: .25rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
.site-header nav a { display: block; padding: .35rem .7rem; border-radius: 8px; text-decoration: none; color: var(--muted); font-weight: 500; }
.site-header nav a:hover { background: var(--accent-soft); color: var(--text); }
.site-header nav a[aria-current="page"] { background: var(--accent-soft); color: var(--accent); }
.signout { margin-left: auto; display: flex; align-items: center; gap: .75rem; }
.viewer { color: var(--muted); font-size: .92rem; }
.site-footer { text-align: center; color: var(--muted); font-size: .85rem; padding: 1rem; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); padding: 1.25rem 1.4rem; margin-bottom: 1rem; }
.narrow { max-width: 560px; margin-left: auto; margin-right: auto; }
.hero { text-align: center; padding: 2.5rem 1.5rem; }
.hero h1 { font-size: 2rem; }
.lead { font-size: 1.08rem; color: var(--muted); max-width: 40rem; margin-left: auto; margin-right: auto; }
.button, button.button, input[type=submit] { display: inline-flex; align-items: center; gap: .45rem; padding: .55rem 1.05rem; border-radius: 8px;
  border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text); font: inherit; font-weight: 600; text-decoration: none; cursor: pointer; }
button[disabled], .button[disabled] { opacity: .45; cursor: not-allowed; }
.button.secondary { background: var(--surface); color: var(--accent); }
.button.danger { background: var(--surface); color: var(--bad); border-color: var(--bad); }
.button.small { padding: .3rem .7rem; font-size: .88rem; }
.button-link { background: none; border: none; color: var(--accent); font: inherit; cursor: pointer; padding: .2rem .3rem; text-decoration: underline; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.actions form { margin: 0; }
.panel-head { justify-content: space-between; }
.panel-head h2 { margin: 0; }
.panel-head .badge { margin-left: .25rem; vertical-align: middle; }
.notice { border-radius: var(--radius); padding: .75rem 1rem; margin-bottom: 1rem; border: 1px solid var(--border); background: var(--info-soft); }
.notice-success { background: var(--ok-soft); color: var(--ok); }
.notice-warning { background: var(--warn-soft); color: var(--warn); }
.notice-error { background: var(--bad-soft); color: var(--bad); }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .8rem; font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.badge-healthy, .badge-succeeded, .badge-active { background: var(--ok-soft); color: var(--ok); }
.badge-failing, .badge-failed, .badge-timed_out, .badge-abandoned, .badge-interrupted, .badge-broken { background: var(--bad-soft); color: var(--bad); }
.badge-needs_reconnect, .badge-needs_reauth, .badge-warning { background: var(--warn-soft); color: var(--warn); }
.badge-paused, .badge-cancelled, .badge-new, .badge-revoked { background: var(--paused-soft); color: var(--paused); }
.badge-running, .badge-queued { background: var(--accent-soft); color: var(--accent); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .55rem .6rem; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: .82rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); font-weight: 600; }
.table-wrap { overflow-x: auto; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 3px; vertical-align: -1px; margin-right: .35rem; border: 1px solid rgba(0,0,0,.15); }
form.stacked { display: grid; gap: 1rem; }
.field { display: grid; gap: .3rem; }
.field label, legend { font-weight: 600; }
.field .hint { color: var(--muted); font-size: .88rem; margin: 0; }
.error { color: var(--bad); font-size: .9rem; margin: 0; font-weight: 600; }
input[type=text], input[type=number], input[type=time], input[type=search], select, textarea {
  font: inherit; padding: .5rem .6rem; border-radius: 8px; border: 1px solid var(--control-border); background: var(--surface); color: var(--text); width: 100%; max-width: 32rem; }
input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"],
.field.invalid input, .field.invalid select, .field.invalid textarea { border: 2px solid var(--bad); }
input[type=checkbox], input[type=radio] { width: 1.15rem; height: 1.15rem; margin: 0; accent-color: var(--accent); flex: none; align-self: center; }
fieldset { border: 1px solid var(--border); border-radius: var(--radius); padding: .8rem 1rem 1rem; margin: 0; }
.grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
.steps { counter-reset: step; list-style: none; padding: 0; display: grid; gap: .8rem; }
.steps li { counter-increment: step; padding-left: 2.6rem; position: relative; }
.steps li::before { content: counter(step); position: absolute; left: 0; top: 0; width: 1.9rem; height: 1.9rem; border-radius: 50%;
  background: var(--accent-soft); color: var(--accent); display: grid; place-items: center; font-weight: 700; }
.steps h2 { font-size: 1.02rem; margin: .2rem 0 .4rem; }
.steps li.done::before { content: "✓"; background: var(--ok-soft); color: var(--ok); }
.log { background: #0f141b; color: #dce3ec; border-radius: var(--radius); padding: .8rem 1rem; max-height: 32rem; overflow: auto; font-size: .84rem; white-space: pre-wrap; word-break: break-word; }
.log .stderr { color: #ffd18a; } .log .syncboard { color: #8fc3ff; } .log mark { background: #ffbf47; color: #111; }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.2rem; margin: 0; }
.kv dt { color: var(--muted); } .kv dd { margin: 0; }
.job-list { display: grid; gap: 1rem; }
.job-card h2 { margin: 0; font-size: 1.15rem; } .job-card h2 a { color: var(--text); text-decoration: none; } .job-card h2 a:hover { text-decoration: underline; }
.job-head, .job-foot { display: flex; justify-content: space-between; align-items: center; gap: .6rem; flex-wrap: wrap; }
.job-card .route { margin: .5rem 0; } .job-card .arrow { color: var(--muted); font-weight: 700; }
.job-card .notice { margin: .5rem 0; padding: .5rem .8rem; }
.kv.compact { grid-template-columns: max-content 1fr; font-size: .94rem; margin: .4rem 0 .6rem; }
.small { font-size: .85rem; }
.card > h2:first-child, .card > h1:first-child, fieldset.card > legend + * { margin-top: 0; }
.log-search input[type=search] { width: 14rem; } .log-search label { font-size: .9rem; }
.step { border-top: 1px solid var(--border); padding: .6rem 0; } .step:first-of-type { border-top: none; }
.check { display: flex; gap: .5rem; align-items: center; min-height: 1.75rem; }
.nested { margin-left: 1.6rem; margin-top: .4rem; }
.grid.two { grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); }
details.card > summary { cursor: pointer; font-weight: 600; }
legend { padding: 0 .3rem; font-size: 1.1rem; }
fieldset.plain { border: 0; padding: 0; margin: 0; min-width: 0; } fieldset.plain > legend { padding: 0; margin-bottom: .3rem; font-size: 1rem; }
.preview ol { margin: .3rem 0 0; }
/* The job form's calendars of one kind of job (copy or group); the script hides the kind not chosen. */
[hidden] { display: none !important; }
fieldset.kind-fields { display: grid; gap: .8rem; }
fieldset.kind-fields > legend { font-size: 1rem; }
fieldset.calendar-checks { display: grid; gap: .2rem; }
fieldset.plain.calendar-checks > legend { font-weight: 600; }
.calendar-checks .hint { color: var(--muted); font-size: .88rem; margin: 0 0 .3rem; }
/* A job's calendars, one direction or destination a line: the dashboard's last-run results, the job page's list. */
.calendar-list, .leg-results { list-style: none; margin: 0; padding: 0; }
.leg-results { display: flex; flex-wrap: wrap; gap: .2rem 1rem; font-size: .92rem; }
.leg-ok { color: var(--ok); } .leg-bad { color: var(--bad); }
.chart { display: block; width: 100%; max-width: 100%; height: auto; }
.chart text { font-size: 10px; fill: var(--muted); } .chart .axis { stroke: var(--border); }
.c-ok { fill: var(--chart-ok); } .c-bad { fill: var(--chart-bad); } .c-warn { fill: var(--chart-warn); } .c-run { fill: var(--chart-run); } .c-muted { fill: var(--chart-muted); }
.strip { vertical-align: middle; }
.legend { display: flex; gap: 1rem; flex-wrap: wrap; font-size: .85rem; color: var(--muted); margin: .3rem 0 0; padding: 0; list-style: none; }
.legend svg { vertical-align: -1px; margin-right: .3rem; }
@media (max-width: 640px) {
  .site-header { padding: .6rem .8rem; } .signout { margin-left: 0; width: 100%; justify-content: space-between; }
  main { padding: 1rem .6rem 2rem; } .card { padding: 1rem; } .hero h1 { font-size: 1.6rem; }
  th.optional, td.optional { display: none; }
}
"""#
}
