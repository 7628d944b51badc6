//! Scalar typing as a YAML 1.1 reader does it: nulls, the YAML 1.1 booleans, ints and floats
//! in their YAML 1.1 forms, and the core schema's tags.

use std::borrow::Cow;

use saphyr_parser::{ScalarStyle, Tag};

use super::super::Value;

/// YAML 1.1 booleans, which CloudFormation's reader still honours (YAML 1.2 kept only
/// `true`/`false`): `Enabled: yes` reaches CloudFormation as `true`.
#[rustfmt::skip]
const YAML11_BOOLS: [(&str, bool); 22] = [
    ("true", true), ("True", true), ("TRUE", true),
    ("false", false), ("False", false), ("FALSE", false),
    ("yes", true), ("Yes", true), ("YES", true),
    ("no", false), ("No", false), ("NO", false),
    ("on", true), ("On", true), ("ON", true),
    ("off", false), ("Off", false), ("OFF", false),
    ("y", true), ("Y", true), ("n", false), ("N", false),
];

/// The value of an untagged or core-tagged scalar, typed as a YAML 1.1 reader would.
pub(super) fn scalar_value(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag.filter(|tag| tag.is_yaml_core_schema()) {
        match tag.suffix.as_str() {
            "str" => return Value::String(text.into_owned()),
            "int" | "float" => return Value::Number(text.into_owned()),
            "null" => return Value::Null,
            "bool" => {
                if let Some(b) = yaml11_bool(&text) {
                    return Value::Bool(b);
                }
            }
            _ => {}
        }
    }
    // Quoted and block scalars are strings; so is a plain one under the non-specific tag `!`.
    let non_specific = tag.is_some_and(|tag| tag.handle.is_empty() && tag.suffix == "!");
    if style != ScalarStyle::Plain || non_specific {
        return Value::String(text.into_owned());
    }
    if matches!(&*text, "" | "~" | "null" | "Null" | "NULL") {
        Value::Null
    } else if let Some(b) = yaml11_bool(&text) {
        Value::Bool(b)
    } else if is_number(&text) {
        Value::Number(text.into_owned())
    } else {
        Value::String(text.into_owned())
    }
}

fn yaml11_bool(text: &str) -> Option<bool> {
    YAML11_BOOLS.iter().find(|(word, _)| *word == text).map(|&(_, b)| b)
}

/// YAML 1.1 ints and floats: decimal (with `_` separators), `0x`, `0o`, `0b`, `.inf`, `.nan`.
fn is_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let radix = [("0x", 16_u32), ("0o", 8), ("0b", 2)];
    if let Some((digits, radix)) = radix.iter().find_map(|(p, r)| Some((unsigned.strip_prefix(p)?, *r))) {
        let digit = |c: char| c.is_digit(radix);
        return digits.chars().any(digit) && digits.chars().all(|c| c == '_' || digit(c));
    }
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let int_ok = int.is_empty()
        || (int.starts_with(|c: char| c.is_ascii_digit())
            && int.bytes().all(|b| b.is_ascii_digit() || b == b'_'));
    let exponent_ok = exponent.is_none_or(|e| !e.is_empty() && digits(e));
    let has_digit = int.bytes().chain(frac.bytes()).any(|b| b.is_ascii_digit());
    int_ok && digits(frac) && exponent_ok && has_digit
}
