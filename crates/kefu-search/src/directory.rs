//! Where the index lives on disk.
//!
//! tantivy maps every index file into memory. Mapped pages a search has touched stay in the
//! server's resident memory, so a server that has answered many different searches appears
//! to hold the whole index — 1.3 GB at a million tickets, most of it posting lists, word
//! positions and stored text that each search reads a small, different part of. Those three
//! are read here with positioned reads into buffers that live for one search; the kernel's
//! page cache still keeps what is read often, without it counting as kefu's memory. The
//! term dictionaries, field norms and fast fields stay mapped: they are small, read on every
//! search, and reopened after every commit, when a read would copy them again.
//!
//! A merge reads a segment's stored text whole (120 MB at a million tickets); such reads are
//! served from a mapping that is released with the bytes, so they neither copy the file
//! into memory nor leave its pages resident afterwards.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};

/// The index's files: postings, positions and stored text read on demand, the rest mapped.
#[derive(Debug, Clone)]
pub(crate) struct IndexDirectory {
    mapped: MmapDirectory,
    root: PathBuf,
}

impl IndexDirectory {
    pub(crate) fn open(root: &Path) -> Result<IndexDirectory, OpenDirectoryError> {
        Ok(IndexDirectory {
            mapped: MmapDirectory::open(root)?,
            root: root.to_owned(),
        })
    }
}

/// Segment files a search reads a small part of: posting lists, word positions, stored text.
fn read_on_demand(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("idx" | "pos" | "store")
    )
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if !read_on_demand(path) {
            return self.mapped.get_file_handle(path);
        }
        let file = File::open(self.root.join(path)).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                OpenReadError::FileDoesNotExist(path.to_owned())
            } else {
                OpenReadError::wrap_io_error(e, path.to_owned())
            }
        })?;
        let len = file
            .metadata()
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_owned()))?
            .len() as usize;
        Ok(Arc::new(ReadFile {
            file,
            len,
            path: path.to_owned(),
            mapped: self.mapped.clone(),
        }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mapped.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mapped.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mapped.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(callback)
    }
}

/// Reads at least this long are served from a mapping released with the bytes.
const MAPPED_READ_BYTES: usize = 8 << 20;

/// An index file read with positioned reads (segment files are written once, never changed).
#[derive(Debug)]
struct ReadFile {
    file: File,
    len: usize,
    path: PathBuf,
    mapped: MmapDirectory,
}

impl tantivy::HasLen for ReadFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        if range.len() >= MAPPED_READ_BYTES {
            let whole = self
                .mapped
                .get_file_handle(&self.path)
                .map_err(io::Error::other)?;
            return whole.read_bytes(range);
        }
        let mut buf = vec![0; range.len()];
        self.file.read_exact_at(&mut buf, range.start as u64)?;
        Ok(OwnedBytes::new(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_asked_range_small_or_large_and_nothing_for_an_empty_one() {
        let dir = std::env::temp_dir().join(format!("kefu-dir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.store"), b"0123456789").unwrap();
        let big: Vec<u8> = (0..MAPPED_READ_BYTES + 10)
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(dir.join("b.store"), &big).unwrap();
        let d = IndexDirectory::open(&dir).unwrap();
        let h = d.get_file_handle(Path::new("a.store")).unwrap();
        assert_eq!(h.len(), 10);
        assert_eq!(h.read_bytes(2..5).unwrap().as_slice(), b"234");
        assert!(h.read_bytes(4..4).unwrap().is_empty());
        assert!(h.read_bytes(8..12).is_err());
        let b = d.get_file_handle(Path::new("b.store")).unwrap();
        assert_eq!(b.read_bytes(3..big.len()).unwrap().as_slice(), &big[3..]);
        assert_eq!(b.read_bytes(5..9).unwrap().as_slice(), &big[5..9]);
        assert!(matches!(
            d.get_file_handle(Path::new("missing.idx")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
