//! Criterion benchmarks of the parsers on real corpus files (synthetic ones when the corpus is
//! absent): `cargo bench --bench parsers`.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn corpus_file(rel: &str) -> Option<String> {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus").join(rel)).ok()
}

/// The largest file of each kind in the corpus, or a generated stand-in.
fn inputs() -> Vec<(&'static str, String)> {
    let json = corpus_file("cognito/aws-amplify__amplify-cli/amplify-migration-apps__fitness-tracker___snapshot.pre.refactor@22f98969/amplify-fitnesstracker-main-0683c.template.json")
        .unwrap_or_else(|| format!("{{\"Resources\": {{{}}}}}", (0..2000).map(|i| format!("\"R{i}\": {{\"Type\": \"AWS::SNS::Topic\", \"Properties\": {{\"TopicName\": \"t{i}\"}}}}")).collect::<Vec<_>>().join(",")));
    let yaml = corpus_file("cognito/aws-solutions__media-insights-on-aws/deployment@619a409c/media-insights-stack.yaml")
        .unwrap_or_else(|| format!("Resources:\n{}", (0..2000).map(|i| format!("  R{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub \"t{i}-${{AWS::Region}}\"\n")).collect::<String>()));
    let hcl = corpus_file(
        "cognito/dasmeta__terraform-aws-modules/modules__cognito-identity-pool-final/iam-role.tf",
    )
    .map(|t| t.repeat(50))
    .unwrap_or_else(|| {
        (0..200).map(|i| format!("resource \"aws_iam_role\" \"r{i}\" {{\n  name = \"r{i}\"\n}}\n")).collect()
    });
    vec![("json", json), ("yaml", yaml), ("hcl", hcl)]
}

fn parsers(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (kind, text) in inputs() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(kind, |b| {
            b.iter(|| {
                let parsed = match kind {
                    "json" => cognitrust::syntax::json::parse(&text),
                    "yaml" => cognitrust::syntax::yaml::parse(&text),
                    _ => cognitrust::syntax::hcl::parse(&text),
                };
                std::hint::black_box(parsed.map(|p| p.issues.len()).unwrap_or(0))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parsers);
criterion_main!(benches);
