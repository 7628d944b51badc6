//! Reading one input file as an attacker may have prepared it: only regular files are read
//! (a FIFO, a device or a socket is an error, and opening one never blocks), at most
//! [`MAX_FILE_BYTES`] are read whatever the file's metadata says, and text is decoded from
//! UTF-8, or from UTF-16 or UTF-32 when a byte-order mark says so (which the caller reports:
//! CloudFormation and Terraform read UTF-8 only).

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Largest file read; larger ones are reported, not parsed.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The identity of a file on its file system, the same for every path that reaches it (links,
/// `./a.yaml` and `a.yaml`), so that each file is scanned once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileKey {
    device: u64,
    inode: u64,
}

/// The bytes of a regular file and its identity.
pub struct Bytes {
    pub bytes: Vec<u8>,
    pub key: Option<FileKey>,
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`].
pub(crate) fn read_file(path: &Path) -> Result<Bytes, String> {
    let file = open(path).map_err(|e| format!("cannot read: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("not a regular file ({}); not read", kind(&meta)));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The limit holds on what is read: a file that grows, or claims a size of 0 as files of
    // /proc do, is still cut off.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(Bytes { bytes, key: key(&meta) })
}

fn too_large() -> String {
    format!("file is larger than {} MiB; not read", MAX_FILE_BYTES / (1024 * 1024))
}

/// Opens for reading without blocking: opening a FIFO with no writer would otherwise wait
/// forever. The flag does not change how a regular file reads.
#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<File> {
    // Elsewhere special files cannot be opened by a path in a repository; check before opening.
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"))
        }
        _ => File::open(path),
    }
}

#[cfg(unix)]
fn kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() { "a folder" } else { "a special file" }
}

#[cfg(unix)]
fn key(meta: &std::fs::Metadata) -> Option<FileKey> {
    use std::os::unix::fs::MetadataExt;
    Some(FileKey { device: meta.dev(), inode: meta.ino() })
}

#[cfg(not(unix))]
fn key(_: &std::fs::Metadata) -> Option<FileKey> {
    None
}

/// A fingerprint of a file's bytes, to tell whether a file read again still holds them: a
/// multiply-xorshift over 8-byte words, fast enough to take for every file read.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = bytes.len() as u64 ^ K;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(b)).wrapping_mul(K).rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
    }
    h ^ (h >> 32)
}

/// A file's text after decoding.
pub struct Text {
    pub text: String,
    /// The encoding when it was not UTF-8 (`"UTF-16LE"`), named by the file's byte-order mark.
    pub encoding: Option<&'static str>,
}

/// Text that is not valid in its encoding: what decoded before the problem, and the byte at
/// which it is.
pub(crate) struct BadText {
    pub prefix: String,
    /// The file's bytes, as read.
    pub bytes: Vec<u8>,
    pub at: usize,
    pub encoding: &'static str,
}

/// Decodes UTF-8, or UTF-16/UTF-32 named by a byte-order mark.
pub(crate) fn decode(bytes: Vec<u8>) -> Result<Text, BadText> {
    let (encoding, width, big) = match bytes.as_slice() {
        [0xFF, 0xFE, 0, 0, ..] => ("UTF-32LE", 4, false),
        [0, 0, 0xFE, 0xFF, ..] => ("UTF-32BE", 4, true),
        [0xFF, 0xFE, ..] => ("UTF-16LE", 2, false),
        [0xFE, 0xFF, ..] => ("UTF-16BE", 2, true),
        _ => {
            return String::from_utf8(bytes).map(|text| Text { text, encoding: None }).map_err(|e| {
                let at = e.utf8_error().valid_up_to();
                let prefix = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
                BadText { prefix, bytes: e.into_bytes(), at, encoding: "UTF-8" }
            });
        }
    };
    let units = bytes[width..].chunks(width).map(|c| {
        let mut b = [0u8; 4];
        b[..c.len()].copy_from_slice(c);
        match (width, big) {
            (2, false) => u32::from(u16::from_le_bytes([b[0], b[1]])),
            (2, true) => u32::from(u16::from_be_bytes([b[0], b[1]])),
            (_, false) => u32::from_le_bytes(b),
            (_, true) => u32::from_be_bytes(b),
        }
    });
    let mut text = String::with_capacity(bytes.len() / width);
    let bad = |text: String, unit: usize| BadText {
        prefix: text,
        bytes: Vec::new(),
        at: width + unit * width,
        encoding,
    };
    if !bytes.len().is_multiple_of(width) {
        return Err(bad(String::new(), (bytes.len() - width) / width));
    }
    if width == 2 {
        let units: Vec<u16> = units.map(|u| u as u16).collect();
        let mut at = 0;
        for c in char::decode_utf16(units.iter().copied()) {
            match c {
                Ok(c) => {
                    at += c.len_utf16();
                    text.push(c);
                }
                Err(_) => return Err(bad(text, at)),
            }
        }
    } else {
        for (i, u) in units.enumerate() {
            match char::from_u32(u) {
                Some(c) => text.push(c),
                None => return Err(bad(text, i)),
            }
        }
    }
    Ok(Text { text, encoding: Some(encoding) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big: bool) -> Vec<u8> {
        let mut out = if big { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for u in text.encode_utf16() {
            out.extend(if big { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        out
    }

    #[test]
    fn byte_order_marks_name_the_encoding() {
        for big in [false, true] {
            let t = decode(utf16("Resources: {} # ä 😀", big)).ok().expect("decodes");
            assert_eq!(t.text, "Resources: {} # ä 😀");
            assert_eq!(t.encoding, Some(if big { "UTF-16BE" } else { "UTF-16LE" }));
        }
        let mut utf32 = vec![0xFF, 0xFE, 0, 0];
        for c in "a😀".chars() {
            utf32.extend((c as u32).to_le_bytes());
        }
        let t = decode(utf32).ok().expect("decodes");
        assert_eq!((t.text.as_str(), t.encoding), ("a😀", Some("UTF-32LE")));
        assert_eq!(decode(b"plain".to_vec()).ok().map(|t| t.encoding), Some(None));
    }

    #[test]
    fn broken_encodings_say_where() {
        let mut bytes = utf16("ab", false);
        bytes.extend([0x00, 0xD8, b'c', 0]); // a lone high surrogate, then `c`
        let Err(bad) = decode(bytes) else { panic!("lone surrogate decoded") };
        assert_eq!((bad.prefix.as_str(), bad.at, bad.encoding), ("ab", 6, "UTF-16LE"));
        let Err(bad) = decode(b"ok\xc3\x28".to_vec()) else { panic!("bad UTF-8 decoded") };
        assert_eq!((bad.prefix.as_str(), bad.at), ("ok", 2));
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read_file(&fifo).err().expect("a FIFO is refused");
            assert!(e.contains("not a regular file (a FIFO)"), "{e}");
        } else {
            // As tests/common/mod.rs's `missing`: skipped on a developer's machine, a failure
            // under CI (`CI` set to anything but empty, `0` or `false`).
            let ci = std::env::var_os("CI").map(|v| v.to_string_lossy().trim().to_ascii_lowercase());
            let under_ci = ci.is_some_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
            assert!(
                !under_ci,
                "a working mkfifo is missing, and under CI this test must run: it is in coreutils"
            );
            // To the real stderr: libtest drops what `eprintln!` writes in a passing test.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "skipped: a working mkfifo is missing (it is in coreutils)");
        }
        let e = read_file(Path::new("/dev/zero")).err().expect("a device is refused");
        assert!(e.contains("not a regular file (a device)"), "{e}");
    }
}
