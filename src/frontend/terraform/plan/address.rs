//! Terraform addresses as the plan writes them: module paths and instance paths, instance
//! keys, and the addresses without them.

use super::super::closing_key;

/// The address without the instance key of its resource: `aws_iam_role.this["a"]` →
/// `aws_iam_role.this` (module instance keys stay out of addresses here).
pub fn without_instance(address: &str) -> &str {
    match address.strip_suffix(']') {
        Some(_) => address.rfind('[').map_or(address, |at| &address[..at]),
        None => address,
    }
}

/// `address` without any instance key, of resources or module calls:
/// `module.m["a"].aws_iam_role.r[0]` → `module.m.aws_iam_role.r`. Sources name a module
/// instance without a key where its `count` is one or none (`var.create ? 1 : 0`).
pub fn without_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut rest = address;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let len = if after.starts_with("[\"") {
            closing_key(after).map_or(after.len(), str::len)
        } else {
            after.find(']').map_or(after.len(), |end| end + 1)
        };
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// The instance key (`["a"]`, `[0]`) written right after `local` in a reference's text.
pub(super) fn instance_key<'t>(text: &'t str, local: &str) -> Option<&'t str> {
    let at = text.find(&format!("{local}["))? + local.len();
    let end = text[at..].find(']')? + at + 1;
    Some(&text[at..end])
}

/// `module.a.module.b.aws_iam_role.x[0]` → `["a", "b"]`.
pub(super) fn module_path(address: &str) -> Vec<String> {
    let mut path = Vec::new();
    let mut parts = address.split('.');
    while let Some(p) = parts.next() {
        if p == "module" {
            if let Some(name) = parts.next() {
                path.push(name.split('[').next().unwrap_or(name).to_string());
            }
        } else {
            break;
        }
    }
    path
}

/// `module.a.module.b["k"].aws_iam_role.x[0]` → `["a", "b[\"k\"]"]`: the module instance
/// path, keys as written.
pub(super) fn module_keys(address: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        let mut len = end;
        if after[end..].starts_with("[\"") {
            len += closing_key(&after[end..]).map_or(after.len() - end, str::len);
        } else if after[end..].starts_with('[') {
            len += after[end..].find(']').map_or(after.len() - end, |e| e + 1);
        }
        keys.push(after[..len].to_string());
        rest = after[len..].strip_prefix('.').unwrap_or("");
    }
    keys
}

/// `module.a.module.b["k"].` for a module instance path.
pub(super) fn prefix_of(keys: &[String]) -> String {
    keys.iter().map(|k| format!("module.{k}.")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_come_from_addresses() {
        assert_eq!(module_path("module.a.module.b[0].aws_iam_role.x"), ["a", "b"]);
        assert!(module_path("aws_iam_role.x").is_empty());
        assert_eq!(module_keys("module.a.module.b[0].aws_iam_role.x"), ["a", "b[0]"]);
        assert_eq!(module_keys("module.a[\"x.y]\"].aws_iam_role.x[\"k\"]"), ["a[\"x.y]\"]"]);
        assert!(module_keys("aws_iam_role.x").is_empty());
    }
}
