//! The Framework's variable syntax in strings: where a `${...}` is a variable rather than
//! CloudFormation's own placeholder, and the fallbacks it lists.

pub(super) enum Piece {
    Text(String),
    /// What is between `${` and its `}`.
    Variable(String),
}

/// A string cut into text and Framework variables. `${...}` that is not a Framework variable
/// (no source: `${AWS::Region}`, `${Pool}`, `${cognito-identity.amazonaws.com:sub}` is one) stays
/// text; `\${` is an escape.
pub(super) fn pieces(s: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        if rest[..at].ends_with('\\') {
            text.push_str(&rest[..at - 1]);
            text.push_str("${");
            rest = &rest[at + 2..];
            continue;
        }
        text.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = closing(after) else {
            text.push_str(&rest[at..]);
            rest = "";
            break;
        };
        let content = &after[..end];
        if is_variable(content) {
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text)));
            }
            out.push(Piece::Variable(content.to_string()));
        } else {
            text.push_str(&rest[at..at + 2 + end + 1]);
        }
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// Where the `}` closing a variable is, counting nested `${`.
fn closing(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether `${content}` is a Framework variable: a source name (a lower-case letter first)
/// followed by `:` or `(`, and no `::` (CloudFormation's pseudo parameters).
fn is_variable(content: &str) -> bool {
    let first = split_top_level(content).into_iter().next().unwrap_or("").trim();
    if first.contains("::") || !first.starts_with(|c: char| c.is_ascii_lowercase()) {
        return false;
    }
    let name_end = first.find([':', '(']).unwrap_or(first.len());
    let name = &first[..name_end];
    name_end < first.len() && name.chars().all(|c| c.is_ascii_alphanumeric()) && !name.contains('.')
}

/// The comma-separated fallbacks of a variable, outside quotes, parentheses and nested `${}`.
pub(super) fn split_top_level(content: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, c) in content.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '{') => depth += 1,
            (None, ')' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(&content[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&content[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        pieces(s)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => format!("T:{t}"),
                Piece::Variable(v) => format!("V:{v}"),
            })
            .collect()
    }

    #[test]
    fn variables_are_told_from_cloudformation_placeholders() {
        assert_eq!(texts("${self:custom.stage}-pool"), ["V:self:custom.stage", "T:-pool"]);
        assert_eq!(
            texts("arn:${AWS::Partition}:s3:::${Bucket}/${cognito-identity.amazonaws.com:sub}"),
            ["T:arn:${AWS::Partition}:s3:::${Bucket}/${cognito-identity.amazonaws.com:sub}"]
        );
        assert_eq!(texts("${self:custom.${opt:stage}}"), ["V:self:custom.${opt:stage}"]);
        assert_eq!(texts("${opt:stage, 'dev'}"), ["V:opt:stage, 'dev'"]);
        assert_eq!(texts("${file(resources/a.yml):Resources}"), ["V:file(resources/a.yml):Resources"]);
        assert_eq!(texts(r"\${self:x}"), ["T:${self:x}"]);
        assert_eq!(texts("${self:x"), ["T:${self:x"]);
    }

    #[test]
    fn fallbacks_split_outside_quotes_and_calls() {
        assert_eq!(
            split_top_level("opt:stage, self:provider.stage, 'a,b'"),
            ["opt:stage", " self:provider.stage", " 'a,b'"]
        );
        assert_eq!(split_top_level("file(a,b.yml):x, null"), ["file(a,b.yml):x", " null"]);
    }
}
