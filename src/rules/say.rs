//! How help text writes a construct in the syntax of the file it is about: the same advice is
//! `Principal: {Federated: cognito-identity.amazonaws.com}` in a YAML template,
//! `"Principal": {"Federated": …}` in JSON, `Principal = { Federated = … }` in a `jsonencode`
//! object and a `principals` block in an `aws_iam_policy_document`. Rules say what to write
//! through a [`Dialect`], never in one syntax for all.

use crate::model::{Dialect, PolicyForm, Sym};

const PRINCIPAL: &str = "cognito-identity.amazonaws.com";
const WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

impl Dialect {
    pub fn terraform(self) -> bool {
        matches!(self, Dialect::Terraform(_) | Dialect::TemplateFile)
    }

    /// Whether values are written as JSON: quoted strings, quoted keys, `:` between.
    fn json(self) -> bool {
        matches!(self, Dialect::Json | Dialect::Terraform(PolicyForm::JsonText) | Dialect::TemplateFile)
    }

    /// A string value: bare in YAML when it can be, quoted elsewhere.
    pub(crate) fn lit(self, s: &str) -> String {
        let plain = s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
            && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        match self {
            Dialect::Yaml | Dialect::Serverless if plain => s.to_string(),
            _ => format!("\"{s}\""),
        }
    }

    /// A key of a policy or property map, quoted where the syntax needs it.
    fn key(self, k: &str) -> String {
        match self {
            _ if self.json() => format!("\"{k}\""),
            Dialect::Terraform(_) if k.contains(':') => format!("\"{k}\""),
            Dialect::Yaml | Dialect::Serverless if k.contains(':') => format!("\"{k}\""),
            _ => k.to_string(),
        }
    }

    /// `key: value`, `"key": value` or `key = value`.
    fn pair(self, k: &str, value: &str) -> String {
        match self {
            Dialect::Terraform(f) if f != PolicyForm::JsonText => format!("{} = {value}", self.key(k)),
            _ => format!("{}: {value}", self.key(k)),
        }
    }

    /// A reference to a pool's ID as a value of this dialect's policy: Terraform's JSON text
    /// interpolates the expression.
    pub(crate) fn value_of(self, id_text: &str) -> String {
        let expression = !id_text.starts_with(['"', '<', '{', '!']);
        match self {
            Dialect::Terraform(PolicyForm::JsonText) if expression => format!("\"${{{id_text}}}\""),
            // A template sees only its variables: the pool's ID must be passed as one.
            Dialect::TemplateFile if expression => "\"${pool_id}\"".into(),
            _ => id_text.to_string(),
        }
    }

    /// The identity-pool principal, whole.
    pub fn principal(self) -> String {
        match self {
            Dialect::Terraform(PolicyForm::DocumentBlocks) => {
                format!(
                    "a `principals` block with `type = \"Federated\"` and `identifiers = [\"{PRINCIPAL}\"]`"
                )
            }
            Dialect::Terraform(PolicyForm::HclObject) => {
                format!("`Principal = {{ Federated = \"{PRINCIPAL}\" }}`")
            }
            _ if self.json() => format!("`\"Principal\": {{\"Federated\": \"{PRINCIPAL}\"}}`"),
            _ => format!("`Principal: {{Federated: {PRINCIPAL}}}`"),
        }
    }

    /// The action identity pools call, whole.
    pub fn action(self) -> String {
        match self {
            Dialect::Terraform(PolicyForm::DocumentBlocks) => format!("`actions = [\"{WEB_IDENTITY}\"]`"),
            _ => format!("`{}`", self.pair("Action", &self.lit(WEB_IDENTITY))),
        }
    }

    /// Where a statement lists its actions.
    pub(crate) fn actions_key(self) -> String {
        match self {
            Dialect::Terraform(PolicyForm::DocumentBlocks) => "`actions`".into(),
            _ => format!("`{}`", self.key("Action")),
        }
    }

    /// A condition: the operator, the key and one value, already written in this dialect.
    pub fn condition(self, operator: &str, key: &str, value: &str) -> String {
        match self {
            Dialect::Terraform(PolicyForm::DocumentBlocks) => format!(
                "a `condition` block with `test = \"{operator}\"`, `variable = \"{key}\"` and `values = [{value}]`"
            ),
            Dialect::Terraform(PolicyForm::HclObject) => {
                format!("`{} = {{ \"{key}\" = {value} }}`", self.key(operator))
            }
            _ => format!("`{}`", self.pair(operator, &format!("{{\"{key}\": {value}}}"))),
        }
    }

    /// The `aud` condition on a pool whose ID is written `id_text`.
    pub fn aud(self, id_text: &str) -> String {
        let condition =
            self.condition("StringEquals", "cognito-identity.amazonaws.com:aud", &self.value_of(id_text));
        match self {
            Dialect::TemplateFile => {
                format!(
                    "{condition} (read the file with templatefile() and pass it the pool's ID as `pool_id`)"
                )
            }
            _ => condition,
        }
    }

    /// The `amr` condition admitting `who` (`authenticated`, `unauthenticated`).
    pub fn amr(self, who: &str) -> String {
        self.condition("ForAnyValue:StringLike", "cognito-identity.amazonaws.com:amr", &self.lit(who))
    }

    /// A property of a resource set to `value` (a literal, written as the dialect writes it):
    /// `AllowClassicFlow: false`, `allow_classic_flow = false`.
    pub(crate) fn property(self, cfn: &str, value: &str) -> String {
        match self {
            Dialect::Terraform(_) | Dialect::TemplateFile => format!("`{} = {value}`", snake(cfn)),
            Dialect::Json => format!("`\"{cfn}\": {value}`"),
            _ => format!("`{cfn}: {value}`"),
        }
    }

    /// A property's name alone: `AllowClassicFlow`, `allow_classic_flow`.
    pub fn name(self, cfn: &str) -> String {
        match self {
            Dialect::Terraform(_) | Dialect::TemplateFile => format!("`{}`", snake(cfn)),
            _ => format!("`{cfn}`"),
        }
    }

    /// A string value of a resource property: bare in YAML, quoted elsewhere.
    pub fn value(self, s: &str) -> String {
        match self {
            Dialect::Terraform(_) | Dialect::TemplateFile | Dialect::Json => format!("\"{s}\""),
            _ => self.lit(s),
        }
    }

    /// A slot of the role attachment: `Roles: {unauthenticated: ...}`.
    pub fn slot(self, kind: &str) -> String {
        match self {
            Dialect::Terraform(_) | Dialect::TemplateFile => format!("`roles = {{ {kind} = ... }}`"),
            Dialect::Json => format!("`\"Roles\": {{\"{kind}\": ...}}`"),
            _ => format!("`Roles: {{{kind}: ...}}`"),
        }
    }

    /// A role mapping of type `kind` (`Token`, `Rules`).
    pub(crate) fn role_mapping(self, kind: &str) -> String {
        match self {
            Dialect::Terraform(_) | Dialect::TemplateFile => {
                format!("a `role_mapping` block with `type = \"{kind}\"`")
            }
            _ => format!("a `RoleMappings` entry with {}", self.property("Type", &self.value(kind))),
        }
    }

    /// The rules of a `Rules` mapping.
    pub(crate) fn mapping_rules(self) -> &'static str {
        if self.terraform() { "`mapping_rule` blocks" } else { "`RulesConfiguration.Rules`" }
    }

    /// A role's ARN written out, when the role is not in the scan.
    pub(crate) fn role_arn_pattern(self) -> String {
        let path = "role/<path/><name>";
        match self {
            Dialect::Terraform(_) | Dialect::TemplateFile => format!(
                "`\"arn:${{data.aws_partition.current.partition}}:iam::${{data.aws_caller_identity.current.account_id}}:{path}\"`"
            ),
            Dialect::Json => {
                format!("`{{\"Fn::Sub\": \"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:{path}\"}}`")
            }
            // The Framework reads `${…}` as its own variables: no `Fn::Sub` there.
            Dialect::Serverless => {
                format!(
                    "`!Join ['', ['arn:', !Ref AWS::Partition, ':iam::', !Ref AWS::AccountId, ':{path}']]`"
                )
            }
            Dialect::Yaml => format!("`!Sub arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:{path}`"),
        }
    }

    /// An IAM policy variable as a policy of this dialect writes it.
    pub(crate) fn policy_variable(self, name: &str) -> String {
        match self {
            Dialect::Terraform(_) | Dialect::TemplateFile => {
                format!("`$${{{name}}}` (`$$` keeps Terraform from reading it)")
            }
            Dialect::Serverless => format!(
                "`${{{name}}}` (in serverless.yml, joined as `!Join ['', [..., '$', '{{{name}}}']]` so the Framework does not read it)"
            ),
            _ => format!("`${{{name}}}`"),
        }
    }

    /// A value as a message or help writes it in this dialect: in Terraform, the pseudo
    /// parameters the model reads data sources as are named by those data sources again, and
    /// a user pool's provider name by its `endpoint` attribute.
    pub fn describe(self, value: &Sym) -> String {
        let text = value.describe();
        if !self.terraform() {
            return text;
        }
        let text = match text.split_once("cognito-idp.${AWS::Region}.amazonaws.com/${") {
            Some((head, rest)) => match rest.split_once(".id}") {
                Some((pool, tail)) => format!("{head}${{{pool}.endpoint}}{tail}"),
                None => text,
            },
            None => text,
        };
        text.replace("${AWS::AccountId}", "${data.aws_caller_identity.current.account_id}")
            .replace("${AWS::Region}", "${data.aws_region.current.name}")
            .replace("${AWS::Partition}", "${data.aws_partition.current.partition}")
    }

    /// How to give a statement per partition or region.
    pub(crate) fn per_partition(self) -> &'static str {
        match self {
            Dialect::Terraform(_) | Dialect::TemplateFile => {
                "choose the principal per partition with a conditional expression"
            }
            _ => "wrap per-partition statements in Fn::If",
        }
    }
}

/// `AllowClassicFlow` → `allow_classic_flow`.
fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dialect_writes_the_aud_condition_its_own_way() {
        let pool = "aws_cognito_identity_pool.main.id";
        assert_eq!(
            Dialect::Terraform(PolicyForm::HclObject).aud(pool),
            "`StringEquals = { \"cognito-identity.amazonaws.com:aud\" = aws_cognito_identity_pool.main.id }`"
        );
        assert_eq!(
            Dialect::Terraform(PolicyForm::JsonText).aud(pool),
            "`\"StringEquals\": {\"cognito-identity.amazonaws.com:aud\": \"${aws_cognito_identity_pool.main.id}\"}`"
        );
        assert!(
            Dialect::Terraform(PolicyForm::DocumentBlocks).aud(pool).contains("`test = \"StringEquals\"`")
        );
        assert_eq!(
            Dialect::Yaml.aud("!Ref Pool"),
            "`StringEquals: {\"cognito-identity.amazonaws.com:aud\": !Ref Pool}`"
        );
        assert_eq!(
            Dialect::Json.amr("authenticated"),
            "`\"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": \"authenticated\"}`"
        );
        assert_eq!(
            Dialect::Terraform(PolicyForm::HclObject).property("AllowClassicFlow", "false"),
            "`allow_classic_flow = false`"
        );
    }
}
