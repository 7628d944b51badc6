//! Hostile Terraform: sources whose evaluation fans out (locals, variables, module trees),
//! cycles of locals and of modules, chains of references past the depth bound, module sources
//! that leave the scanned root, a block of duplicate keys and large plans. Each test asserts
//! what the user sees (the error and its place, the CT901 finding and its resource, the
//! findings that are still reported), with the good template beside it still scanned.
//!
//! The generators are the attacker's side; `write_hostile_terraform_inputs` writes each input
//! to a folder so the release binary can be timed on it (BENCHMARKS.md).

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use cognitrust::Report;

use super::{GOOD, scan_dir};

/// How long a scan of a hostile input may take before the test calls it a hang: far above
/// what any of them needs, so the test asserts behaviour, not speed.
const WATCHDOG: Duration = Duration::from_secs(60);

/// The trust policy of a role used by a pool, with `aud = AUD`.
fn trust_policy(aud: &str) -> String {
    format!(
        r#"jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = "cognito-identity.amazonaws.com" }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{
        StringEquals             = {{ "cognito-identity.amazonaws.com:aud" = {aud} }}
        "ForAnyValue:StringLike" = {{ "cognito-identity.amazonaws.com:amr" = "authenticated" }}
      }}
    }}]
  }})"#
    )
}

/// A pool, a role whose trust policy is `POLICY` and an attachment that hands the role out.
fn pool_module(policy: &str) -> String {
    format!(
        r#"resource "aws_cognito_identity_pool" "pool" {{
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
}}

resource "aws_iam_role" "auth" {{
  assume_role_policy = {policy}
}}

resource "aws_cognito_identity_pool_roles_attachment" "main" {{
  identity_pool_id = aws_cognito_identity_pool.pool.id
  roles = {{
    authenticated = aws_iam_role.auth.arn
  }}
}}
"#
    )
}

/// [`pool_module`] with a trust policy whose `aud` is `AUD`: correct when `AUD` is the pool's
/// ID, so anything reported about it comes from the value put in its place.
fn trust_module(aud: &str) -> String {
    pool_module(&trust_policy(aud))
}

/// A role trusting every identity pool (no `aud`): CT106 wherever it is instantiated.
const OPEN_ROLE: &str = r#"resource "aws_iam_role" "open" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "authenticated" }
      }
    }]
  })
}
"#;

/// `l0 = "xxxxxxxx"`, `l{k} = "${local.l{k-1}}…"` repeated `fan` times: `local.l{levels}` is
/// `fan^levels` copies of `l0`, from a file of a few KB.
fn fan_out_locals(levels: usize, fan: usize) -> String {
    let mut text = String::from("locals {\n  l0 = \"xxxxxxxx\"\n");
    for k in 1..=levels {
        let part = format!("${{local.l{}}}", k - 1);
        text.push_str(&format!("  l{k} = \"{}\"\n", part.repeat(fan)));
    }
    text.push_str("}\n\n");
    text
}

/// Locals that fan out, used as the `aud` of a trust policy.
fn locals_fan_out() -> Vec<(String, String)> {
    let mut text = fan_out_locals(12, 10);
    text.push_str(&trust_module("local.l12"));
    vec![("main.tf".into(), text)]
}

/// Locals that fan out inside `jsonencode` of maps of lists of locals: the trust policy is a
/// local whose condition values are lists of the fanned-out locals.
fn jsonencode_fan_out() -> Vec<(String, String)> {
    let mut text = fan_out_locals(12, 10);
    let list = format!("[{}]", ["local.l12"; 10].join(", "));
    let doc = trust_policy(&list).replace("\"authenticated\"", &list);
    text.push_str(&format!("locals {{\n  doc = {doc}\n}}\n\n"));
    text.push_str(&pool_module("local.doc"));
    vec![("main.tf".into(), text)]
}

/// A variable passed down `levels` module calls, doubled `fan` times at each call: the leaf's
/// `var.v` is `fan^levels` copies of the root's value.
fn variables_fan_out(levels: usize, fan: usize) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut root = trust_module("aws_cognito_identity_pool.pool.id");
    root.push_str("\nmodule \"m\" {\n  source = \"./modules/m1\"\n  v      = \"xxxxxxxx\"\n}\n");
    files.push(("main.tf".to_string(), root));
    for k in 1..=levels {
        let mut text = String::from("variable \"v\" {}\n\n");
        if k < levels {
            let arg = "${var.v}".repeat(fan);
            text.push_str(&format!(
                "module \"m\" {{\n  source = \"../m{}\"\n  v      = \"{arg}\"\n}}\n",
                k + 1
            ));
        } else {
            text.push_str(&trust_module("var.v"));
        }
        files.push((format!("modules/m{k}/main.tf"), text));
    }
    files
}

/// A module tree `levels` deep where every module calls the next level `fan` times:
/// `fan^levels` instances from a few hundred bytes. The leaf holds a role with a finding.
fn module_fan_out(levels: usize, fan: usize) -> Vec<(String, String)> {
    let calls = |next: &str| -> String {
        (0..fan).map(|i| format!("module \"c{i}\" {{\n  source = \"{next}\"\n}}\n")).collect()
    };
    let mut files = vec![("main.tf".to_string(), calls("./modules/l1"))];
    for k in 1..=levels {
        let text = if k < levels { calls(&format!("../l{}", k + 1)) } else { OPEN_ROLE.to_string() };
        files.push((format!("modules/l{k}/main.tf"), text));
    }
    files
}

/// A module tree `levels` deep where every module calls the next level once with `for_each`
/// over `keys` keys (or `count = keys`): `keys^levels` instances from a few hundred bytes. The
/// leaf holds a role with a finding.
fn module_for_each_fan_out(levels: usize, keys: usize, count: bool) -> Vec<(String, String)> {
    let meta = if count {
        format!("count = {keys}")
    } else {
        let keys: Vec<String> = (0..keys).map(|i| format!("\"k{i}\"")).collect();
        format!("for_each = toset([{}])", keys.join(", "))
    };
    let call = |next: &str| format!("module \"c\" {{\n  source = \"{next}\"\n  {meta}\n}}\n");
    let mut files = vec![("main.tf".to_string(), call("./modules/l1"))];
    for k in 1..=levels {
        let text = if k < levels { call(&format!("../l{}", k + 1)) } else { OPEN_ROLE.to_string() };
        files.push((format!("modules/l{k}/main.tf"), text));
    }
    files
}

/// A heredoc trust policy whose `aud` is two nested `%{ for }` over 1,000 items around a 100 KB
/// body that renders nothing: 10^6 copies of the body if each iteration were counted as one.
fn template_loop_long_body() -> Vec<(String, String)> {
    let items: Vec<String> = (0..1_000).map(|i| format!("\"{i}\"")).collect();
    let body = format!("%{{ if false }}{}%{{ endif }}", "x".repeat(100_000));
    let aud = format!("%{{ for a in local.l }}%{{ for b in local.l }}{body}%{{ endfor }}%{{ endfor }}");
    let policy = format!(
        "<<EOT\n{{\"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": {{\"Federated\": \"cognito-identity.amazonaws.com\"}}, \"Action\": \"sts:AssumeRoleWithWebIdentity\", \"Condition\": {{\"StringEquals\": {{\"cognito-identity.amazonaws.com:aud\": \"{aud}\"}}}}}}]}}\nEOT\n"
    );
    let text = format!("locals {{\n  l = [{}]\n}}\n\n{}", items.join(", "), pool_module(&policy));
    vec![("main.tf".into(), text)]
}

/// A `roles` map that is `merge` of the same 5,000-key local 200 times: a million entries to
/// merge, each key met 200 times.
fn roles_merge_fan_out() -> Vec<(String, String)> {
    let entries: Vec<String> =
        (0..5_000).map(|i| format!("    k{i} = \"arn:aws:iam::1:role/r{i}\"")).collect();
    let text = format!(
        "locals {{\n  roles = {{\n{}\n  }}\n}}\n\nresource \"aws_cognito_identity_pool_roles_attachment\" \"main\" {{\n  identity_pool_id = \"us-east-1:4a1b2c3d-1111-2222-3333-444455556666\"\n  roles            = merge({})\n}}\n",
        entries.join("\n"),
        vec!["local.roles"; 200].join(", ")
    );
    vec![("main.tf".into(), text)]
}

/// A chain of `length` modules, each calling the next once; the last holds a role with a
/// finding.
fn module_chain(length: usize) -> Vec<(String, String)> {
    let mut files =
        vec![("main.tf".to_string(), "module \"next\" {\n  source = \"./modules/m1\"\n}\n".to_string())];
    for k in 1..=length {
        let text = if k < length {
            format!("module \"next\" {{\n  source = \"../m{}\"\n}}\n", k + 1)
        } else {
            OPEN_ROLE.to_string()
        };
        files.push((format!("modules/m{k}/main.tf"), text));
    }
    files
}

/// `modules/a` calls `modules/b` and `modules/b` calls `modules/a`, with no root module: every
/// module is called by another. Each holds a role with a finding.
fn module_cycle() -> Vec<(String, String)> {
    let with_call = |name: &str, source: &str| {
        format!("module \"{name}\" {{\n  source = \"{source}\"\n}}\n\n{}", OPEN_ROLE)
    };
    vec![
        ("modules/a/main.tf".into(), with_call("b", "../b")),
        ("modules/b/main.tf".into(), with_call("a", "../a")),
    ]
}

/// A module that calls its own folder.
fn module_self_call() -> Vec<(String, String)> {
    vec![("modules/me/main.tf".into(), format!("module \"again\" {{\n  source = \"./\"\n}}\n\n{OPEN_ROLE}"))]
}

/// `local.a = local.b`, `local.b = "${local.a}"`, used as the trust's `aud`.
fn locals_cycle() -> Vec<(String, String)> {
    let mut text = String::from("locals {\n  a = local.b\n  b = \"${local.a}-pool\"\n}\n\n");
    text.push_str(&trust_module("local.a"));
    vec![("main.tf".into(), text)]
}

/// `module.m.out` is `var.x` of the module, and the root passes `x = module.m.out`: a cycle
/// through a module call, used as the trust's `aud`.
fn output_cycle() -> Vec<(String, String)> {
    let root = format!(
        "module \"m\" {{\n  source = \"./modules/m\"\n  x      = module.m.out\n}}\n\n{}",
        trust_module("module.m.out")
    );
    let module = "variable \"x\" {}\n\noutput \"out\" {\n  value = var.x\n}\n";
    vec![("main.tf".into(), root), ("modules/m/main.tf".into(), module.into())]
}

/// A chain of `length` locals, each the previous one, ending at the pool's ID.
fn locals_chain(length: usize) -> Vec<(String, String)> {
    let mut text = String::from("locals {\n  l0 = aws_cognito_identity_pool.pool.id\n");
    for k in 1..length {
        text.push_str(&format!("  l{k} = local.l{}\n", k - 1));
    }
    text.push_str("}\n\n");
    text.push_str(&trust_module(&format!("local.l{}", length - 1)));
    vec![("main.tf".into(), text)]
}

/// One `locals` block with `count` attributes of the same name.
fn duplicate_keys(count: usize) -> Vec<(String, String)> {
    let mut text = String::from("locals {\n");
    for i in 0..count {
        text.push_str(&format!("  a = {i}\n"));
    }
    text.push_str("}\n");
    vec![("dup.tf".into(), text)]
}

/// One object with `count` distinct keys.
fn wide_object(count: usize) -> Vec<(String, String)> {
    let mut text = String::from("locals {\n  wide = {\n");
    for i in 0..count {
        text.push_str(&format!("    k{i} = {i}\n"));
    }
    text.push_str("  }\n}\n");
    vec![("wide.tf".into(), text)]
}

/// [`OPEN_ROLE`]'s trust policy as a JSON string in a plan.
const OPEN_TRUST_JSON: &str = r#"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"cognito-identity.amazonaws.com\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"ForAnyValue:StringLike\":{\"cognito-identity.amazonaws.com:amr\":\"authenticated\"}}}]}"#;

/// A plan with one role (a CT106) whose `count` inline policies all share their name and
/// differ in their text from every configured one: pairing planned with configured blocks by
/// their values meets every pair.
fn plan_blocks(count: usize) -> Vec<(String, String)> {
    let planned: Vec<String> =
        (0..count).map(|i| format!(r#"{{"name": "p", "policy": "planned {i}"}}"#)).collect();
    let configured: Vec<String> = (0..count)
        .map(|i| {
            format!(
                r#"{{"name": {{"constant_value": "p"}}, "policy": {{"constant_value": "configured {i}"}}}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"format_version": "1.2",
"planned_values": {{"root_module": {{"resources": [{{"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r", "values": {{"name": "r", "assume_role_policy": "{OPEN_TRUST_JSON}", "inline_policy": [{}]}}}}]}}}},
"configuration": {{"root_module": {{"resources": [{{"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r", "expressions": {{"inline_policy": [{}]}}}}]}}}}}}"#,
        planned.join(", "),
        configured.join(", ")
    );
    vec![("blocks.json".into(), text)]
}

/// A plan whose module `m` outputs its variable `x`, which the root sets to `module.m.out`:
/// a cycle Terraform would never write, used as a slot's role.
fn plan_cycle() -> Vec<(String, String)> {
    let text = r#"{"format_version": "1.2",
"planned_values": {"root_module": {"resources": [
  {"address": "aws_cognito_identity_pool.pool", "mode": "managed", "type": "aws_cognito_identity_pool", "name": "pool", "values": {"identity_pool_name": "p", "allow_unauthenticated_identities": false}},
  {"address": "aws_cognito_identity_pool_roles_attachment.main", "mode": "managed", "type": "aws_cognito_identity_pool_roles_attachment", "name": "main", "values": {"roles": null}}
]}},
"resource_changes": [
  {"address": "aws_cognito_identity_pool_roles_attachment.main", "change": {"actions": ["create"], "after_unknown": {"identity_pool_id": true, "roles": true}}}
],
"configuration": {"root_module": {
  "resources": [
    {"address": "aws_cognito_identity_pool_roles_attachment.main", "mode": "managed", "type": "aws_cognito_identity_pool_roles_attachment", "name": "main",
     "expressions": {"identity_pool_id": {"references": ["aws_cognito_identity_pool.pool.id", "aws_cognito_identity_pool.pool"]},
                     "roles": {"authenticated": {"references": ["module.m.out", "module.m"]}}}}
  ],
  "module_calls": {"m": {"source": "./m", "expressions": {"x": {"references": ["module.m.out", "module.m"]}},
                         "module": {"outputs": {"out": {"expression": {"references": ["var.x"]}}}}}}
}}}"#;
    vec![("cycle.json".into(), text.into())]
}

/// A module whose role's trust lists `local.big` (48 KB, from four levels of fan-out) forty
/// times, called from a tree of 1,111 instances: 2 GB of values if every copy were kept.
fn large_values_everywhere() -> Vec<(String, String)> {
    let mut leaf = fan_out_locals(3, 10);
    leaf.push_str(&format!("locals {{\n  big = \"{}\"\n}}\n\n", "${local.l3}".repeat(6)));
    let list = format!("[{}]", ["local.big"; 40].join(", "));
    leaf.push_str(&trust_module(&list));
    let mut files = module_fan_out(4, 10);
    files.pop();
    files.push(("modules/l4/main.tf".into(), leaf));
    files
}

/// A plan of `modules` child modules of `per_module` roles each (or, with no modules, that many
/// roles in the root), with `resource_changes` and `configuration` for every one.
fn big_plan(modules: usize, per_module: usize) -> Vec<(String, String)> {
    let role = |prefix: &str, i: usize| {
        format!(
            r#"{{"address": "{prefix}aws_iam_role.r{i}", "mode": "managed", "type": "aws_iam_role", "name": "r{i}", "values": {{"name": "r{i}", "assume_role_policy": "{OPEN_TRUST_JSON}"}}}}"#
        )
    };
    let change = |prefix: &str, i: usize| {
        format!(
            r#"{{"address": "{prefix}aws_iam_role.r{i}", "mode": "managed", "type": "aws_iam_role", "name": "r{i}", "change": {{"actions": ["create"], "after_unknown": {{"arn": true}}}}}}"#
        )
    };
    let config = |i: usize| {
        format!(
            r#"{{"address": "aws_iam_role.r{i}", "mode": "managed", "type": "aws_iam_role", "name": "r{i}", "expressions": {{"name": {{"references": ["aws_iam_role.r{}.name"]}}}}}}"#,
            i.saturating_sub(1)
        )
    };
    let resources = |prefix: &str| (0..per_module).map(|i| role(prefix, i)).collect::<Vec<_>>().join(",\n");
    let configs = (0..per_module).map(config).collect::<Vec<_>>().join(",\n");
    let (planned, changes, configuration) = if modules == 0 {
        (
            format!(r#"{{"resources": [{}]}}"#, resources("")),
            (0..per_module).map(|i| change("", i)).collect::<Vec<_>>().join(",\n"),
            format!(r#"{{"resources": [{configs}]}}"#),
        )
    } else {
        let children: Vec<String> = (0..modules)
            .map(|m| {
                let prefix = format!("module.m{m}.");
                format!(r#"{{"address": "module.m{m}", "resources": [{}]}}"#, resources(&prefix))
            })
            .collect();
        let changes: Vec<String> = (0..modules)
            .flat_map(|m| (0..per_module).map(move |i| (m, i)))
            .map(|(m, i)| change(&format!("module.m{m}."), i))
            .collect();
        let calls: Vec<String> = (0..modules)
            .map(|m| format!(r#""m{m}": {{"source": "./m", "module": {{"resources": [{configs}]}}}}"#))
            .collect();
        (
            format!(r#"{{"resources": [], "child_modules": [{}]}}"#, children.join(",\n")),
            changes.join(",\n"),
            format!(r#"{{"resources": [], "module_calls": {{{}}}}}"#, calls.join(",\n")),
        )
    };
    let text = format!(
        r#"{{"format_version": "1.2", "planned_values": {{"root_module": {planned}}},
"resource_changes": [{changes}],
"configuration": {{"root_module": {configuration}}}}}"#
    );
    vec![("plan.json".into(), text)]
}

/// Every hostile input, by name, as the benchmarks time them.
/// `l{k} = var.c{k} ? local.l{k-1} : local.l{k-1}` for `levels` levels, the role's `aud`: as
/// many conditions as levels, each branch naming the previous local, so a value is `2^levels`
/// paths deep in branches while every branch is the pool's ID.
fn conditional_fan_out(levels: usize) -> Vec<(String, String)> {
    let mut text = String::from("locals {\n  l0 = aws_cognito_identity_pool.pool.id\n");
    for k in 1..=levels {
        text.push_str(&format!("  l{k} = var.c{k} ? local.l{} : local.l{}\n", k - 1, k - 1));
    }
    text.push_str("}\n\n");
    for k in 1..=levels {
        text.push_str(&format!("variable \"c{k}\" {{\n  default = true\n}}\n"));
    }
    text.push_str(&trust_module(&format!("local.l{levels}")));
    vec![("main.tf".into(), text)]
}

fn all_inputs() -> Vec<(&'static str, Vec<(String, String)>)> {
    vec![
        ("locals-fan-out", locals_fan_out()),
        ("jsonencode-fan-out", jsonencode_fan_out()),
        ("variables-fan-out", variables_fan_out(8, 16)),
        ("module-chain", module_chain(12)),
        ("module-fan-out", module_fan_out(8, 10)),
        ("module-for-each-fan-out", module_for_each_fan_out(8, 50, false)),
        ("module-count", module_for_each_fan_out(1, 1_000_000, true)),
        ("template-loop-long-body", template_loop_long_body()),
        ("roles-merge-fan-out", roles_merge_fan_out()),
        ("module-cycle", module_cycle()),
        ("module-self-call", module_self_call()),
        ("locals-cycle", locals_cycle()),
        ("locals-chain", locals_chain(20)),
        ("duplicate-keys", duplicate_keys(50_000)),
        ("wide-object", wide_object(50_000)),
        ("plan-20000", big_plan(0, 20_000)),
        ("plan-200x100", big_plan(200, 100)),
        ("plan-blocks", plan_blocks(20_000)),
        ("plan-cycle", plan_cycle()),
        ("large-values", large_values_everywhere()),
        ("module-cycle-through-output", output_cycle()),
        ("conditional-fan-out", conditional_fan_out(15)),
    ]
}

/// Writes every hostile input below `$COGNITRUST_HOSTILE_TF`, one folder each, for timing the
/// release binary on them: `COGNITRUST_HOSTILE_TF=/tmp/h cargo test --test hostile -- --ignored`.
#[test]
#[ignore = "writes the benchmark inputs; run by hand"]
fn write_hostile_terraform_inputs() {
    let Some(out) = std::env::var_os("COGNITRUST_HOSTILE_TF") else { return };
    for (name, files) in all_inputs() {
        write(&Path::new(&out).join(name), &files);
    }
}

fn write(dir: &Path, files: &[(String, String)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a file has a folder")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

/// Scans `files` beside the good template, on a thread the watchdog gives up on after
/// [`WATCHDOG`]; the good template must still be scanned.
fn scan_hostile(files: Vec<(String, String)>) -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    write(dir.path(), &files);
    let report = watchdog(dir.path().to_path_buf());
    super::assert_good_still_scanned(&report);
    report
}

fn watchdog(dir: std::path::PathBuf) -> Report {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(scan_dir(&dir));
    });
    match receive.recv_timeout(WATCHDOG) {
        Ok(report) => report,
        Err(_) => panic!("the scan did not finish within {WATCHDOG:?}"),
    }
}

/// The findings of `rule` in the hostile files (not the good template) as (file, line,
/// resource, message).
fn findings(report: &Report, rule: &str) -> Vec<(String, usize, String, String)> {
    report
        .findings
        .iter()
        .filter(|f| f.rule.code == rule && report.files[f.loc.file].display != "good.yaml")
        .map(|f| {
            let file = &report.files[f.loc.file];
            let line = file.lines.line_col(&file.text, f.loc.span.start).line;
            (file.display.clone(), line, f.resource.clone(), f.message.clone())
        })
        .collect()
}

/// The input errors as (file, line, message).
fn errors(report: &Report) -> Vec<(String, usize, String)> {
    report
        .errors
        .iter()
        .map(|e| {
            let line = e.place.map_or(0, |(file, span)| {
                let file = &report.files[file];
                file.lines.line_col(&file.text, span.start).line
            });
            (e.path.clone().unwrap_or_default(), line, e.message.clone())
        })
        .collect()
}

/// The line of the first occurrence of `needle` in `text`, 1-based.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).expect("needle in text");
    text[..at].matches('\n').count() + 1
}

/// The one file of a generated input.
fn text_of<'f>(files: &'f [(String, String)], path: &str) -> &'f str {
    files.iter().find(|(p, _)| p == path).map(|(_, t)| t.as_str()).expect("generated file")
}

/// The findings of every rule but CT901 in the Terraform files (not the good template).
fn other_findings(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.rule.code != "CT901" && report.files[f.loc.file].display != "good.yaml")
        .map(|f| format!("{} {} {}", f.rule.code, f.resource, f.message))
        .collect()
}

#[test]
fn conditionals_past_the_bound_are_sampled_and_said() {
    let report = scan_hostile(conditional_fan_out(15));
    let ct901 = findings(&report, "CT901");
    assert_eq!(ct901.len(), 1, "{ct901:?}");
    let (_, _, resource, message) = &ct901[0];
    assert_eq!(resource, "aws_iam_role.auth");
    assert!(
        message.contains("its values hold 15 conditional expressions (32,768 combinations); 64 were checked"),
        "{message}"
    );
    assert_eq!(other_findings(&report), Vec::<String>::new(), "every branch names the pool");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[test]
fn locals_that_fan_out_are_a_limit_on_the_value_they_reach() {
    let files = locals_fan_out();
    let aud_line = line_of(text_of(&files, "main.tf"), "cognito-identity.amazonaws.com:aud");
    let report = scan_hostile(files);
    let ct901 = findings(&report, "CT901");
    assert_eq!(ct901.len(), 1, "{ct901:?}");
    let (file, line, resource, message) = &ct901[0];
    assert_eq!((file.as_str(), *line, resource.as_str()), ("main.tf", aud_line, "aws_iam_role.auth"));
    assert!(
        message.contains("a value of its trust policy could not be evaluated (a value larger than 64 KiB)"),
        "{message}"
    );
    assert_eq!(other_findings(&report), Vec::<String>::new(), "CT202 and the others stay quiet");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[test]
fn jsonencode_of_lists_of_fanned_out_locals_is_a_limit_on_each_value() {
    let files = jsonencode_fan_out();
    let text = text_of(&files, "main.tf");
    let lines = [
        line_of(text, "cognito-identity.amazonaws.com:aud"),
        line_of(text, "cognito-identity.amazonaws.com:amr"),
    ];
    let report = scan_hostile(files);
    let ct901 = findings(&report, "CT901");
    // Ten list items under each of the two condition keys.
    assert_eq!(ct901.len(), 20, "{ct901:?}");
    for (file, line, resource, message) in &ct901 {
        assert_eq!((file.as_str(), resource.as_str()), ("main.tf", "aws_iam_role.auth"));
        assert!(lines.contains(line), "{line}");
        assert!(message.contains("(a value larger than 64 KiB)"), "{message}");
    }
}

#[test]
fn variables_that_fan_out_down_module_calls_are_a_limit_in_the_deepest_module() {
    let files = variables_fan_out(8, 16);
    let aud_line = line_of(text_of(&files, "modules/m8/main.tf"), "cognito-identity.amazonaws.com:aud");
    let report = scan_hostile(files);
    let ct901 = findings(&report, "CT901");
    let resource = format!("{}aws_iam_role.auth", "module.m.".repeat(8));
    assert_eq!(ct901.len(), 1, "{ct901:?}");
    assert_eq!((ct901[0].0.as_str(), ct901[0].1, &ct901[0].2), ("modules/m8/main.tf", aud_line, &resource));
    assert!(ct901[0].3.contains("(a value larger than 64 KiB)"), "{}", ct901[0].3);
    assert_eq!(other_findings(&report), Vec::<String>::new());
}

#[test]
fn module_trees_that_fan_out_stop_at_the_instance_bound_and_say_where() {
    let files = module_fan_out(8, 10);
    let report = scan_hostile(files);
    let ct901 = findings(&report, "CT901");
    assert!(!ct901.is_empty());
    for (file, line, resource, message) in &ct901 {
        assert!(message.contains("more than 2,000 module instances"), "{message}");
        assert!(
            resource.starts_with("module.")
                && message.contains(&format!("`{resource}` was not fully checked"))
        );
        // Each finding is on a `module "cN" {` line of the module that calls the next level.
        assert!(file == "main.tf" || file.starts_with("modules/l"), "{file}");
        assert_eq!((line - 1) % 3, 0, "{file}:{line}");
    }
    // One finding per call block that some instance did not expand: the root's second call
    // (the first took the whole budget) is among them.
    assert!(
        ct901.iter().any(|(f, l, r, _)| (f.as_str(), *l, r.as_str()) == ("main.tf", 4, "module.c1")),
        "{ct901:?}"
    );
    // The instances that were expanded reach the leaves: the leaf role's finding is there.
    let leaf = findings(&report, "CT106");
    assert!(leaf.iter().all(|(f, ..)| f == "modules/l8/main.tf") && !leaf.is_empty(), "{leaf:?}");
}

#[test]
fn module_calls_with_for_each_or_count_stop_at_the_instance_bound() {
    // 50 instances at each of 8 levels: 50^8 if expanded.
    let report = scan_hostile(module_for_each_fan_out(8, 50, false));
    let ct901 = findings(&report, "CT901");
    assert!(!ct901.is_empty());
    for (file, line, resource, message) in &ct901 {
        assert!(message.contains("more than 2,000 module instances"), "{message}");
        assert!((file == "main.tf" || file.starts_with("modules/l")) && *line == 1, "{file}:{line}");
        assert!(resource.ends_with("module.c"), "{resource}");
    }
    // The instances that were expanded are named by their keys.
    assert!(ct901.iter().any(|(_, _, r, _)| r.starts_with("module.c[\"k0\"].module.c")), "{ct901:?}");
    let leaf = findings(&report, "CT106");
    assert!(leaf.iter().all(|(f, ..)| f == "modules/l8/main.tf") && !leaf.is_empty(), "{leaf:?}");
    // A million instances of one call: one instance checked, and the call says why.
    let report = scan_hostile(module_for_each_fan_out(1, 1_000_000, true));
    let ct901 = findings(&report, "CT901");
    assert_eq!(ct901.len(), 1, "{ct901:?}");
    assert_eq!((ct901[0].0.as_str(), ct901[0].1, ct901[0].2.as_str()), ("main.tf", 1, "module.c"));
    assert!(ct901[0].3.contains("it has 1,000,000 instances, more than 2,000"), "{}", ct901[0].3);
    assert_eq!(findings(&report, "CT106").len(), 1);
}

#[test]
fn template_loops_are_bounded_by_the_size_of_what_they_repeat() {
    // Under the watchdog: each iteration counts its body's size, so the bound is reached after
    // about 15,000 copies of the body, not 10^6.
    let report = scan_hostile(template_loop_long_body());
    let ct901 = findings(&report, "CT901");
    assert_eq!(ct901.len(), 1, "{ct901:?}");
    assert_eq!(ct901[0].2, "aws_iam_role.auth");
    assert!(ct901[0].3.contains("iterations of `%{ for }` directives"), "{}", ct901[0].3);
}

#[test]
fn a_roles_map_merged_past_the_item_bound_is_said_to_be_computed() {
    let report = scan_hostile(roles_merge_fan_out());
    let notes = findings(&report, "CT202");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].3.contains("are computed"), "{}", notes[0].3);
    assert_eq!(findings(&report, "CT205"), [], "no slot is guessed from a map not read");
}

#[test]
fn modules_nested_deeper_than_the_bound_are_said_at_the_call_not_expanded() {
    let report = scan_hostile(module_chain(12));
    let ct901 = findings(&report, "CT901");
    let resource = "module.next.".repeat(8) + "module.next";
    assert_eq!(ct901.len(), 1, "{ct901:?}");
    assert_eq!((ct901[0].0.as_str(), ct901[0].1, &ct901[0].2), ("modules/m8/main.tf", 1, &resource));
    assert!(ct901[0].3.contains("modules nest more than 8 deep: module `next` (`../m9`)"), "{}", ct901[0].3);
}

#[test]
fn a_module_cycle_is_an_error_at_the_call_that_closes_it_and_every_module_is_analysed() {
    let report = scan_hostile(module_cycle());
    assert_eq!(
        errors(&report),
        [(
            "modules/b/main.tf".to_string(),
            1,
            "module cycle: modules/a → modules/b → modules/a; module `a` is not expanded here".to_string()
        )]
    );
    // Nothing calls modules/a but modules/b, and modules/b is reached only through modules/a:
    // both are still analysed, and their findings reported.
    let ct106: Vec<(String, String)> =
        findings(&report, "CT106").into_iter().map(|(f, _, r, _)| (f, r)).collect();
    assert_eq!(
        ct106,
        [
            ("modules/a/main.tf".to_string(), "aws_iam_role.open".to_string()),
            ("modules/b/main.tf".to_string(), "module.b.aws_iam_role.open".to_string())
        ]
    );
}

#[test]
fn a_module_calling_its_own_folder_is_an_error_and_still_analysed() {
    let report = scan_hostile(module_self_call());
    assert_eq!(
        errors(&report),
        [(
            "modules/me/main.tf".to_string(),
            1,
            "module cycle: modules/me → modules/me; module `again` is not expanded here".to_string()
        )]
    );
    let ct106 = findings(&report, "CT106");
    assert_eq!(ct106.len(), 1, "{ct106:?}");
    assert_eq!((ct106[0].0.as_str(), ct106[0].2.as_str()), ("modules/me/main.tf", "aws_iam_role.open"));
}

#[test]
fn a_cycle_of_locals_is_an_error_at_the_local_that_closes_it() {
    let report = scan_hostile(locals_cycle());
    assert_eq!(
        errors(&report),
        [("main.tf".to_string(), 3, "cycle: local.a → local.b → local.a".to_string())]
    );
    // The value is unknown: nothing is guessed about the role it would have named.
    assert_eq!(other_findings(&report), Vec::<String>::new());
    assert_eq!(findings(&report, "CT901"), []);
}

#[test]
fn a_cycle_through_a_module_output_and_its_variable_is_an_error_at_the_argument() {
    let files = output_cycle();
    let arg_line = line_of(text_of(&files, "main.tf"), "x      = module.m.out");
    let report = scan_hostile(files);
    assert_eq!(
        errors(&report),
        [(
            "main.tf".to_string(),
            arg_line,
            "cycle: module.m.output.out → module.m.var.x → module.m.output.out".to_string()
        )]
    );
}

#[test]
fn references_that_chain_past_the_depth_bound_are_ct901_and_shorter_chains_are_followed() {
    // The role's `aud` is the 16th local of the chain: the pool's ID, and no finding at all.
    let report = scan_hostile(locals_chain(16));
    assert_eq!(findings(&report, "CT901"), []);
    assert_eq!(other_findings(&report), Vec::<String>::new());
    // One more and the chain stops at the bound, which is said where the value is used.
    let files = locals_chain(17);
    let aud_line = line_of(text_of(&files, "main.tf"), "cognito-identity.amazonaws.com:aud");
    let report = scan_hostile(files);
    let ct901 = findings(&report, "CT901");
    assert_eq!(ct901.len(), 1, "{ct901:?}");
    assert_eq!((ct901[0].1, ct901[0].2.as_str()), (aud_line, "aws_iam_role.auth"));
    assert!(ct901[0].3.contains("(a chain of more than 16 references)"), "{}", ct901[0].3);
}

#[test]
fn a_policy_document_past_the_depth_bound_is_ct901_on_its_role() {
    // `assume_role_policy = local.p17`, `p17 = local.p16`, …, `p0 = jsonencode(…)`.
    let mut text = format!("locals {{\n  p0 = {}\n", trust_policy("aws_cognito_identity_pool.pool.id"));
    for k in 1..=17 {
        text.push_str(&format!("  p{k} = local.p{}\n", k - 1));
    }
    text.push_str("}\n\n");
    text.push_str(&pool_module("local.p17"));
    let policy_line = line_of(&text, "assume_role_policy");
    let report = scan_hostile(vec![("main.tf".into(), text)]);
    let ct901 = findings(&report, "CT901");
    assert_eq!(ct901.len(), 1, "{ct901:?}");
    assert_eq!((ct901[0].1, ct901[0].2.as_str()), (policy_line, "aws_iam_role.auth"));
    assert!(ct901[0].3.contains("more than 16 references away"), "{}", ct901[0].3);
}

#[test]
fn many_references_to_large_values_stop_at_the_total_budget() {
    let report = scan_hostile(large_values_everywhere());
    let ct901 = findings(&report, "CT901");
    assert!(!ct901.is_empty());
    // Values this large stop at a bound: the total budget, or before it the size of one value
    // (joined values are capped at 16 KiB where they are built).
    assert!(
        ct901.iter().any(|(.., m)| m.contains("(more than 64 MiB of Terraform values in all)")
            || m.contains("(a value longer than 16 KiB)")
            || m.contains("(a value larger than 64 KiB)")),
        "{ct901:?}"
    );
    assert!(
        ct901.iter().all(|(f, ..)| f == "modules/l4/main.tf" || f == "main.tf" || f.starts_with("modules/l"))
    );
}

#[test]
fn module_sources_outside_the_scanned_root_are_never_read() {
    let base = tempfile::tempdir().expect("tempdir");
    let root = base.path().join("root");
    let outside = base.path().join("outside");
    write(&outside, &[("main.tf".into(), OPEN_ROLE.into())]);
    let absolute = outside.to_string_lossy().replace('\\', "/");
    let calls = format!(
        "module \"up\" {{\n  source = \"../outside\"\n}}\n\nmodule \"etc\" {{\n  source = \"../../../../etc\"\n}}\n\n\
         module \"abs\" {{\n  source = \"{absolute}\"\n}}\n\nmodule \"registry\" {{\n  source = \"terraform-aws-modules/iam/aws\"\n}}\n"
    );
    write(&root, &[("main.tf".into(), calls), ("good.yaml".into(), GOOD.into())]);
    let report = watchdog(root.clone());
    super::assert_good_still_scanned(&report);
    let files: Vec<&str> = report.files.iter().map(|f| f.display.as_str()).collect();
    assert_eq!(files, ["good.yaml", "main.tf"], "only files below the scanned root are read");
    assert_eq!(findings(&report, "CT106"), [], "the role outside is not analysed");
    let ct901: Vec<(usize, String)> =
        findings(&report, "CT901").into_iter().map(|(_, line, resource, _)| (line, resource)).collect();
    // Each local path is said; the registry module is not a path on this machine.
    assert_eq!(
        ct901,
        [(1, "module.up".to_string()), (5, "module.etc".to_string()), (9, "module.abs".to_string())]
    );
    for (.., message) in findings(&report, "CT901") {
        assert!(message.contains("is not among the scanned folders"), "{message}");
    }
}

#[test]
fn an_object_of_50000_keys_is_an_error_at_its_brace() {
    let report = scan_hostile(wide_object(50_000));
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].0.as_str(), errors[0].1), ("wide.tf", 2));
    assert!(errors[0].2.starts_with("object too large"), "{}", errors[0].2);
}

#[test]
#[ignore = "slow: 5 s in a debug build; .ci/run runs it"]
fn plans_of_20000_resources_are_read_whole() {
    for (modules, per_module) in [(0, 20_000), (200, 100)] {
        let report = scan_hostile(big_plan(modules, per_module));
        let ct106 = findings(&report, "CT106");
        assert_eq!(ct106.len(), 20_000);
        let last = if modules == 0 {
            "aws_iam_role.r19999".to_string()
        } else {
            "module.m199.aws_iam_role.r99".to_string()
        };
        assert!(ct106.iter().any(|(_, _, r, _)| *r == last), "{last}");
    }
}

#[test]
fn nested_blocks_too_many_to_pair_are_ct901_on_their_resource() {
    let report = scan_hostile(plan_blocks(20_000));
    let ct901 = findings(&report, "CT901");
    assert_eq!(ct901.len(), 1, "{ct901:?}");
    assert_eq!((ct901[0].0.as_str(), ct901[0].2.as_str()), ("blocks.json", "aws_iam_role.r"));
    assert!(
        ct901[0].3.contains("too long to pair each planned block with its configuration"),
        "{}",
        ct901[0].3
    );
    assert_eq!(findings(&report, "CT106").len(), 1, "the role is still checked");
}

#[test]
fn a_cycle_in_a_plan_is_ct901_on_the_slot() {
    let report = scan_hostile(plan_cycle());
    let ct901 = findings(&report, "CT901");
    assert_eq!(ct901.len(), 1, "{ct901:?}");
    assert_eq!(ct901[0].2, "aws_cognito_identity_pool_roles_attachment.main");
    assert!(
        ct901[0].3.contains("the role of a slot could not be evaluated (a chain of more than 16 references)"),
        "{}",
        ct901[0].3
    );
    assert_eq!(findings(&report, "CT202"), [], "CT901 says it instead");
}

#[test]
fn scan_texts_links_modules_by_the_folders_of_display_paths() {
    // What the `terraform` fuzz target relies on to reach module trees from one input.
    let root = "module \"x\" {\n  source = \"./modules/a\"\n}\n";
    let report = cognitrust::scan_texts(&[("main.tf", root), ("modules/a/main.tf", OPEN_ROLE)]);
    let ct106: Vec<&str> =
        report.findings.iter().filter(|f| f.rule.code == "CT106").map(|f| f.resource.as_str()).collect();
    assert_eq!(ct106, ["module.x.aws_iam_role.open"]);
}

#[cfg(unix)]
#[test]
fn file_and_templatefile_never_read_outside_the_scanned_root() {
    let base = tempfile::tempdir().expect("tempdir");
    let root = base.path().join("root");
    let outside = base.path().join("outside");
    let secret = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \
                  \"cognito-identity.amazonaws.com\"}, \"Action\": \"sts:AssumeRoleWithWebIdentity\", \
                  \"Condition\": {\"StringEquals\": {\"cognito-identity.amazonaws.com:aud\": \"supersecret-4d1c9e\"}}}]}";
    write(&outside, &[("secret.json".into(), secret.into())]);
    std::fs::create_dir_all(&root).expect("mkdir");
    std::os::unix::fs::symlink(outside.join("secret.json"), root.join("link.json")).expect("symlink");
    let absolute = outside.join("secret.json").to_string_lossy().replace('\\', "/");
    let calls = [
        "file(\"../outside/secret.json\")".to_string(),
        "file(\"${path.module}/../../../etc/hostname\")".to_string(),
        format!("file(\"{absolute}\")"),
        "file(\"/etc/hostname\")".to_string(),
        "file(\"link.json\")".to_string(),
        "templatefile(\"${path.root}/link.json\", {})".to_string(),
        "jsondecode(file(\"${path.cwd}/../outside/secret.json\"))".to_string(),
        "data.template_file.out.rendered".to_string(),
    ];
    let mut main = String::new();
    for (i, call) in calls.iter().enumerate() {
        main.push_str(&format!(
            "resource \"aws_cognito_identity_pool\" \"p{i}\" {{\n  identity_pool_name = \"p{i}\"\n  \
             allow_unauthenticated_identities = false\n}}\n\
             resource \"aws_iam_role\" \"r{i}\" {{\n  assume_role_policy = {call}\n}}\n\
             resource \"aws_cognito_identity_pool_roles_attachment\" \"a{i}\" {{\n  \
             identity_pool_id = aws_cognito_identity_pool.p{i}.id\n  \
             roles = {{\n    authenticated = aws_iam_role.r{i}.arn\n  }}\n}}\n"
        ));
    }
    main.push_str("data \"template_file\" \"out\" {\n  template = file(\"link.json\")\n}\n");
    write(&root, &[("main.tf".into(), main.clone()), ("good.yaml".into(), GOOD.into())]);
    let report = watchdog(root.clone());
    super::assert_good_still_scanned(&report);
    let outputs = [
        cognitrust::report::human::render(&report, false),
        cognitrust::report::json::render(&report),
        cognitrust::report::sarif::render(&report),
        cognitrust::report::github::render(&report),
    ]
    .concat();
    assert!(!outputs.contains("supersecret"), "the outside file was read:\n{outputs}");
    let hostname = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    if hostname.trim().len() >= 4 {
        assert!(!outputs.contains(hostname.trim()), "/etc/hostname was read:\n{outputs}");
    }
    let files: Vec<&str> = report.files.iter().map(|f| f.display.as_str()).collect();
    assert_eq!(files, ["good.yaml", "main.tf"], "only files below the scanned root are read");
    // Each call is said, at its line, naming the path as written.
    let ct901 = findings(&report, "CT901");
    for (i, call) in calls.iter().enumerate() {
        let line = line_of(&main, call);
        let said = ct901.iter().any(|(file, l, resource, message)| {
            file == "main.tf"
                && *l == line
                && *resource == format!("aws_iam_role.r{i}")
                && message.contains("; not read")
        });
        assert!(said, "no CT901 for `{call}`: {ct901:#?}");
    }
    assert!(ct901.iter().any(|(.., m)| m.contains("lies outside the scanned folders")), "{ct901:?}");
}

#[test]
fn a_template_that_renders_itself_is_not_followed() {
    // Each rendering would render the template 20 times more, 16 levels deep.
    let aud = "${templatefile(\"t.json\", {})}".repeat(20);
    let template = format!(
        "{{\"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": {{\"Federated\": \
         \"cognito-identity.amazonaws.com\"}}, \"Action\": \"sts:AssumeRoleWithWebIdentity\", \
         \"Condition\": {{\"StringEquals\": {{\"cognito-identity.amazonaws.com:aud\": \"{aud}\"}}}}}}]}}\n"
    );
    let main = pool_module("templatefile(\"t.json\", {})");
    let report = scan_hostile(vec![("main.tf".into(), main), ("t.json".into(), template)]);
    let ct901 = findings(&report, "CT901");
    assert!(ct901.iter().any(|(.., m)| m.contains("inside a template")), "{ct901:#?}");
}

#[test]
fn roles_of_a_computed_map_are_followed_within_a_budget() {
    // A plan whose computed `roles` map refers to a module output that refers to its child's
    // output twice, 16 modules deep: 2^16 references if followed naively.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/terraform/plans/fail_computed_roles.json");
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
    let iam = plan["configuration"]["root_module"]["module_calls"]["iam"]["module"].clone();
    let mut module = iam;
    for _ in 0..16 {
        module = serde_json::json!({
            "outputs": {"role_arns": {"expression": {"references": ["module.iam.role_arns", "module.iam.role_arns"]}}},
            "module_calls": {"iam": {"source": "./iam", "module": module}}
        });
    }
    plan["configuration"]["root_module"]["module_calls"]["iam"]["module"] = module;
    let text = plan.to_string();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(cognitrust::scan_texts(&[("plan.json", &text)]));
    });
    let report = receive.recv_timeout(WATCHDOG).expect("the scan finishes");
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule.code == "CT901" && f.message.contains("more than 4096 references")),
        "{:?}",
        report.findings.iter().map(|f| (f.rule.code, &f.message)).collect::<Vec<_>>()
    );
}
