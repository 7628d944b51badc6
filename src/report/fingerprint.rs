//! Stable fingerprints of findings: what SARIF's `partialFingerprints`, GitLab's `fingerprint`
//! and the baseline (`--baseline`) name a finding by. A fingerprint hashes the rule, the file,
//! the resource and the text of the primary span with its whitespace collapsed, never a line or
//! column, so it does not move when lines are added above a finding; identical findings are told
//! apart by an occurrence counter, in report order, among the findings the report shows (after
//! suppressions).

use std::collections::HashMap;

use crate::rules::Finding;
use crate::source::SourceFile;

/// The name of the fingerprint kind (SARIF's `partialFingerprints` key); bump the version when
/// the hashed fields change.
pub(crate) const KIND: &str = "cognitrustFindingHash/v1";

/// The fingerprints of `findings`, in their order: the n-th finding with the same
/// [identity](identity) gets occurrence n.
pub fn of(findings: &[Finding], files: &[SourceFile]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let identity = identity(f, files);
            let occurrence = seen.entry(identity.clone()).or_insert(0);
            *occurrence += 1;
            hash(&format!("{identity}\u{0}{occurrence}"))
        })
        .collect()
}

/// Sets each finding's [`Finding::fingerprint`], in report order: done once, when the report's
/// findings are sorted, so that a finding keeps its fingerprint whatever is later hidden
/// (a baseline) or cut away (`--only-paths`).
pub(crate) fn assign(findings: &mut [Finding], files: &[SourceFile]) {
    let prints = of(findings, files);
    for (f, print) in findings.iter_mut().zip(prints) {
        f.fingerprint = print;
    }
}

/// What identifies a finding across edits: the rule, the file, the resource and the text of
/// the primary span (whitespace collapsed), never its line.
fn identity(f: &Finding, files: &[SourceFile]) -> String {
    let file = &files[f.loc.file];
    let snippet = file.text.get(f.loc.span.start..f.loc.span.end.max(f.loc.span.start)).unwrap_or_default();
    let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}\u{0}{}\u{0}{}\u{0}{snippet}", f.rule.code, file.display, f.resource)
}

/// FNV-1a, 128 bits, as hex: stable across Rust releases and platforms, unlike `DefaultHasher`.
pub fn hash(text: &str) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013b;
    let hash = text.bytes().fold(OFFSET, |h, b| (h ^ u128::from(b)).wrapping_mul(PRIME));
    format!("{hash:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      \
                        AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            \
                        Principal: {Federated: cognito-identity.amazonaws.com}\n            \
                        Action: sts:AssumeRoleWithWebIdentity\n";

    #[test]
    fn fingerprints_do_not_move_with_lines_and_count_identical_findings() {
        let report = crate::scan_texts(&[("a.yaml", ROLE)]);
        let moved = crate::scan_texts(&[("a.yaml", &format!("# a comment\n\n{ROLE}"))]);
        assert!(!report.findings.is_empty());
        assert_eq!(of(&report.findings, &report.files), of(&moved.findings, &moved.files));
        let twice = [report.findings[0].clone(), report.findings[0].clone()];
        let prints = of(&twice, &report.files);
        assert_ne!(prints[0], prints[1], "the occurrence tells identical findings apart");
        assert_eq!(prints[0], of(&report.findings, &report.files)[0]);
    }

    #[test]
    fn the_hash_is_fnv1a_128() {
        assert_eq!(hash(""), "6c62272e07bb014262b821756295c58d");
        assert_eq!(hash("a"), "d228cb696f1a8caf78912b704e4a8964");
    }
}
