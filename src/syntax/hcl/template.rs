//! String templates and heredocs: literal text with `${}` interpolations, the strip markers
//! (`${~ x ~}`) and Terraform's indentation stripping for `<<-` heredocs.
//!
//! hcl-edit dedents `<<-` heredocs itself, but not the way Terraform does: it lets a line that
//! starts with an interpolation be stripped, counts whitespace-only lines and drops `\r`.
//! Heredoc literals are therefore re-read from the source (where only `$${` and `%%{` are
//! escapes) and stripped here by HCL's rule.

use hcl_edit::Span as _;
use hcl_edit::template::{Element, HeredocTemplate, StringTemplate, Template};

use super::{Converter, TEMPLATE, string, tagged};
use crate::syntax::{Node, Span, SyntaxError, Value};

/// One piece of a template: literal text (its span is the raw source) or a converted expression.
enum Part {
    Literal(String, Span),
    Expr(Node),
}

impl Converter<'_> {
    /// A quoted string with interpolations (one without is a plain `Expression::String`).
    pub(super) fn string_template(
        &mut self,
        template: &StringTemplate,
        span: Span,
        depth: usize,
    ) -> Result<Node, SyntaxError> {
        Ok(match self.template_parts(template, false, depth)? {
            Some(parts) => assemble(parts, span),
            None => self.unknown(span),
        })
    }

    /// A heredoc: its node spans the content lines, not the `<<EOF` markers.
    pub(super) fn heredoc(
        &mut self,
        heredoc: &HeredocTemplate,
        span: Span,
        depth: usize,
    ) -> Result<Node, SyntaxError> {
        let content = self.span(heredoc.template.span());
        let flush = self.slice(span).starts_with("<<-");
        Ok(match self.template_parts(&heredoc.template, true, depth)? {
            Some(mut parts) => {
                if flush {
                    strip_indentation(&mut parts);
                }
                assemble(parts, content)
            }
            None => self.unknown(content),
        })
    }

    /// The parts of a template with strip markers applied; `None` when it has a directive.
    fn template_parts(
        &mut self,
        template: &Template,
        heredoc: bool,
        depth: usize,
    ) -> Result<Option<Vec<Part>>, SyntaxError> {
        let mut parts = Vec::new();
        let mut strip_next = false;
        for element in template.iter() {
            match element {
                Element::Literal(literal) => {
                    let span = self.span(literal.span());
                    let mut text =
                        if heredoc { unescape_markers(self.slice(span)) } else { literal.value().clone() };
                    if std::mem::take(&mut strip_next) {
                        text = text.trim_start().to_owned();
                    }
                    parts.push(Part::Literal(text, span));
                }
                Element::Interpolation(interpolation) => {
                    if interpolation.strip.strip_start()
                        && let Some(Part::Literal(text, _)) = parts.last_mut()
                    {
                        text.truncate(text.trim_end().len());
                    }
                    strip_next = interpolation.strip.strip_end();
                    parts.push(Part::Expr(self.expr(&interpolation.expr, depth)?));
                }
                Element::Directive(_) => return Ok(None),
            }
        }
        Ok(Some(parts))
    }
}

/// Heredoc literal text as written: `$${` and `%%{` stand for `${` and `%{`.
fn unescape_markers(raw: &str) -> String {
    raw.replace("$${", "${").replace("%%{", "%{")
}

/// A `String` when no interpolation is left, else `Map { tf::template: [parts..] }` without
/// empty literals.
fn assemble(parts: Vec<Part>, span: Span) -> Node {
    if parts.iter().all(|part| matches!(part, Part::Literal(..))) {
        let text: String = parts
            .iter()
            .map(|part| match part {
                Part::Literal(text, _) => text.as_str(),
                Part::Expr(_) => "",
            })
            .collect();
        return string(&text, span);
    }
    let nodes = parts
        .into_iter()
        .filter_map(|part| match part {
            Part::Literal(text, _) if text.is_empty() => None,
            Part::Literal(text, literal_span) => Some(Node::new(Value::String(text), literal_span)),
            Part::Expr(node) => Some(node),
        })
        .collect();
    tagged(TEMPLATE, span, Node::new(Value::Seq(nodes), span))
}

/// HCL's `<<-` rule: find the fewest leading whitespace characters of any line that starts with
/// literal text and is not blank (a line starting with an interpolation counts as zero), then
/// remove that many characters from every such line. Blank lines keep their whitespace.
fn strip_indentation(parts: &mut [Part]) {
    let mut fewest = usize::MAX;
    let mut line_start = true;
    for part in parts.iter() {
        match part {
            Part::Literal(text, _) => {
                for line in text.split_inclusive('\n') {
                    if line_start && let Some(indent) = indentation(line) {
                        fewest = fewest.min(indent);
                    }
                    line_start = line.ends_with('\n');
                }
            }
            Part::Expr(_) => {
                if line_start {
                    fewest = 0;
                }
                line_start = false;
            }
        }
    }
    if fewest == 0 || fewest == usize::MAX {
        return;
    }
    line_start = true;
    for part in parts.iter_mut() {
        match part {
            Part::Literal(text, _) => {
                let mut stripped = String::with_capacity(text.len());
                for line in text.split_inclusive('\n') {
                    if line_start && indentation(line).is_some() {
                        let cut = line.char_indices().nth(fewest).map_or(line.len(), |(i, _)| i);
                        stripped.push_str(&line[cut..]);
                    } else {
                        stripped.push_str(line);
                    }
                    line_start = line.ends_with('\n');
                }
                *text = stripped;
            }
            Part::Expr(_) => line_start = false,
        }
    }
}

/// Leading whitespace characters of a line; `None` for a blank line, which does not count.
fn indentation(line: &str) -> Option<usize> {
    let rest = line.trim_start();
    if rest.is_empty() && line.ends_with('\n') {
        return None;
    }
    Some(line[..line.len() - rest.len()].chars().count())
}
