//! The intrinsic functions of one template, resolved symbolically: `Ref`, `Fn::GetAtt` (both
//! forms), `Fn::Sub` (both forms), `Fn::Join`, `Fn::Select`, `Fn::FindInMap`, and `Fn::If`
//! met outside expansion.

use super::Scope;
use crate::frontend::Resolve;
use crate::model::MAX_VALUE_BYTES;
use crate::model::Sym;
use crate::syntax::{Entry, Node, Value};

/// The attribute that `Ref` returns for a resource type, named as `Fn::GetAtt` would name it.
fn ref_attr(type_: &str) -> &'static str {
    match type_ {
        "AWS::Cognito::IdentityPool" => "Id",
        "AWS::IAM::Role" => "RoleName",
        "AWS::Cognito::UserPool" => "UserPoolId",
        "AWS::Cognito::UserPoolClient" => "ClientId",
        _ => "Ref",
    }
}

/// A piece of a `Fn::Sub` text: literal text, or what is between `${` and `}`.
pub(in crate::frontend::cfn) enum SubPart<'t> {
    Text(&'t str),
    Var(&'t str),
}

/// A `Fn::Sub` text cut at its `${...}`s; an unterminated `${` is text.
pub(in crate::frontend::cfn) fn sub_parts(text: &str) -> Vec<SubPart<'_>> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        parts.push(SubPart::Text(&rest[..start]));
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            parts.push(SubPart::Text(&rest[start..]));
            rest = "";
            break;
        };
        parts.push(SubPart::Var(&after[..end]));
        rest = &after[end + 1..];
    }
    parts.push(SubPart::Text(rest));
    parts
}

impl Scope<'_, '_> {
    pub(super) fn intrinsic(&self, e: &Entry) -> Sym {
        let arg = &e.value;
        match e.key.as_str() {
            "Ref" => match arg.as_str() {
                Some(name) => self.reference(name),
                None => Sym::Unknown("a `Ref` to a computed name".into()),
            },
            "Fn::GetAtt" => self.get_att(arg),
            "Fn::Sub" => self.sub(arg),
            "Fn::Join" => self.join(arg),
            "Fn::ImportValue" => self.import(arg),
            "Fn::Select" => self.select(arg),
            "Fn::FindInMap" => self.find_in_map(arg),
            "Fn::If" => self.if_both(arg),
            crate::frontend::serverless::VARIABLE => {
                Sym::External(arg.as_str().unwrap_or_default().to_string())
            }
            other => Sym::Unevaluated(format!("`{other}`")),
        }
    }

    /// `Ref` to a parameter, pseudo parameter or resource.
    pub fn reference(&self, name: &str) -> Sym {
        let tpl = self.tpl();
        if let Some(default) = tpl.parameters.get(name) {
            if let Some(bound) = self.parameter_from_parent(name) {
                return bound;
            }
            let default = default.as_ref().and_then(Node::scalar_text);
            if default.as_ref().is_some_and(|d| d.len() > MAX_VALUE_BYTES) {
                return Sym::too_long();
            }
            return Sym::Param { file: tpl.file, name: name.to_string(), default };
        }
        if name.starts_with("AWS::") {
            return Sym::Pseudo(name.to_string());
        }
        match tpl.type_of(name) {
            Some(type_) => Sym::Attr {
                file: tpl.file,
                resource: name.to_string(),
                attr: ref_attr(type_).to_string(),
                lang: crate::model::Lang::CloudFormation,
            },
            None => Sym::Unknown(format!("`{name}`, which this template does not define")),
        }
    }

    fn attribute(&self, resource: &str, attr: &str) -> Sym {
        if let Some(value) = self.nested_output(resource, attr) {
            return value;
        }
        let tpl = self.tpl();
        match tpl.type_of(resource) {
            Some(type_) if ref_attr(type_) == attr || attr == "Ref" => self.reference(resource),
            Some(type_)
                if type_ == "AWS::Cognito::UserPool" && (attr == "ProviderName" || attr == "ProviderURL") =>
            {
                // `cognito-idp.<region>.amazonaws.com/<pool id>`, so that it equals the same name
                // spelled with `Fn::Sub`.
                let scheme = if attr == "ProviderURL" { "https://" } else { "" };
                Sym::concat(vec![
                    Sym::lit(format!("{scheme}cognito-idp.")),
                    Sym::Pseudo("AWS::Region".into()),
                    Sym::lit(".amazonaws.com/"),
                    self.reference(resource),
                ])
            }
            Some(_) => Sym::Attr {
                file: tpl.file,
                resource: resource.to_string(),
                attr: attr.to_string(),
                lang: crate::model::Lang::CloudFormation,
            },
            None => Sym::Unknown(format!("`{resource}.{attr}`, which this template does not define")),
        }
    }

    fn get_att(&self, arg: &Node) -> Sym {
        if let Some(dotted) = arg.as_str() {
            return match dotted.split_once('.') {
                Some((res, attr)) => self.attribute(res, attr),
                None => Sym::Unknown(format!("`Fn::GetAtt {dotted}`")),
            };
        }
        match arg.as_seq() {
            Some([res, attr]) => match (res.as_str(), self.eval(attr)) {
                (Some(res), Sym::Lit(attr)) => self.attribute(res, &attr),
                _ => Sym::Unknown("a computed `Fn::GetAtt`".into()),
            },
            _ => Sym::Unknown("a malformed `Fn::GetAtt`".into()),
        }
    }

    fn sub(&self, arg: &Node) -> Sym {
        let (text, vars) = match (&arg.value, arg.as_seq()) {
            (Value::String(s), _) => (s.as_str(), None),
            (_, Some([t, v])) => match t.as_str() {
                Some(s) => (s, v.as_map()),
                None => return Sym::Unknown("a computed `Fn::Sub`".into()),
            },
            _ => return Sym::Unknown("a malformed `Fn::Sub`".into()),
        };
        let parts = sub_parts(text)
            .into_iter()
            .map(|part| match part {
                SubPart::Text(t) => Sym::Lit(t.to_string()),
                SubPart::Var(var) => self.sub_var(var, vars),
            })
            .collect();
        Sym::concat(parts)
    }

    fn sub_var(&self, var: &str, vars: Option<&[Entry]>) -> Sym {
        if let Some(literal) = var.strip_prefix('!') {
            return Sym::Lit(format!("${{{literal}}}"));
        }
        let var = var.trim();
        if let Some(e) = vars.and_then(|v| v.iter().rev().find(|e| e.key == var)) {
            return self.eval(&e.value);
        }
        match var.split_once('.') {
            Some((res, attr)) if !var.starts_with("AWS::") => self.attribute(res, attr),
            _ => self.reference(var),
        }
    }

    fn join(&self, arg: &Node) -> Sym {
        let Some([delim, list]) = arg.as_seq() else {
            return Sym::Unknown("a malformed `Fn::Join`".into());
        };
        let (Some(delim), Some(items)) = (delim.scalar_text(), list.as_seq()) else {
            return Sym::Unknown("a `Fn::Join` over a computed list".into());
        };
        let mut parts = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                parts.push(Sym::Lit(delim.clone()));
            }
            parts.push(self.eval(item));
        }
        Sym::concat(parts)
    }

    fn select(&self, arg: &Node) -> Sym {
        let Some([index, list]) = arg.as_seq() else {
            return Sym::Unknown("a malformed `Fn::Select`".into());
        };
        match (self.eval(index), list.as_seq()) {
            (Sym::Lit(i), Some(items)) => match i.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(item) => self.eval(item),
                None => Sym::Unknown("a `Fn::Select` out of range".into()),
            },
            _ => Sym::Unknown("a `Fn::Select` over a computed list".into()),
        }
    }

    fn find_in_map(&self, arg: &Node) -> Sym {
        let Some([map, top, second]) = arg.as_seq() else {
            return Sym::Unknown("a malformed `Fn::FindInMap`".into());
        };
        let keys = [self.eval(map), self.eval(top), self.eval(second)];
        let [Sym::Lit(m), Sym::Lit(t), Sym::Lit(s)] = &keys else {
            return Sym::Unknown("a `Fn::FindInMap` with computed keys".into());
        };
        let found = self.tpl().mappings.as_ref().and_then(|n| n.get(m)?.get(t)?.get(s));
        // Mapped values are literals (CloudFormation refuses intrinsic functions in `Mappings`,
        // and `cfn::index` reports them), so nothing is evaluated through a mapping.
        match found.map(|v| (v, v.scalar_text())) {
            Some((_, Some(text))) if text.len() > MAX_VALUE_BYTES => Sym::too_long(),
            Some((_, Some(text))) => Sym::Lit(text),
            Some(_) => Sym::Unknown(format!("`Fn::FindInMap [{m}, {t}, {s}]`, which is not a string")),
            None => Sym::Unknown(format!("`Fn::FindInMap [{m}, {t}, {s}]`, which is not mapped")),
        }
    }

    /// An `Fn::If` met outside expansion: known only when both branches agree.
    fn if_both(&self, arg: &Node) -> Sym {
        match arg.as_seq() {
            Some([_, a, b]) => {
                let (a, b) = (self.eval(a), self.eval(b));
                if a == b { a } else { Sym::Unknown("a conditional value".into()) }
            }
            _ => Sym::Unknown("a malformed `Fn::If`".into()),
        }
    }
}
