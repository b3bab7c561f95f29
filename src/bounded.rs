//! Bounded file reads. Every file keyhound reads on behalf of the user or of a scanned tree
//! (config, rules, baselines, ignore files, env files, scanned files) is opened here: only a
//! regular file is opened — its type is checked before opening, so a FIFO never blocks the
//! scan and a device is never touched, and again on the open handle, so a file swapped in
//! between is caught — and at most `cap + 1` bytes are read, whatever size the file declares
//! (`/proc` files declare 0 bytes and can hold gigabytes).

use std::fs::{File, FileType, Metadata, OpenOptions};
use std::io::Read;
use std::path::Path;

/// Why a bounded read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not a regular file (what it is instead).
    #[error("{0}, not a regular file")]
    NotRegular(&'static str),
    /// More than the cap (in bytes) could be read.
    #[error("larger than {}", human(*.0))]
    TooLarge(u64),
    /// Opening or reading failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What a file that is not a regular file is, for messages (`a FIFO (named pipe)`).
pub fn kind(file_type: FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_symlink() {
        "a symlink"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Opens `path` (following symlinks) when it is a regular file, non-blocking, and returns
/// it with its metadata as seen on the open handle.
pub fn open_regular(path: &Path) -> Result<(File, Metadata), ReadError> {
    regular(std::fs::metadata(path)?.file_type())?;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO swapped in after the check above opens without waiting for a writer.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    regular(meta.file_type())?;
    Ok((file, meta))
}

/// Reads the regular file at `path`, at most `cap` bytes ([`ReadError::TooLarge`] when it
/// holds more, counted by bytes read, not by the size it declares).
pub fn read(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (mut file, meta) = open_regular(path)?;
    if meta.len() > cap {
        return Err(ReadError::TooLarge(cap));
    }
    let mut buf = Vec::new();
    if read_capped(&mut file, cap, &mut buf)? {
        return Err(ReadError::TooLarge(cap));
    }
    Ok(buf)
}

/// Reads `file` into `buf` (cleared first), at most `cap + 1` bytes; true when it holds
/// more than `cap` (then `buf` holds the first `cap + 1`).
pub fn read_capped(file: &mut File, cap: u64, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    buf.clear();
    file.take(cap.saturating_add(1)).read_to_end(buf)?;
    Ok(buf.len() as u64 > cap)
}

fn regular(file_type: FileType) -> Result<(), ReadError> {
    if file_type.is_file() {
        Ok(())
    } else {
        Err(ReadError::NotRegular(kind(file_type)))
    }
}

/// `4 MiB`, `512 KiB`, `100 bytes`: a cap as people read it.
fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_cap_whatever_the_declared_size() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").expect("write");
        assert_eq!(read(&path, 10).expect("fits"), b"0123456789");
        assert!(matches!(read(&path, 9), Err(ReadError::TooLarge(9))));
        // /proc files declare 0 bytes; the cap counts what is read
        let mut f = File::open("/proc/self/status").expect("procfs");
        let mut buf = Vec::new();
        assert!(read_capped(&mut f, 16, &mut buf).expect("read"));
        assert_eq!(buf.len(), 17);
        assert!(matches!(
            read(Path::new("/proc/self/status"), 16),
            Err(ReadError::TooLarge(16))
        ));
    }

    #[test]
    fn devices_directories_and_fifos_are_refused_before_opening() {
        let err = read(Path::new("/dev/zero"), 100).expect_err("device");
        assert_eq!(err.to_string(), "a character device, not a regular file");
        let dir = tempfile::tempdir().expect("tmp");
        let err = read(dir.path(), 100).expect_err("dir");
        assert_eq!(err.to_string(), "a directory, not a regular file");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.expect("mkfifo").success());
        // Would block forever in open(2) if opened: the type check comes first. Read on a
        // thread with a deadline, so a regression fails instead of hanging the test run.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(read(&fifo, 100).map_err(|e| e.to_string())));
        let got = rx.recv_timeout(std::time::Duration::from_secs(10));
        let got = got.expect("reading a FIFO blocked");
        assert_eq!(
            got,
            Err("a FIFO (named pipe), not a regular file".to_string())
        );
        assert_eq!(human(4 << 20), "4 MiB");
        assert_eq!(human(1000), "1000 bytes");
    }
}
