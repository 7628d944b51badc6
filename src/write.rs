//! Writing what the user asked for, a report (`-o`) or a baseline (`--write-baseline`): never
//! through a symbolic link. A repository under scan can hold a link where CI writes its report
//! (`cognitrust.sarif -> ~/.bashrc`), and the scan itself refuses to read through such links.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path`, created or truncated, unless `path` is a symbolic link. A device
/// such as `/dev/null` or `/dev/stdout` is written as it is.
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path);
    // O_NOFOLLOW fails with ELOOP on a link: say what it is.
    opened.map_err(|e| if e.raw_os_error() == Some(libc::ELOOP) { link_error() } else { e })
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(link_error());
    }
    std::fs::File::create(path)
}

fn link_error() -> std::io::Error {
    std::io::Error::other(
        "it is a symbolic link, which is not written through (remove it, or name another file)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_written_and_a_link_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("report.json");
        write_file(&file, b"first, longer\n").expect("write");
        write_file(&file, b"second\n").expect("overwrite");
        assert_eq!(std::fs::read_to_string(&file).expect("read"), "second\n");
        #[cfg(unix)]
        {
            let target = dir.path().join("precious");
            std::fs::write(&target, "keep\n").expect("write");
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&target, &link).expect("link");
            let err = write_file(&link, b"overwritten\n").expect_err("a link is refused");
            assert!(err.to_string().contains("symbolic link"), "{err}");
            assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep\n");
            write_file(Path::new("/dev/null"), b"discarded\n").expect("a device is written");
        }
    }
}
