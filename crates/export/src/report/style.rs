//! The report's stylesheet, inlined into the page (the CSP allows inline styles only). System
//! fonts only, dark text on white, colours with enough contrast for text (4.5:1) and for chart
//! marks (3:1), and one meaning per colour across all charts: blue is distance, orange is pain,
//! red and amber are flags. The print rules put the physio summary on one A4 page, break after
//! it, keep figures whole and leave out the data-table toggles (the tables are the screen
//! reader's and the curious reader's alternative; on paper the charts and summary tables stand).

pub const CSS: &str = r#"
:root{--ink:#1b2430;--muted:#56606d;--line:#dce1e7;--soft:#f3f5f8;--accent:#1d4f7c;
--dist:#4a7fb0;--dist-cur:#a8c3dd;--pain:#d4480b;--strong:#c62828;--warn:#c77700;--note:#6b7785}
*{box-sizing:border-box}
html{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
body{margin:0}
.page{max-width:1000px;margin:0 auto;padding:28px 32px 56px}
h1{font-size:1.7rem;line-height:1.2;margin:0 0 .25rem;color:var(--accent);letter-spacing:-.01em}
h2{font-size:1.3rem;margin:2.4rem 0 .7rem;padding-bottom:.3rem;border-bottom:2px solid var(--line);color:var(--accent)}
h3{font-size:1.02rem;margin:1.3rem 0 .45rem}
p{margin:.45rem 0}
ul{margin:.3rem 0;padding-left:1.2rem}
a{color:var(--accent)}
.meta,.muted{color:var(--muted)}
.disclaimer{border-left:4px solid var(--accent);background:var(--soft);padding:.55rem .85rem;margin:.7rem 0 0;font-size:.9rem}
nav{margin:1rem 0 0;font-size:.9rem}
nav ol{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;margin:0;padding:0;list-style:none;counter-reset:n}
nav li{counter-increment:n}
nav li::before{content:counter(n) ". ";color:var(--muted)}
.summary{border:1px solid var(--line);border-radius:8px;padding:.2rem 1.2rem 1rem;margin-top:1.4rem}
.summary h2{margin-top:.9rem}
.summary h3{margin-top:1rem;font-size:.98rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.hn{font-weight:400;text-transform:none;letter-spacing:0;font-size:.85em}
.assess{border:1px solid var(--line);border-radius:6px;padding:.6rem .9rem;background:#fbfcfd}
.triage{font-weight:600;margin-top:0}
.tri{display:inline-block;padding:.05rem .5rem;border-radius:4px;color:#fff;font-size:.85rem;margin-right:.35rem}
.tri-emergency{background:#a61b1b}.tri-urgent{background:#b93a08}.tri-clinician{background:#8f5300}.tri-self{background:#2a7047}.tri-other{background:#4a5563}
.redflags{border:2px solid var(--strong);background:#fdecec;border-radius:6px;padding:.4rem .8rem;margin:.5rem 0;color:#7a1313}
.rf-h{font-weight:700;margin:0;text-transform:uppercase;letter-spacing:.04em;font-size:.85rem}
.redflags ul{margin:.2rem 0}
.pn{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:1.2rem}
.k{font-weight:600;margin:.35rem 0 .1rem;font-size:.9rem}
.stats{margin-top:0}
.loadgrid{display:grid;grid-template-columns:max-content minmax(240px,1fr);gap:1.2rem;align-items:start}
.cols2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.4rem;align-items:start}
.tw{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.86rem;font-variant-numeric:tabular-nums}
th,td{padding:.28rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:var(--soft);font-weight:600;border-bottom:1px solid #c5ccd5;vertical-align:bottom}
tbody th{font-weight:500;white-space:nowrap}
.n{text-align:right}
table.compact th,table.compact td{padding:.2rem .4rem}
td.notes{color:var(--muted);font-size:.82rem}
.hu{display:block;font-weight:400;color:var(--muted);font-size:.76rem}
table.compact thead th{white-space:nowrap}
.diary td:not(.notes){white-space:nowrap}
.sessions{columns:2;column-gap:1.6rem}
.sessions li{break-inside:avoid}
.p-lo{color:#2a7047}.p-mid{color:#8f5300;font-weight:600}.p-hi{color:#a61b1b;font-weight:700}
.sessions{list-style:none;padding:0;font-size:.88rem}
.sessions li{padding:.12rem 0;border-bottom:1px dotted var(--line)}
.when{color:var(--muted);white-space:nowrap}
.ok{color:#2a7047;font-weight:600}.issue{color:#8f5300;font-weight:600}.warn-t{color:#8f5300}
.note{font-size:.82rem;color:var(--muted)}
.empty{color:var(--muted);font-style:italic;background:var(--soft);border-radius:6px;padding:.55rem .8rem}
.lvl{display:inline-block;font-size:.72rem;font-weight:700;padding:0 .35rem;border-radius:3px;text-transform:uppercase;letter-spacing:.03em;vertical-align:.08em}
.lvl-strong{background:#fde8e8;color:#a61b1b}.lvl-warn{background:#fff1dc;color:#7d4600}.lvl-note{background:#eef1f4;color:#3f4a57}
figure{margin:.8rem 0 1.2rem}
figcaption{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.2rem 1rem;font-size:.86rem;margin-bottom:.25rem}
.ft{font-weight:600}
.keys{display:flex;flex-wrap:wrap;gap:.1rem .9rem;color:var(--muted)}
.key{white-space:nowrap}
.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-.08rem;border-radius:2px}
.sw-bar{background:var(--dist)}.sw-strain{background:#7c8db0}
.sw-pain{height:3px;vertical-align:.2rem;background:var(--pain)}
.sw-painpt,.sw-fr{border-radius:50%;background:var(--pain)}.sw-fr{background:var(--accent)}.sw-fb{border-radius:50%;background:#9aabbf}
.sw-flag{width:0;height:0;border-radius:0;border-left:.42rem solid transparent;border-right:.42rem solid transparent;border-top:.7rem solid var(--strong);background:none}
.sw-mono{height:3px;vertical-align:.2rem;background:#5b5ea6}
.sw-au{height:3px;vertical-align:.2rem;background:var(--accent)}
.sw-ae{height:0;border-top:3px dashed #7a4fb0;vertical-align:.2rem;border-radius:0}
.sw-one,.sw-base{height:0;border-top:2px dashed var(--muted);vertical-align:.2rem;border-radius:0}
svg.chart{display:block;width:100%;height:auto;overflow:visible}
.chart text{font-size:11px;fill:var(--muted)}
.summary .chart text{font-size:13px}
.chart .e{text-anchor:end}.chart .m{text-anchor:middle}.chart .u{font-weight:600}
.grid{stroke:#e8ebf0;stroke-width:1}
.axis{stroke:#9aa5b1;stroke-width:1}
.b{fill:var(--dist)}.b.cur{fill:var(--dist-cur)}
.pl{fill:none;stroke:var(--pain);stroke-width:2;stroke-linejoin:round}.pl.thin{stroke-width:1;opacity:.85}
.pd{fill:var(--pain);stroke:#fff;stroke-width:1}
.mk{stroke:#fff;stroke-width:.6}.mk-strong{fill:var(--strong)}.mk-warn{fill:var(--warn)}.mk-note{fill:var(--note)}
.ml{fill:none;stroke:#5b5ea6;stroke-width:2}.md{fill:#5b5ea6}
.st{fill:#7c8db0}
.one{stroke:var(--muted);stroke-dasharray:4 4}
.au{fill:none;stroke:var(--accent);stroke-width:2}.aud{fill:var(--accent)}
.ae{fill:none;stroke:#7a4fb0;stroke-width:2;stroke-dasharray:6 3}.aed{fill:#7a4fb0}
.refl{stroke:var(--warn);stroke-width:1.5;stroke-dasharray:2 3}
.chart .rt{fill:#7d4600;font-size:10px}
.basel{stroke:var(--muted);stroke-width:1.5;stroke-dasharray:6 4}
.fb{fill:#9aabbf}.fr{fill:var(--accent)}
details{margin-top:.35rem;font-size:.86rem}
summary{cursor:pointer;color:var(--accent);font-weight:500}
details .tw{max-height:24rem;overflow:auto;margin-top:.3rem;border:1px solid var(--line);border-radius:4px}
details thead th{position:sticky;top:0}
.meaning{color:var(--muted);font-size:.92rem}
.callout{border-left:4px solid var(--warn);background:#fff8ec;padding:.45rem .85rem;border-radius:0 6px 6px 0;font-size:.92rem}
.formgrid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:.4rem 1.6rem}
.fm h3{margin-bottom:.2rem}
.fm>p{font-size:.9rem;margin-top:0}
.certainty{font-weight:600;padding:.4rem .8rem;border-radius:6px}
.c-note{background:var(--soft)}.c-warn{background:#fff1dc;color:#5c3400}
.findings li{margin:.2rem 0}
.pn,.signals,.formgrid,.cols2,.plan,td.why,td.notes{overflow-wrap:anywhere}
.plan{margin:.2rem 0}
.vd{display:inline-block;font-size:.75rem;font-weight:700;padding:0 .4rem;border-radius:3px;white-space:nowrap}
span.vd-progress{background:#dcefe3;color:#1d5a37}span.vd-hold{background:#eef1f4;color:#3f4a57}span.vd-step{background:#fff1dc;color:#7d4600}span.vd-doctor{background:#fde8e8;color:#a61b1b}
circle.vd-progress{fill:#2a7047}circle.vd-hold{fill:#8a96a3}circle.vd-step{fill:var(--warn)}circle.vd-doctor{fill:var(--strong)}
.sw-progress,.sw-hold,.sw-step,.sw-doctor{border-radius:50%}.sw-progress{background:#2a7047}.sw-hold{background:#8a96a3}.sw-step{background:var(--warn)}.sw-doctor{background:var(--strong)}
.pl.pdur{stroke-width:1.5;stroke-dasharray:6 3}.pl.paft{stroke-width:1.5;stroke-dasharray:2 3}
.sw-pdur,.sw-paft{height:0;border-top:2px dashed var(--pain);vertical-align:.2rem;border-radius:0}.sw-paft{border-top-style:dotted}
table.record td.why{min-width:16rem;font-size:.84rem}
table.record tbody th,table.record td:not(.why){white-space:nowrap}
table.record td:nth-child(3){white-space:normal;overflow-wrap:anywhere}
table.links tr.clear th,table.links tr.clear td{font-weight:700;background:#fffaf0}
.signals{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:.9rem}
.signal{border:1px solid var(--line);border-radius:8px;padding:.2rem .9rem .6rem}
.signal h3{margin:.6rem 0 .2rem}
.signal>p{font-size:.9rem}
.tags{margin:.2rem 0}
.grade,.tag{display:inline-block;font-size:.75rem;font-weight:700;padding:.05rem .45rem;border-radius:3px;margin-right:.3rem}
.g-a{background:#dcefe3;color:#1d5a37}.g-b{background:#e1ecf7;color:#1d4f7c}.g-c{background:#fff1dc;color:#6e3e00}.g-d{background:#eef1f4;color:#3f4a57}.g-x{background:#fde8e8;color:#8c1d1d}
.tag{background:#eef1f4;color:#3f4a57;font-weight:600}.t-alert{background:#fde8e8;color:#8c1d1d}
.src{color:var(--muted)}
.refs{font-size:.86rem;padding-left:1.6rem}
.refs li{margin:.2rem 0}
.refs li:target{background:#fff6d6}
@media screen and (max-width:900px){.loadgrid{grid-template-columns:minmax(0,1fr)}}
@media screen and (max-width:760px){
.page{padding:16px}
.loadgrid,.cols2,.formgrid,.signals,.pn{grid-template-columns:minmax(0,1fr)}
}
@page{size:A4;margin:10mm 11mm}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
html{font-size:8.6pt}
.page{max-width:none;padding:0}
nav,details{display:none}
h1{font-size:1.45rem}
h2{margin-top:1.2rem;break-after:avoid;page-break-after:avoid}
h3{break-after:avoid;page-break-after:avoid}
.disclaimer{margin-top:.3rem;padding:.3rem .6rem;font-size:.82rem}
.summary{border:0;padding:0;margin:0;break-after:page;page-break-after:always;font-size:.85rem;line-height:1.22}
.summary h2{margin:.4rem 0 .2rem;padding-bottom:.1rem}
.summary h3{margin:.4rem 0 .1rem;font-size:.82rem}
.summary p{margin:.15rem 0}
.summary ul{margin:.1rem 0}
.assess{padding:.25rem .6rem}
.redflags{padding:.15rem .6rem;margin:.25rem 0}
.summary table.compact th,.summary table.compact td{padding:.04rem .3rem}
.summary table{font-size:.84rem}
.summary .note{margin:.05rem 0}
.sessions li{padding:0}
.loadgrid{gap:.8rem}
.summary figure{margin:0}
.diary td.notes{max-width:0;width:45%;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sessions .st{display:none}
.summary figcaption{font-size:.8rem}
figure,.signal,.fm,.assess,tr{break-inside:avoid;page-break-inside:avoid}
figure{margin:.4rem 0 .6rem}
a{color:inherit;text-decoration:none}
}
"#;
