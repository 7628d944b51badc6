//! String templates and heredocs: literal text with `${}` interpolations, the strip markers
//! (`${~ x ~}`) and Terraform's indentation stripping for `<<-` heredocs.
//!
//! hcl-edit dedents `<<-` heredocs itself, but not the way Terraform does: it lets a line that
//! starts with an interpolation be stripped, counts whitespace-only lines and drops `\r`.
//! Heredoc literals are therefore re-read from the source (where only `$${` and `%%{` are
//! escapes) and stripped here by HCL's rule.

use hcl_edit::Span as _;
use hcl_edit::template::{
    Directive, Element, ForDirective, HeredocTemplate, IfDirective, StringTemplate, Template,
};

use super::{COND, Converter, FOR, TEMPLATE, string, tagged};
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
        Ok(assemble(self.template_parts(template, false, depth)?, span))
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
        let mut parts = self.template_parts(&heredoc.template, true, depth)?;
        if flush {
            strip_indentation(&mut parts);
        }
        Ok(assemble(parts, content))
    }

    /// The parts of a template with strip markers applied.
    fn template_parts(
        &mut self,
        template: &Template,
        heredoc: bool,
        depth: usize,
    ) -> Result<Vec<Part>, SyntaxError> {
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
                Element::Directive(directive) => {
                    let (strip_before, strip_after, node) = self.directive(directive, heredoc, depth)?;
                    if strip_before {
                        trim_end_last(&mut parts);
                    }
                    strip_next = strip_after;
                    parts.push(Part::Expr(node));
                }
            }
        }
        Ok(parts)
    }

    /// The span of `range`, or `default` when the parser gave none (an empty template).
    fn span_or(&self, range: Option<std::ops::Range<usize>>, default: Span) -> Span {
        range.map_or(default, |r| self.span(Some(r)))
    }

    /// `%{ if c }a%{ else }b%{ endif }` as the conditional `c ? "a" : "b"`, and
    /// `%{ for k, v in coll }body%{ endfor }` as `tf::for`, with whether the directive strips
    /// the whitespace before and after it. Strip markers inside are applied to the branches'
    /// and the body's own text. (A `<<-` heredoc's indentation is stripped from the text
    /// outside directives only: inside, only whitespace differs.)
    fn directive(
        &mut self,
        directive: &Directive,
        heredoc: bool,
        depth: usize,
    ) -> Result<(bool, bool, Node), SyntaxError> {
        let span = self.span(directive.span());
        let depth = self.enter(depth, span)?;
        match directive {
            Directive::If(d) => self.if_directive(d, span, heredoc, depth),
            Directive::For(d) => self.for_directive(d, span, heredoc, depth),
        }
    }

    /// `%{ if }` as a conditional; see [`Self::directive`].
    fn if_directive(
        &mut self,
        d: &IfDirective,
        span: Span,
        heredoc: bool,
        depth: usize,
    ) -> Result<(bool, bool, Node), SyntaxError> {
        let condition = self.expr(&d.if_expr.cond_expr, depth)?;
        let mut yes = self.template_parts(&d.if_expr.template, heredoc, depth)?;
        let mut no = match &d.else_expr {
            Some(e) => self.template_parts(&e.template, heredoc, depth)?,
            None => Vec::new(),
        };
        if d.if_expr.strip.strip_end() {
            trim_start_first(&mut yes);
        }
        let last = match &d.else_expr {
            Some(e) => {
                if e.strip.strip_start() {
                    trim_end_last(&mut yes);
                }
                if e.strip.strip_end() {
                    trim_start_first(&mut no);
                }
                &mut no
            }
            None => &mut yes,
        };
        if d.endif_expr.strip.strip_start() {
            trim_end_last(last);
        }
        let yes_span = self.span_or(d.if_expr.template.span(), span);
        let no_span = d.else_expr.as_ref().map_or(span, |e| self.span_or(e.template.span(), span));
        let branches = vec![condition, assemble(yes, yes_span), assemble(no, no_span)];
        let node = tagged(COND, span, Node::new(Value::Seq(branches), span));
        Ok((d.if_expr.strip.strip_start(), d.endif_expr.strip.strip_end(), node))
    }

    /// `%{ for }` as `tf::for`; see [`Self::directive`].
    fn for_directive(
        &mut self,
        d: &ForDirective,
        span: Span,
        heredoc: bool,
        depth: usize,
    ) -> Result<(bool, bool, Node), SyntaxError> {
        let f = &d.for_expr;
        let key = match &f.key_var {
            Some(k) => string(k.as_str(), self.span(k.span())),
            None => Node::new(Value::Null, span),
        };
        let value = string(f.value_var.as_str(), self.span(f.value_var.span()));
        let collection = self.expr(&f.collection_expr, depth)?;
        let mut body = self.template_parts(&f.template, heredoc, depth)?;
        if f.strip.strip_end() {
            trim_start_first(&mut body);
        }
        if d.endfor_expr.strip.strip_start() {
            trim_end_last(&mut body);
        }
        let body = assemble(body, self.span_or(f.template.span(), span));
        let node = tagged(FOR, span, Node::new(Value::Seq(vec![key, value, collection, body]), span));
        Ok((f.strip.strip_start(), d.endfor_expr.strip.strip_end(), node))
    }
}

/// Strips trailing whitespace from the last part, when it is text.
fn trim_end_last(parts: &mut [Part]) {
    if let Some(Part::Literal(text, _)) = parts.last_mut() {
        text.truncate(text.trim_end().len());
    }
}

/// Strips leading whitespace from the first part, when it is text.
fn trim_start_first(parts: &mut [Part]) {
    if let Some(Part::Literal(text, _)) = parts.first_mut() {
        *text = text.trim_start().to_owned();
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
