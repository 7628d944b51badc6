use super::{Context, Findings, declare_rule};

declare_rule! {
    /// ## What it does
    /// Notes suppressions that match no finding: a `# cognitrust: ignore[CODE] reason` comment,
    /// a resource's `Metadata: {cognitrust: {ignore: [...]}}` entry, or a config `[[suppress]]`
    /// entry.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real problem of that rule at that place, and a
    /// suppression with a typo in its code never worked. Keeping them honest keeps the
    /// exceptions list meaningful.
    ///
    /// ## Example
    /// ```yaml
    ///   AuthRole:  # cognitrust: ignore[CT110] guests are off in this pool
    /// ```
    ///
    /// ## Use instead
    /// Remove the suppression once the finding is gone, or correct its rule code.
    ///
    /// ## References
    /// - [ruff RUF100 unused-noqa](https://docs.astral.sh/ruff/rules/unused-noqa/), the same idea
    code: "CT900", name: "unused-suppression", severity: Note,
    summary: "a suppression matches no finding",
    check: check,
}

/// Unused suppressions are found while suppressions are applied (`suppress.rs`), after every
/// other rule has run; the check itself adds nothing.
fn check(_: &Context, _: &mut Findings) {}
