//! How a [`Change`] is written in a file: the text its span holds says how the value is
//! spelled there (bare, in double or single quotes, as a short or long intrinsic function), and
//! the file's [`Syntax`] says how the new value must be. A span that does not hold the value
//! the rule saw, written literally, comes from a variable, a parameter or a template: the
//! change is not certain there.

use super::{Anchor, Change, Edit, Form, Value};
use crate::source::{SourceFile, Syntax};
use crate::syntax::Span;

/// The longest indentation a fix copies.
const MAX_INDENT: usize = 256;

/// The edit that makes `change` in its file, or why none can be sure.
pub(crate) fn spell(change: &Change, files: &[SourceFile]) -> Result<Edit, String> {
    let at = change.at();
    let file = &files[at.file];
    if let Some(why) = file.generated {
        return Err(format!("{} is generated: {why}", file.display));
    }
    let Some(origin) = file.origin.as_ref().filter(|_| !file.is_released()) else {
        return Err(format!("{} was not read from a file that can be written", file.display));
    };
    if origin.len != file.text.len() {
        return Err(format!("{} is not UTF-8: save it as UTF-8 first", file.display));
    }
    let written = file
        .text
        .get(at.span.start..at.span.end)
        .ok_or_else(|| format!("{} changed while it was scanned", file.display))?;
    let (span, replacement) = match change {
        Change::Text { from, to, .. } => (
            at.span,
            text(file.syntax, written, from, to)
                .ok_or_else(|| format!("`{}` is not written literally here", from.escape_debug()))?,
        ),
        Change::RoleArn { resource, attr, .. } => (
            at.span,
            role_arn(file.syntax, written, resource, attr)
                .ok_or_else(|| "the role is not referenced directly here".to_string())?,
        ),
        Change::Append { last, value, .. } => append(file, at.span, last, value)
            .ok_or_else(|| format!("`{}` is not written literally here", last.escape_debug()))?,
        Change::Entry { before, form, key, value } => {
            entry(file, before, *form, key, value).ok_or_else(|| not_placed(file))?
        }
        Change::ConditionBlock { before, before_test, test, variable, value } => {
            text(Syntax::Hcl, written, before_test, before_test).ok_or_else(|| not_placed(file))?;
            condition_block(file, before.span.start, test, variable, value).ok_or_else(|| not_placed(file))?
        }
    };
    Ok(Edit { file: at.file, span, replacement })
}

/// How many lines back [`previous_code`] looks past blank and comment lines.
const MAX_LINES_BACK: usize = 64;

/// The last character before `at` that is not blank or in a comment (`#`, and `//` in HCL):
/// what says whether an entry sits in a flow (`{`, `,`) or a block.
fn previous_code(file: &SourceFile, at: usize) -> Option<char> {
    let text = &file.text;
    // No comment comes before `at` on its own line (`at` is code): only blanks are skipped.
    let start = file.lines.start_of_line_at(at);
    let here = text[start..at].trim_end_matches([' ', '\t']);
    if let Some(c) = here.chars().next_back() {
        return Some(c);
    }
    let mut end = start;
    for _ in 0..MAX_LINES_BACK {
        if end == 0 {
            return None;
        }
        end -= 1;
        let start = file.lines.start_of_line_at(end);
        let line = without_comment(file.syntax, &text[start..end]);
        if let Some(c) = line.trim_end().chars().next_back() {
            return Some(c);
        }
        end = start;
    }
    None
}

/// A line's text before its comment, if it has one: a `#` (or `//` in HCL) outside quotes,
/// at the start or after a blank.
fn without_comment(syntax: Syntax, line: &str) -> &str {
    let bytes = line.as_bytes();
    let (mut single, mut double) = (false, false);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' if !single && (i == 0 || bytes[i - 1] != b'\\') => double = !double,
            b'\'' if !double && syntax == Syntax::Yaml => single = !single,
            b'#' if !single && !double && (i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') => {
                return &line[..i];
            }
            b'/' if syntax == Syntax::Hcl && !double && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// Where an addition goes before the entry indented `indent` on the line at `start`: above the
/// comment lines at the same indentation right above it, if any.
fn above_comments(file: &SourceFile, mut start: usize, indent: usize) -> usize {
    let text = &file.text;
    for _ in 0..MAX_LINES_BACK {
        if start == 0 {
            break;
        }
        let previous = file.lines.start_of_line_at(start - 1);
        let line = text[previous..start].trim_end_matches(['\n', '\r']);
        let body = line.trim_start_matches([' ', '\t']);
        let comment = body.starts_with('#') || (file.syntax == Syntax::Hcl && body.starts_with("//"));
        if !comment || line.len() - body.len() != indent {
            break;
        }
        start = previous;
    }
    start + indent
}

/// The text of `span`, when it lies in the file.
fn text_of(file: &SourceFile, span: Span) -> Option<&str> {
    file.text.get(span.start..span.end)
}

/// The line break the file uses on the line of `at`: CRLF or LF.
fn newline(file: &SourceFile, at: usize) -> &'static str {
    match file.lines.start_of_next_line_at(at) {
        Some(next) if file.text[..next].ends_with("\r\n") => "\r\n",
        _ => "\n",
    }
}

fn not_placed(file: &SourceFile) -> String {
    format!("{} does not lay out the place of the addition as the fix can tell", file.display)
}

/// The start of the line holding `at`, and whether only blanks come before `at` on it.
fn line_start(file: &SourceFile, at: usize) -> (usize, bool) {
    let start = file.lines.start_of_line_at(at);
    // Indentation is short; a long run before `at` is not (and is not scanned).
    let own = at - start <= MAX_INDENT && file.text[start..at].bytes().all(|c| c == b' ' || c == b'\t');
    (start, own)
}

/// Where the key of the entry whose value starts at `value` starts: back over blanks, the
/// `:` or `=`, blanks, and the key, bare or quoted.
fn key_before_value(text: &str, value: usize) -> Option<usize> {
    let before = text[..value].trim_end_matches([' ', '\t']);
    let before = before.strip_suffix(':').or_else(|| before.strip_suffix('='))?.trim_end_matches([' ', '\t']);
    let end = before.len();
    let start = if let Some(quoted) = before.strip_suffix('"') {
        quoted.rfind('"')?
    } else {
        before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.')))
            .map_or(0, |i| i + 1)
    };
    (start < end).then_some(start)
}

/// `value` after the list item `last` at `span`, quoted as it is: `, value` in a flow list, a
/// new `- value` line in a YAML block list, and `[last, value]` for a lone value.
fn append(file: &SourceFile, span: Span, last: &str, value: &str) -> Option<(Span, String)> {
    let src = &file.text;
    let written = &src[span.start..span.end];
    let spelled = text(file.syntax, written, last, value)?;
    let previous = previous_code(file, span.start)?;
    match previous {
        '[' | ',' => Some((Span::new(span.end, span.end), format!(", {spelled}"))),
        '-' if file.syntax == Syntax::Yaml => {
            let dash = src[..span.start].trim_end().len() - 1;
            let (start, own_line) = line_start(file, dash);
            if !own_line {
                return None;
            }
            let end = file
                .lines
                .start_of_next_line_at(span.end)
                .map_or(src.len(), |next| next - if src[..next].ends_with("\r\n") { 2 } else { 1 });
            Some((Span::new(end, end), format!("{}{}- {spelled}", newline(file, dash), &src[start..dash])))
        }
        ':' | '=' => Some((span, format!("[{written}, {spelled}]"))),
        _ => None,
    }
}

/// `key: value` added to a map before one of its entries, separated as the map separates
/// them: a new line at the same indentation in a block, a comma in a flow or on one line.
fn entry(file: &SourceFile, before: &Anchor, form: Form, key: &str, value: &Value) -> Option<(Span, String)> {
    let text = &file.text;
    let fits = match form {
        Form::Yaml => file.syntax == Syntax::Yaml,
        Form::Json => file.syntax == Syntax::Json,
        Form::JsonText | Form::Hcl => file.syntax == Syntax::Hcl,
    };
    if !fits {
        return None;
    }
    let literal = |at: crate::source::Loc, s: &str| {
        text_of(file, at.span).and_then(|w| self::text(file.syntax, w, s, s))
    };
    let at = match before {
        Anchor::Key { at, key } => literal(*at, key).map(|_| at.span.start)?,
        Anchor::ValueOf { at, value } => {
            literal(*at, value)?;
            key_before_value(text, at.span.start)?
        }
    };
    let nl = newline(file, at);
    let (start, own_line) = line_start(file, at);
    // Comments right above the entry stay with it (a suppression names the line below it).
    let key_at = at;
    let at = if own_line { above_comments(file, start, at - start) } else { at };
    let start = file.lines.start_of_line_at(at);
    let indent = &text[start..at];
    let previous = previous_code(file, at);
    let flow = matches!(previous, Some('{' | ','));
    let mut pair = pair(form, key, value, !own_line || flow);
    if form == Form::Hcl && own_line {
        pair = aligned(&pair, &text[key_at..]);
    }
    let written = match form {
        Form::Yaml if own_line && !flow => format!("{pair}{nl}{indent}"),
        Form::Yaml if flow => format!("{pair}, "),
        Form::Yaml => return None,
        Form::Json | Form::JsonText if own_line => format!("{pair},{nl}{indent}"),
        Form::Json | Form::JsonText => format!("{pair}, "),
        Form::Hcl if own_line => format!("{pair}{nl}{indent}"),
        Form::Hcl if flow => format!("{pair}, "),
        Form::Hcl => return None,
    };
    Some((Span::new(at, at), written))
}

/// An HCL `key = value` with its `=` where the next line's is, as `terraform fmt` aligns the
/// attributes of consecutive lines, when the key is shorter (a longer one would move theirs).
fn aligned(pair: &str, next: &str) -> String {
    let line = next.split(['\n', '\r']).next().unwrap_or("");
    let (Some(theirs), Some(ours)) = (line.find(" ="), pair.find(" =")) else { return pair.to_string() };
    if theirs <= ours || line[..theirs].contains(['"', '{']) && !line.starts_with('"') {
        return pair.to_string();
    }
    format!("{}{}{}", &pair[..ours], " ".repeat(theirs - ours), &pair[ours..])
}

/// `key: value` or `key = value` in `form`; `inline` when it sits in a flow or on one line.
fn pair(form: Form, key: &str, value: &Value, inline: bool) -> String {
    match form {
        Form::Yaml if inline || !plain_in_yaml(key) => format!("\"{key}\": {}", yaml_value(value)),
        Form::Yaml => format!("{key}: {}", yaml_value(value)),
        Form::Json | Form::JsonText => format!("\"{key}\": {}", json_value(form, value)),
        Form::Hcl if identifier_in_hcl(key) => format!("{key} = {}", hcl_value(value)),
        Form::Hcl => format!("{} = {}", double_quoted(Syntax::Hcl, key), hcl_value(value)),
    }
}

fn yaml_value(value: &Value) -> String {
    match value {
        Value::Lit(s) if plain_in_yaml(s) => s.clone(),
        Value::Lit(s) => double_quoted(Syntax::Yaml, s),
        Value::Expr(e) => e.clone(),
        Value::Map(entries) => {
            let inner: Vec<String> = entries.iter().map(|(k, v)| pair(Form::Yaml, k, v, true)).collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

fn json_value(form: Form, value: &Value) -> String {
    match value {
        Value::Lit(s) => double_quoted(Syntax::Json, s),
        // A Terraform expression in JSON text is interpolated.
        Value::Expr(e) if form == Form::JsonText => format!("\"${{{e}}}\""),
        Value::Expr(e) => e.clone(),
        Value::Map(entries) => {
            let inner: Vec<String> = entries.iter().map(|(k, v)| pair(form, k, v, true)).collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

fn hcl_value(value: &Value) -> String {
    match value {
        Value::Lit(s) => double_quoted(Syntax::Hcl, s),
        Value::Expr(e) => e.clone(),
        Value::Map(entries) => {
            let inner: Vec<String> = entries.iter().map(|(k, v)| pair(Form::Hcl, k, v, true)).collect();
            format!("{{ {} }}", inner.join(", "))
        }
    }
}

/// A `condition` block, laid out as `terraform fmt` lays it out, before the `condition` block
/// that holds `test` at `test_at`.
fn condition_block(
    file: &SourceFile,
    test_at: usize,
    test: &str,
    variable: &str,
    value: &Value,
) -> Option<(Span, String)> {
    if file.syntax != Syntax::Hcl {
        return None;
    }
    let text = &file.text;
    let body = text[..test_at].rfind('{')?;
    let keyword = text[..body].trim_end();
    let at = keyword.strip_suffix("condition")?.len();
    let (start, own_line) = line_start(file, at);
    if !own_line || text[body + 1..test_at].contains(['{', '}']) {
        return None;
    }
    let indent = &text[start..at];
    let value = match value {
        Value::Map(_) => return None,
        v => hcl_value(v),
    };
    let nl = newline(file, at);
    let block = format!(
        "condition {{{nl}{indent}  test     = {}{nl}{indent}  variable = {}{nl}{indent}  values   = [{value}]{nl}{indent}}}{nl}{nl}{indent}",
        double_quoted(Syntax::Hcl, test),
        double_quoted(Syntax::Hcl, variable)
    );
    Some((Span::new(at, at), block))
}

/// `to`, spelled as `written` spells `from`.
fn text(syntax: Syntax, written: &str, from: &str, to: &str) -> Option<String> {
    if written == from {
        return match syntax {
            Syntax::Yaml if plain_in_yaml(to) => Some(to.to_string()),
            Syntax::Hcl if identifier_in_hcl(to) => Some(to.to_string()),
            Syntax::Yaml | Syntax::Hcl => Some(double_quoted(syntax, to)),
            Syntax::Json | Syntax::Unknown => None,
        };
    }
    let quote = written.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let inner = written.strip_prefix(quote)?.strip_suffix(quote)?;
    if inner != from || inner.contains(['\\', '"', '\'']) || inner.contains("${") || inner.contains("%{") {
        return None;
    }
    match quote {
        '\'' if syntax == Syntax::Yaml => Some(format!("'{}'", to.replace('\'', "''"))),
        '\'' => None,
        _ => Some(double_quoted(syntax, to)),
    }
}

/// A role's ARN where `written` references its name or ID (`attr`).
fn role_arn(syntax: Syntax, written: &str, resource: &str, attr: &str) -> Option<String> {
    match syntax {
        Syntax::Hcl => {
            // `aws_iam_role.x.name`, `aws_iam_role.x[0].id`, `"${aws_iam_role.x.name}"`.
            let (open, body, close) = match written.strip_prefix("\"${").and_then(|w| w.strip_suffix("}\"")) {
                Some(body) => ("\"${", body, "}\""),
                None => ("", written, ""),
            };
            let (head, tail) = body.rsplit_once('.')?;
            let named = head.strip_prefix("aws_iam_role.")?;
            let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '[' | ']' | '"' | '.');
            let same = resource == head || resource.ends_with(&format!(".{head}"));
            if !(tail == "name" || tail == "id") || !named.chars().all(plain) || !same {
                return None;
            }
            Some(format!("{open}{head}.arn{close}"))
        }
        Syntax::Yaml | Syntax::Json => {
            let trimmed = written.trim();
            if trimmed.len() != written.len() {
                return None;
            }
            cfn_role_arn(syntax, written, resource, attr)
        }
        Syntax::Unknown => None,
    }
}

/// `!Ref Role`, `{"Ref": "Role"}` and `Ref: Role` become `Fn::GetAtt` of `Arn`; a `GetAtt` of
/// `RoleId` or `RoleName` gets `Arn` for its attribute.
fn cfn_role_arn(syntax: Syntax, written: &str, resource: &str, attr: &str) -> Option<String> {
    let json = syntax == Syntax::Json;
    if let Some(name) = written.strip_prefix("!Ref ") {
        return (name.trim() == resource && !json).then(|| format!("!GetAtt {resource}.Arn"));
    }
    let compact: String = written.chars().filter(|c| !c.is_whitespace()).collect();
    let refs = [
        (format!("{{\"Ref\":\"{resource}\"}}"), format!("{{\"Fn::GetAtt\": [\"{resource}\", \"Arn\"]}}")),
        (format!("{{Ref:{resource}}}"), format!("{{\"Fn::GetAtt\": [{resource}, Arn]}}")),
        (format!("Ref:{resource}"), format!("Fn::GetAtt: [{resource}, Arn]")),
    ];
    if let Some((_, arn)) = refs.iter().find(|(r, _)| *r == compact) {
        return Some(arn.clone());
    }
    // `!GetAtt Role.RoleId`, `{"Fn::GetAtt": ["Role", "RoleId"]}`, `Fn::GetAtt: [Role, RoleId]`.
    if attr == "RoleName" || !compact.contains("GetAtt") || !compact.contains(resource) {
        return None;
    }
    let mut found = written.match_indices(attr).filter(|(i, _)| {
        let before = written[..*i].chars().next_back();
        let after = written[i + attr.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    });
    let (i, _) = found.next()?;
    if found.next().is_some() {
        return None;
    }
    Some(format!("{}Arn{}", &written[..i], &written[i + attr.len()..]))
}

/// Whether YAML reads `s` as this string when it is written bare, in a key or a value.
fn plain_in_yaml(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '-' | '_' | '/' | '*'))
        && !s.ends_with(':')
        && !matches!(s.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "null")
}

/// Whether `s` is an HCL identifier, which an object key may be written as.
fn identifier_in_hcl(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `s` in double quotes, escaped for the file's syntax.
fn double_quoted(syntax: Syntax, s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' if syntax == Syntax::Hcl => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_keep_their_quotes() {
        let t = |syntax, written, to| text(syntax, written, "sts:AssumeRole", to);
        assert_eq!(t(Syntax::Yaml, "sts:AssumeRole", "sts:X").as_deref(), Some("sts:X"));
        assert_eq!(t(Syntax::Yaml, "'sts:AssumeRole'", "sts:X").as_deref(), Some("'sts:X'"));
        assert_eq!(t(Syntax::Json, "\"sts:AssumeRole\"", "sts:X").as_deref(), Some("\"sts:X\""));
        assert_eq!(t(Syntax::Hcl, "\"sts:AssumeRole\"", "sts:X").as_deref(), Some("\"sts:X\""));
        // Not the literal the rule saw: a variable, an escape, an interpolation.
        assert_eq!(t(Syntax::Hcl, "var.action", "sts:X"), None);
        assert_eq!(t(Syntax::Json, "\"sts:Assume\\u0052ole\"", "sts:X"), None);
        assert_eq!(t(Syntax::Json, "sts:AssumeRole", "sts:X"), None);
        assert_eq!(text(Syntax::Hcl, "\"${a}\"", "${a}", "b"), None);
    }

    #[test]
    fn bare_keys_are_quoted_when_they_must_be() {
        assert_eq!(
            text(Syntax::Hcl, "StringEquals", "StringEquals", "ForAnyValue:StringLike").as_deref(),
            Some("\"ForAnyValue:StringLike\"")
        );
        assert_eq!(text(Syntax::Hcl, "Service", "Service", "Federated").as_deref(), Some("Federated"));
        assert_eq!(
            text(Syntax::Yaml, "StringEquals", "StringEquals", "ForAnyValue:StringLike").as_deref(),
            Some("ForAnyValue:StringLike")
        );
        assert_eq!(text(Syntax::Yaml, "x", "x", "yes").as_deref(), Some("\"yes\""));
    }

    #[test]
    fn role_names_become_arns() {
        let y = |w| role_arn(Syntax::Yaml, w, "AuthRole", "RoleName");
        assert_eq!(y("!Ref AuthRole").as_deref(), Some("!GetAtt AuthRole.Arn"));
        assert_eq!(y("Ref: AuthRole").as_deref(), Some("Fn::GetAtt: [AuthRole, Arn]"));
        assert_eq!(y("!Ref OtherRole"), None);
        assert_eq!(
            role_arn(Syntax::Json, "{ \"Ref\" : \"AuthRole\" }", "AuthRole", "RoleName").as_deref(),
            Some("{\"Fn::GetAtt\": [\"AuthRole\", \"Arn\"]}")
        );
        assert_eq!(
            role_arn(Syntax::Yaml, "!GetAtt AuthRole.RoleId", "AuthRole", "RoleId").as_deref(),
            Some("!GetAtt AuthRole.Arn")
        );
        let h = |w| role_arn(Syntax::Hcl, w, "aws_iam_role.auth", "RoleName");
        assert_eq!(h("aws_iam_role.auth.name").as_deref(), Some("aws_iam_role.auth.arn"));
        assert_eq!(h("\"${aws_iam_role.auth.id}\"").as_deref(), Some("\"${aws_iam_role.auth.arn}\""));
        assert_eq!(h("module.roles.name"), None);
        assert_eq!(h("\"${aws_iam_role.auth.name}-x\""), None);
    }
}
