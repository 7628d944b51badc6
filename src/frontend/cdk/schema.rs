//! The parts of a cloud assembly's JSON files that [`super`] reads, as types: serde skips
//! everything else without building it, which matters because construct metadata makes up
//! most of an assembly's bytes. Fields are optional and unknown fields are ignored, so a newer
//! schema still reads; a field of the wrong type is an error with its place.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// `manifest.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Manifest {
    pub artifacts: Ordered<Artifact>,
}

/// One entry of `artifacts`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Artifact {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub properties: Properties,
    pub metadata: Metadata,
    pub additional_metadata_file: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Properties {
    /// A stack's template.
    pub template_file: Option<String>,
    /// An asset manifest's file.
    pub file: Option<String>,
}

/// Construct metadata, in `manifest.json` or a stack's `additionalMetadataFile`: construct
/// path → entries.
pub type Metadata = Ordered<Vec<MetadataEntry>>;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct MetadataEntry {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// A logical ID, a stack trace, or anything else (warnings, info), which is skipped.
    pub data: Data,
    /// The stack trace of older assemblies and of `cdk synth --debug`.
    pub trace: Data,
}

/// An asset manifest (`*.assets.json`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Assets {
    pub files: Ordered<FileAsset>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct FileAsset {
    pub source: AssetSource,
    pub destinations: Ordered<Destination>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct AssetSource {
    pub path: Option<String>,
    pub packaging: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Destination {
    pub object_key: Option<String>,
}

/// A metadata entry's `data`: only strings and lists of strings are kept.
#[derive(Debug, Default, PartialEq)]
pub(crate) enum Data {
    Str(String),
    List(Vec<String>),
    #[default]
    Other,
}

impl Data {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Data::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Data;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Data, E> {
                Ok(Data::Str(s.to_string()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Data, E> {
                Ok(Data::Str(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Data, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<Data>()? {
                    if let Data::Str(s) = item {
                        out.push(s);
                    }
                }
                Ok(Data::List(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Data, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Data::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Data, E> {
                Ok(Data::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Data, E> {
                Ok(Data::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Data, E> {
                Ok(Data::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Data, E> {
                Ok(Data::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Data, E> {
                Ok(Data::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON object as its entries in document order (a later duplicate key wins, as in
/// JavaScript).
#[derive(Debug)]
pub(crate) struct Ordered<T>(pub Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<T> Ordered<T> {
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<T>, A::Error> {
                let mut out: Vec<(String, T)> = Vec::new();
                let mut seen: HashMap<String, usize> = HashMap::new();
                while let Some((key, value)) = map.next_entry::<String, T>()? {
                    match seen.get(&key) {
                        Some(&i) => out[i].1 = value,
                        None => {
                            seen.insert(key.clone(), out.len());
                            out.push((key, value));
                        }
                    }
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_other_data_are_skipped() {
        let m: Manifest = serde_json::from_str(
            r#"{"version": "36.0.0", "artifacts": {
                "S": {"type": "aws:cloudformation:stack", "environment": "aws://1/r",
                      "properties": {"templateFile": "S.template.json", "tags": {"a": "b"}},
                      "metadata": {"/S/R": [
                          {"type": "aws:cdk:logicalId", "data": "R"},
                          {"type": "aws:cdk:warning", "data": {"x": [1, 2]}},
                          {"type": "aws:cdk:creationStack", "data": ["a (x.ts:1:2)", 3, null]}
                      ]}}}}"#,
        )
        .unwrap();
        let (name, s) = m.artifacts.iter().next().unwrap();
        assert_eq!(name, "S");
        assert_eq!(s.properties.template_file.as_deref(), Some("S.template.json"));
        let (path, entries) = s.metadata.iter().next().unwrap();
        assert_eq!(path, "/S/R");
        assert_eq!(entries[0].data, Data::Str("R".into()));
        assert_eq!(entries[1].data, Data::Other);
        assert_eq!(entries[2].data, Data::List(vec!["a (x.ts:1:2)".into()]));
    }

    #[test]
    fn a_field_of_the_wrong_type_is_an_error_with_its_place() {
        let e = serde_json::from_str::<Manifest>("{\"artifacts\": {\"S\": {\n\"type\": 3}}}").unwrap_err();
        assert_eq!((e.line(), e.column()), (2, 9));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(
            "{{\"artifacts\": {{\"S\": {{\"metadata\": {{\"/S\": [{{\"data\": {}{}}}]}}}}}}}}",
            "[".repeat(200_000),
            "]".repeat(200_000)
        );
        let e = serde_json::from_str::<Manifest>(&deep).unwrap_err();
        assert!(e.to_string().contains("recursion limit"), "{e}");
    }

    #[test]
    fn later_duplicate_keys_win() {
        let m: Ordered<u8> = serde_json::from_str(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        assert_eq!(m.0, vec![("a".to_string(), 3), ("b".to_string(), 2)]);
    }
}
