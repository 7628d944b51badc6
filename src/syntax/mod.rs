//! The spanned syntax tree every front end reads: one [`Node`] type with a byte span on every key
//! and value, whatever the file format (YAML, JSON, HCL; Terraform references are `tf::ref` nodes).
//!
//! Invariants: spans are byte offsets into the UTF-8 source (`start..end`, end exclusive); a
//! parser never panics on input; every fatal problem is a [`SyntaxError`] with a place, and
//! non-fatal problems (duplicate keys) are [`Parsed::issues`] while the tree is still returned.

pub mod hcl;
pub mod json;
pub mod lines;
pub mod yaml;

pub use lines::LineIndex;

use std::collections::HashSet;

/// Deepest nesting of maps and sequences a parser accepts before giving up with an error.
pub(crate) const MAX_DEPTH: usize = 256;
/// Most nodes that alias expansion may produce in one YAML document (an alias bomb guard).
pub(crate) const MAX_ALIAS_NODES: usize = 1_000_000;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A value with the span of its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's text as written (`1`, `1.5`, `0x1f`).
    Number(String),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One key of a map: keys are always strings (YAML scalar keys are taken as their text).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Key,
    pub key_span: Span,
    pub value: Node,
}

/// A map key. The keys templates, policies and plans repeat everywhere point into a table of
/// their own instead of each holding an allocation: the indexes a scan keeps are mostly maps,
/// and a small allocation costs as much again in the allocator's bookkeeping.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(std::borrow::Cow<'static, str>);

/// Keys common enough to share, sorted.
const COMMON_KEYS: &[&str] = &[
    "AWS",
    "AWSTemplateFormatVersion",
    "Action",
    "AllowClassicFlow",
    "AllowUnauthenticatedIdentities",
    "AmbiguousRoleResolution",
    "ArnEquals",
    "ArnLike",
    "AssumeRolePolicyDocument",
    "Bool",
    "Claim",
    "ClientId",
    "CognitoIdentityProviders",
    "Condition",
    "Conditions",
    "Default",
    "DependsOn",
    "Description",
    "Effect",
    "Export",
    "Federated",
    "Fn::And",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::Equals",
    "Fn::FindInMap",
    "Fn::GetAZs",
    "Fn::GetAtt",
    "Fn::If",
    "Fn::ImportValue",
    "Fn::Join",
    "Fn::Not",
    "Fn::Or",
    "Fn::Select",
    "Fn::Split",
    "Fn::Sub",
    "ForAnyValue:StringLike",
    "IdentityPoolId",
    "IdentityProvider",
    "IpAddress",
    "Key",
    "ManagedPolicyArns",
    "Mappings",
    "MatchType",
    "Metadata",
    "Name",
    "NotAction",
    "NotResource",
    "Outputs",
    "Parameters",
    "Path",
    "Policies",
    "PolicyDocument",
    "PolicyName",
    "Principal",
    "Properties",
    "ProviderName",
    "Ref",
    "Resource",
    "Resources",
    "Role",
    "RoleArn",
    "RoleMappings",
    "RoleName",
    "Roles",
    "Rules",
    "RulesConfiguration",
    "Schema",
    "Service",
    "ServiceToken",
    "Sid",
    "Statement",
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotEquals",
    "Tags",
    "TemplateURL",
    "Type",
    "UserPoolId",
    "Value",
    "Version",
    "WriteAttributes",
    "actions",
    "address",
    "after",
    "after_unknown",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "change",
    "child_modules",
    "cognito-identity.amazonaws.com:amr",
    "cognito-identity.amazonaws.com:aud",
    "constant_value",
    "expressions",
    "index",
    "mode",
    "module_address",
    "name",
    "provider_name",
    "references",
    "resources",
    "schema_version",
    "sensitive_values",
    "sts:ExternalId",
    "tf::call",
    "tf::cond",
    "tf::labels",
    "tf::ref",
    "tf::template",
    "type",
    "values",
];

impl Key {
    pub fn new(text: String) -> Key {
        match COMMON_KEYS.binary_search(&text.as_str()) {
            Ok(i) => Key(std::borrow::Cow::Borrowed(COMMON_KEYS[i])),
            Err(_) => Key(std::borrow::Cow::Owned(text)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Key {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl From<String> for Key {
    fn from(text: String) -> Key {
        Key::new(text)
    }
}

impl From<&str> for Key {
    fn from(text: &str) -> Key {
        Key::new(text.to_string())
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

/// A parsed file: its root node plus non-fatal issues found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub root: Node,
    pub issues: Vec<SyntaxError>,
}

/// A problem in the source, with the byte span where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

impl SyntaxError {
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        SyntaxError { message: message.into(), span }
    }
}

/// Every parser reports duplicate keys the same way; the tree keeps them all.
/// Pushes a "duplicate key" issue for every entry whose key already appeared earlier in `entries`,
/// pointing at the later key.
pub(crate) fn report_duplicate_keys(entries: &[Entry], issues: &mut Vec<SyntaxError>) {
    let mut report = |e: &Entry| {
        issues.push(SyntaxError::new(format!("duplicate key `{}`", e.key), e.key_span));
    };
    // Most maps are small: a quadratic scan beats hashing them.
    if entries.len() <= 16 {
        for (i, entry) in entries.iter().enumerate() {
            if entries[..i].iter().any(|earlier| earlier.key == entry.key) {
                report(entry);
            }
        }
        return;
    }
    let mut seen = HashSet::with_capacity(entries.len());
    for entry in entries {
        if !seen.insert(entry.key.as_str()) {
            report(entry);
        }
    }
}

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    /// The value under `key` when this node is a map (last one wins on duplicates).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Moves the value under `key` out of this map (last one wins, as for [`Node::get`]),
    /// leaving a null with the same span.
    pub fn take(&mut self, key: &str) -> Option<Node> {
        match &mut self.value {
            Value::Map(entries) => entries.iter_mut().rev().find(|e| e.key == key).map(|e| {
                let span = e.value.span;
                std::mem::replace(&mut e.value, Node::new(Value::Null, span))
            }),
            _ => None,
        }
    }

    /// The entries of a map, owned; an empty list for anything else.
    pub(crate) fn into_entries(self) -> Vec<Entry> {
        match self.value {
            Value::Map(entries) => entries,
            _ => Vec::new(),
        }
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    pub(crate) fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The node as text when it is a scalar: strings, numbers and booleans as CloudFormation
    /// stringifies them.
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A boolean as CloudFormation reads it: `true`/`false` or the strings `"true"`/`"false"`.
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// Gives back the spare capacity of every list and string of the tree: a tree kept for a
    /// whole scan holds what it needs and no more (growing lists leave up to half unused).
    pub(crate) fn shrink_to_fit(&mut self) {
        match &mut self.value {
            Value::String(s) | Value::Number(s) => s.shrink_to_fit(),
            Value::Seq(items) => {
                items.shrink_to_fit();
                items.iter_mut().for_each(Node::shrink_to_fit);
            }
            Value::Map(entries) => {
                entries.shrink_to_fit();
                for e in entries {
                    if let std::borrow::Cow::Owned(key) = &mut e.key.0 {
                        key.shrink_to_fit();
                    }
                    e.value.shrink_to_fit();
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    /// A map with exactly one key: the shape of every CloudFormation intrinsic function.
    pub(crate) fn single_entry(&self) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) if entries.len() == 1 => entries.first(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{COMMON_KEYS, Key};

    #[test]
    fn common_keys_are_sorted_and_shared_and_every_key_compares_by_its_text() {
        assert!(COMMON_KEYS.windows(2).all(|w| w[0] < w[1]), "COMMON_KEYS must stay sorted");
        let common = Key::new("Effect".to_string());
        assert!(matches!(common.0, std::borrow::Cow::Borrowed(_)));
        let rare = Key::new("MyOwnKey".to_string());
        assert!(matches!(rare.0, std::borrow::Cow::Owned(_)));
        assert!(common == "Effect" && rare == "MyOwnKey" && rare.as_str() == "MyOwnKey");
        assert_eq!(Key::from("Effect"), common);
    }
}
