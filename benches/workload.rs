//! A synthetic but realistic gate: 1,000 budget checks over 10,000 measurements, in the
//! mix a large monorepo would have. Shared by `benches/pipeline.rs` and
//! `examples/write_workload.rs` (which writes it to files to time the whole binary).

use std::fmt::Write;

/// Measurements: 500 pages × 8 Lighthouse metrics, 500 endpoints × 6 k6 statistics,
/// 2,000 criterion benchmarks, 1,000 bundle files = 10,000.
pub(crate) fn measurements_json() -> String {
    let mut out = String::from("[\n");
    let mut first = true;
    let mut push = |line: String| {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        out.push_str(&line);
    };
    let lighthouse = [
        ("lcp", "ms", 2000.0),
        ("fcp", "ms", 1200.0),
        ("tbt", "ms", 150.0),
        ("cls", "number", 0.05),
        ("speed_index", "ms", 3000.0),
        ("ttfb", "ms", 300.0),
        ("score", "number", 92.0),
        ("page_weight", "B", 900_000.0),
    ];
    for page in 0..500 {
        for (metric, unit, typical) in lighthouse {
            let slow = if page % 50 == 0 { 1.6 } else { 1.0 };
            let value = if metric == "score" {
                // Higher is better: a slow page scores lower.
                (100.0 - (page % 2) as f64) / slow
            } else {
                typical * (0.5 + (page % 10) as f64 * 0.04) * slow
            };
            push(format!(
                r#"{{"source":"lighthouse","metric":"{metric}","subject":{{"url":"https://shop.example/page{page}/","form_factor":"mobile"}},"value":{value},"unit":"{unit}"}}"#
            ));
        }
    }
    for endpoint in 0..500 {
        for (stat, factor) in
            [("avg", 0.5), ("med", 0.45), ("p(90)", 0.9), ("p(95)", 1.0), ("p(99)", 1.6), ("max", 3.0)]
        {
            let slow = if endpoint % 40 == 0 { 2.0 } else { 1.0 };
            let value = factor * (120.0 + (endpoint % 25) as f64 * 3.0) * slow;
            push(format!(
                r#"{{"source":"k6","metric":"http_req_duration","stat":"{stat}","subject":{{"name":"GET /api/r{endpoint}/items","method":"GET","status":"200"}},"value":{value},"unit":"ms"}}"#
            ));
        }
    }
    for bench in 0..2000 {
        let value = 500_000.0 + (bench % 40) as f64 * 10_000.0;
        push(format!(
            r#"{{"source":"criterion","metric":"bench_time","stat":"slope","subject":{{"id":"group{}/bench{bench}"}},"value":{value},"unit":"ns","lower":{},"upper":{}}}"#,
            bench / 20,
            value * 0.98,
            value * 1.02
        ));
    }
    for file in 0..1000 {
        let value = 20_000 + (file % 30) * 700;
        push(format!(
            r#"{{"source":"bundle","metric":"bundle_size","stat":"brotli","subject":{{"file":"dist/assets/chunk{file}.js"}},"value":{value},"unit":"B"}}"#
        ));
    }
    out.push_str("\n]\n");
    out
}

/// 1,000 checks: 8 short-form limits and 992 long-form entries with selectors.
pub(crate) fn budget_yaml() -> String {
    let mut out = String::from(
        "version: 1\nname: Monorepo\ndefaults: { warn: 10% }\nlimits:\n  lcp: 2.5s\n  fcp: 1.8s\n  cls: 0.1\n  tbt: 200ms\n  score: 90\n  api_p95: 300ms\n  api_p99: 500ms\n  bundle_size: 30 MB\nbudgets:\n",
    );
    for page in 0..300 {
        let _ = writeln!(out, "  - name: Page {page} LCP\n    metric: lcp\n    url: \"*/page{page}/*\"\n    max: 2.2s");
    }
    for endpoint in 0..300 {
        let _ = writeln!(
            out,
            "  - metric: api_p95\n    tags: {{ name: \"GET /api/r{endpoint}/*\", status: \"2*\" }}\n    max: 250ms"
        );
    }
    for group in 0..100 {
        for bench in 0..3 {
            let _ = writeln!(
                out,
                "  - metric: bench_time\n    id: \"group{group}/bench{}*\"\n    max: {}ms",
                group * 20 + bench,
                1 + bench
            );
        }
    }
    for chunk in 0..92 {
        let _ = writeln!(
            out,
            "  - metric: bundle_size\n    files: [\"dist/assets/chunk{chunk}*.js\", \"!**/*.map\"]\n    each: true\n    max: 45 KiB"
        );
    }
    out
}
