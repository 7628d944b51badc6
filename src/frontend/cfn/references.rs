//! References of a template to names it does not define, which CloudFormation rejects.

use super::Template;
use super::eval;
use crate::syntax::{Node, Span, SyntaxError, Value};

/// References of the modelled resources' properties (`Ref`, `Fn::GetAtt`, the names of
/// `Fn::Sub`) to names the template does not define: CloudFormation rejects such a template.
pub(super) fn undefined_references(tpl: &Template, errors: &mut Vec<SyntaxError>) {
    let defined = |name: &str| {
        name.starts_with("AWS::") || tpl.parameters.contains_key(name) || tpl.type_of(name).is_some()
    };
    let mut report = |name: &str, span: Span| {
        errors.push(SyntaxError::new(
            format!(
                "`{name}` is not defined in this template: CloudFormation rejects it \
                 (\"Unresolved resource dependencies [{name}] in the Resources block of the template\")"
            ),
            span,
        ))
    };
    let mut stack: Vec<&Node> = tpl.resources.iter().filter_map(|r| r.properties.as_ref()).collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => {
                if let Some(e) = node.single_entry() {
                    match (e.key.as_str(), &e.value.value) {
                        ("Ref", Value::String(name)) if !defined(name) => report(name, e.value.span),
                        ("Fn::GetAtt", _) => {
                            let name = match (&e.value.value, e.value.as_seq()) {
                                (Value::String(dotted), _) => dotted.split('.').next(),
                                (_, Some([first, ..])) => first.as_str(),
                                _ => None,
                            };
                            if let Some(name) = name.filter(|n| !defined(n)) {
                                report(name, e.value.span);
                            }
                        }
                        ("Fn::Sub", _) => {
                            let (text, vars) = match (&e.value.value, e.value.as_seq()) {
                                (Value::String(_), _) => (Some(&e.value), None),
                                (_, Some([text, vars])) => (Some(text), vars.as_map()),
                                _ => (None, None),
                            };
                            let local = |name: &str| vars.is_some_and(|v| v.iter().any(|x| x.key == name));
                            if let Some(text_node) = text
                                && let Some(text) = text_node.as_str()
                            {
                                for name in sub_names(text) {
                                    if !local(name) && !defined(name) {
                                        report(name, text_node.span);
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
                stack.extend(entries.iter().map(|e| &e.value));
            }
            _ => {}
        }
    }
}

/// The resource and parameter names a `Fn::Sub` text refers to: `${Name}` and `${Name.Attr}`,
/// not `${!Literal}`.
fn sub_names(text: &str) -> Vec<&str> {
    eval::sub_parts(text)
        .into_iter()
        .filter_map(|part| match part {
            eval::SubPart::Var(var) => {
                let var = var.trim();
                (!var.starts_with('!') && !var.is_empty()).then(|| var.split('.').next().unwrap_or(var))
            }
            _ => None,
        })
        .collect()
}
