//! Guard's view of a template and the way back: the template as the JSON cfn-guard evaluates
//! ([`to_json`], from our parse, so short YAML tags are already their long form), and a Guard
//! property path (`/Resources/AuthRole/Properties/AssumeRolePolicyDocument/Statement/0`) as a
//! span of our parse ([`locate`]). cfn-guard's own line numbers are not used: they are off for
//! flow collections and absent for JSON.

use serde_json::{Map, Number, Value as Json};

use crate::syntax::{Node, Span, Value};

/// The template as JSON. Numbers keep their value when JSON can hold it and are text otherwise
/// (YAML 1.1 `0x1f`); of duplicate keys the last wins, as [`Node::get`] reads them.
pub fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(text) => number(text).unwrap_or_else(|| Json::String(text.clone())),
        Value::String(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => {
            let mut map = Map::new();
            for e in entries {
                map.insert(e.key.to_string(), to_json(&e.value));
            }
            Json::Object(map)
        }
    }
}

fn number(text: &str) -> Option<Json> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(Json::Number(i.into()));
    }
    text.parse::<f64>().ok().and_then(Number::from_f64).map(Json::Number)
}

/// Where a Guard property path lands in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub span: Span,
    /// The logical ID when the path is below `/Resources/<id>`.
    pub resource: Option<String>,
}

/// The place of a property path: the deepest node of the path that exists (the parent of a
/// missing key), as the span of its value when it is a scalar the whole path reached, else as
/// the span of the key it is under (a map or list, or a missing property's parent), or of the
/// list item. Keys may hold `/` (`aws:PrincipalTag/team`): Guard does not escape them, so a key
/// may match several segments, the longest first.
pub fn locate(root: &Node, path: &str) -> Place {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut node = root;
    let mut key_span = None;
    let mut resource = None;
    let mut at = 0;
    while at < segments.len() {
        let Some(step) = step(node, &segments[at..]) else { break };
        if at == 1 && segments[0] == "Resources" {
            resource = step.key.map(|(name, _)| name.to_string());
        }
        key_span = step.key.map(|(_, span)| span);
        node = step.child;
        at += step.segments;
    }
    let scalar = !matches!(node.value, Value::Map(_) | Value::Seq(_));
    let span = match key_span {
        _ if at == segments.len() && scalar && at > 0 => node.span,
        Some(key) => key,
        None if at > 0 => node.span,
        None => Span::new(root.span.start, root.span.start),
    };
    Place { span, resource }
}

/// One step down a path.
struct Step<'a> {
    child: &'a Node,
    /// How many segments of the path it took.
    segments: usize,
    /// Its key (name and span), when it is under a key rather than a list index.
    key: Option<(&'a str, Span)>,
}

fn step<'a>(node: &'a Node, segments: &[&str]) -> Option<Step<'a>> {
    match &node.value {
        Value::Map(entries) => {
            let mut best: Option<(&crate::syntax::Entry, usize)> = None;
            // Later duplicates win, as in `Node::get`.
            for e in entries.iter().rev() {
                let parts = e.key.split('/').count();
                let matches = parts <= segments.len() && e.key == segments[..parts].join("/");
                if matches && best.is_none_or(|(_, n)| parts > n) {
                    best = Some((e, parts));
                }
            }
            best.map(|(e, n)| Step { child: &e.value, segments: n, key: Some((e.key.as_str(), e.key_span)) })
        }
        Value::Seq(items) => {
            let index: usize = segments.first()?.parse().ok()?;
            items.get(index).map(|child| Step { child, segments: 1, key: None })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml;

    const TEMPLATE: &str = "Resources:
  AuthRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                aws:PrincipalTag/team: photos
      Port: 0x1f
";

    fn text_at(path: &str) -> (String, Option<String>) {
        let root = yaml::parse(TEMPLATE).expect("parses").root;
        let place = locate(&root, path);
        (TEMPLATE[place.span.start..place.span.end].to_string(), place.resource)
    }

    #[test]
    fn a_scalar_is_its_value_and_a_container_its_key() {
        let statement = "/Resources/AuthRole/Properties/AssumeRolePolicyDocument/Statement";
        assert_eq!(text_at(&format!("{statement}/0/Action")).0, "sts:AssumeRole");
        assert_eq!(text_at(&format!("{statement}/0/Condition")).0, "Condition");
        assert_eq!(text_at("/Resources/AuthRole").1.as_deref(), Some("AuthRole"));
        assert!(text_at(&format!("{statement}/0")).0.starts_with("Effect: Allow"));
    }

    #[test]
    fn a_missing_property_is_placed_at_its_deepest_existing_parent() {
        assert_eq!(
            text_at("/Resources/AuthRole/Properties/Path"),
            ("Properties".into(), Some("AuthRole".into()))
        );
        assert_eq!(text_at("/Resources/Nope/Properties").0, "Resources");
        assert_eq!(text_at("").0, "");
    }

    #[test]
    fn keys_holding_slashes_take_several_segments() {
        let path = "/Resources/AuthRole/Properties/AssumeRolePolicyDocument/Statement/0/Condition/StringEquals/aws:PrincipalTag/team";
        assert_eq!(text_at(path).0, "photos");
    }

    #[test]
    fn json_keeps_numbers_it_can_hold() {
        let root = yaml::parse(TEMPLATE).expect("parses").root;
        let json = to_json(&root);
        assert_eq!(json["Resources"]["AuthRole"]["Properties"]["Port"], "0x1f");
        let root = yaml::parse("A: 3\nB: 1.5\nC: true\nD: ~\n").expect("parses").root;
        assert_eq!(to_json(&root), serde_json::json!({"A": 3, "B": 1.5, "C": true, "D": null}));
    }
}
