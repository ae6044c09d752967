//! The documents' stylesheet: readable on screen and printed to A4 (a title page of its own,
//! chapters on new pages, tables and figures kept whole, links shown as text).

pub const CSS: &str = r#"body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:2rem;margin:.5rem 0}
h2{margin-top:2.5rem;border-bottom:2px solid #0072b2;padding-bottom:.2rem}
.title-page{padding:4rem 0 3rem}
.title-page .kind{font-size:1.3rem;color:#0072b2;font-weight:bold;margin:0}
.title-page .subtitle{font-size:1.15rem}
.status{background:#fff3cd;border-left:6px solid #e69f00;padding:.6rem}
.internal{background:#c00;color:#fff;padding:.5rem}
.synthetic{position:fixed;top:0;right:0;background:#e69f00;color:#000;font-size:.75rem;font-weight:bold;padding:.15rem .5rem;z-index:1}
.lead{font-size:1.05rem}
.key-results{background:#f3f8fb;border-left:4px solid #0072b2;padding:.2rem .9rem;margin:1rem 0}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border-bottom:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.empty{color:#666;font-style:italic}
td.hash,span.hash{font-family:monospace;font-size:.75rem;word-break:break-all}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
p.note{font-size:.85rem;color:#444;margin-top:-.6rem}
figure{margin:1.5rem 0}
figure .svg svg{max-width:100%;height:auto}
figcaption{font-size:.9rem;margin-top:.3rem}
details.alt{font-size:.85rem;color:#333}
dl.definitions dt{font-weight:bold;margin-top:.4rem}
dl.definitions dd{margin-left:1.5rem}
nav.contents ol{columns:2}
nav.contents li{break-inside:avoid}
@page{size:A4;margin:18mm 16mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10pt}
.title-page{break-after:page;padding-top:30%}
nav.contents{break-after:page}
section.chapter,section.appendix{break-before:page}
h2,h3,h4,caption{break-after:avoid}
table,figure,.key-results{break-inside:avoid}
p.note{break-before:avoid;break-inside:avoid}
details.alt{display:none}
.synthetic{display:none}
a{color:inherit;text-decoration:none}
}
"#;
