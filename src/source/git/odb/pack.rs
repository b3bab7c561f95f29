//! Decodes every blob of one pack by delta tree, in parallel, reading the pack with positioned reads.
//!
//! The deltas of a pack form trees: each delta names its base. Every base is inflated once and all its
//! deltas are applied while it is in memory, so no object is decoded twice and no cache is needed
//! (this is the algorithm of gix-pack's `traverse_with_index`, behind `gix pack verify`). Two changes
//! make it fit a blob scanner better:
//!
//! * Delta chains never change an object's kind, so trees rooted at an object of a kind nobody asked
//!   for (tags always; commits and trees unless asked for) are skipped without being read. Leaf
//!   blobs above the size limit are never read past their entry header, and a blob delta tree
//!   whose objects are all above it (sizes from the base's header and the heads of the deltas)
//!   is skipped without inflating its base.
//! * The pack is read with `pread` instead of being memory-mapped. Delta resolution touches a mapped
//!   pack all over, and the kernel maps up to 64 KiB around every touched page (fault-around), so the
//!   resident set of a mapped pack soon reaches the pack's size. With positioned reads it stays at the
//!   size of the delta tree plus the objects in flight.

use std::{
    fs::File,
    io::{BufReader, Seek},
    path::{Path, PathBuf},
    rc::Rc,
    sync::atomic::{AtomicUsize, Ordering},
};

use gix::odb::pack;
use rayon::prelude::*;

use super::{Sink, MAX_WARNINGS_PER_SOURCE};
use crate::source::git::{error::error_chain, BoxError};

/// Marks an entry without a usable base in [`Layout::base`], and a missing link in general.
const NONE: u32 = u32::MAX;

/// A pack data file and its index, opened for reading.
pub(super) struct PackFile {
    index: pack::index::File,
    data: File,
    data_path: PathBuf,
    /// Offset of the pack's trailing checksum, where the last entry ends.
    entries_end: u64,
}

impl PackFile {
    /// Opens the pack belonging to the index at `index_path`, checking that both describe the same objects.
    pub(super) fn open(index_path: &Path, object_hash: gix::hash::Kind) -> Result<Self, BoxError> {
        let index = pack::index::File::at(index_path, object_hash)?;
        let data_path = index_path.with_extension("pack");
        let data = File::open(&data_path)?;
        let mut header = [0u8; pack::data::header::SIZE];
        read_exact_at(&data, &mut header, 0).map_err(|err| {
            format!(
                "cannot read the header of {} ({err}): the pack is empty or truncated",
                data_path.display()
            )
        })?;
        let (_version, num_objects) = pack::data::header::decode(&header)?;
        if num_objects != index.num_objects() {
            return Err(format!(
                "the index lists {} objects but the pack has {num_objects}",
                index.num_objects()
            )
            .into());
        }
        let entries_end = data
            .metadata()?
            .len()
            .checked_sub(object_hash.len_in_bytes() as u64)
            .filter(|&end| end >= pack::data::header::SIZE as u64)
            .ok_or("the pack is truncated")?;
        Ok(PackFile {
            index,
            data,
            data_path,
            entries_end,
        })
    }

    /// The path of the `.pack` file.
    pub(super) fn path(&self) -> &Path {
        &self.data_path
    }

    /// Whether the pack contains the object `id`.
    pub(super) fn contains(&self, id: &gix::oid) -> bool {
        self.index.lookup(id).is_some()
    }

    /// Passes every object of a wanted kind in the pack to `sink`, except those for which `is_duplicate` returns true
    /// (they are still decoded if other objects are deltas of them). Corrupt objects become warnings.
    pub(super) fn scan_objects(&self, is_duplicate: impl Fn(&gix::oid) -> bool, sink: &Sink<'_>) {
        let warnings = AtomicUsize::new(0);
        let warn = |message: String| {
            if warnings.fetch_add(1, Ordering::Relaxed) < MAX_WARNINGS_PER_SOURCE {
                sink.warn(message);
            }
        };
        let layout = match Layout::read(self, &|kind| sink.visitors.wants(kind), &warn) {
            Ok(layout) => layout,
            Err(err) => {
                warn(format!(
                    "pack {}: cannot read it: {}",
                    self.path().display(),
                    error_chain(&*err)
                ));
                return;
            }
        };
        let duplicate: Vec<bool> = (0..self.index.num_objects())
            .map(|i| is_duplicate(self.index.oid_at_index(i)))
            .collect();

        // Roots come largest tree first. Splitting down to single roots lets an idle thread always steal
        // the next tree; by default rayon hands each thread a contiguous run, all large ones to the first.
        layout
            .roots
            .par_iter()
            .with_max_len(1)
            .for_each_init(Scratch::default, |scratch, root| {
                if root.kind.is_blob() && root.size > sink.max_size {
                    if let Some(all) = self.oversize_tree(&layout, root, sink.max_size, scratch) {
                        for (entry, size) in all {
                            let pos = layout.index_pos[entry as usize];
                            if !duplicate[pos as usize] {
                                sink.skip_large(self.index.oid_at_index(pos), size);
                            }
                        }
                        return;
                    }
                }
                let root = (root.entry, root.kind);
                self.resolve_tree(&layout, root, &duplicate, scratch, sink, &warn);
            });

        let warnings = warnings.into_inner();
        if warnings > MAX_WARNINGS_PER_SOURCE {
            sink.warn(format!(
                "pack {}: {} more warnings",
                self.path().display(),
                warnings - MAX_WARNINGS_PER_SOURCE
            ));
        }
    }

    /// Decodes the delta tree rooted at entry `root` depth first, handing its objects to `sink`.
    fn resolve_tree(
        &self,
        layout: &Layout,
        (root, kind): (u32, gix::object::Kind),
        duplicate: &[bool],
        scratch: &mut Scratch,
        sink: &Sink<'_>,
        warn: &(impl Fn(String) + Sync),
    ) {
        let mut stack: Vec<(u32, Option<Rc<Vec<u8>>>)> = vec![(root, None)];
        while let Some((entry, base)) = stack.pop() {
            let children = layout.children(entry);
            let index_pos = layout.index_pos[entry as usize];
            let id = self.index.oid_at_index(index_pos);
            // A blob leaf that is too large is counted but not decoded; a base always is.
            let limit = if children.is_empty() && kind.is_blob() {
                sink.max_size
            } else {
                u64::MAX
            };
            let mut out = std::mem::take(&mut scratch.spare);
            match self.decode(
                layout,
                entry,
                base.as_deref().map(Vec::as_slice),
                limit,
                &mut out,
                scratch,
            ) {
                Ok(Decoded::Done) if duplicate[index_pos as usize] => {}
                Ok(Decoded::Done) => sink.deliver(kind, id, &out),
                Ok(Decoded::TooLarge(size)) => {
                    if !duplicate[index_pos as usize] {
                        sink.skip_large(id, size);
                    }
                }
                Err(err) => {
                    let lost = layout.tree_size(entry) - 1;
                    warn(format!(
                        "blob {id} at offset {} in pack {}: {}{}",
                        layout.offsets[entry as usize],
                        self.path().display(),
                        error_chain(&*err),
                        if lost > 0 {
                            format!(" ({lost} objects stored as deltas of it are lost)")
                        } else {
                            String::new()
                        },
                    ));
                    scratch.spare = out;
                    continue;
                }
            }
            if children.is_empty() {
                scratch.spare = out;
            } else {
                let shared = Rc::new(out);
                stack.extend(
                    children
                        .iter()
                        .map(|&child| (child, Some(Rc::clone(&shared)))),
                );
            }
        }
    }

    /// Decodes entry `entry` into `out`, applying it to `base` if it is a delta. An object
    /// larger than `limit` (its size from the entry header, or for a delta from the head of
    /// its instructions) is not decoded.
    fn decode(
        &self,
        layout: &Layout,
        entry: u32,
        base: Option<&[u8]>,
        limit: u64,
        out: &mut Vec<u8>,
        scratch: &mut Scratch,
    ) -> Result<Decoded, BoxError> {
        let start = layout.offsets[entry as usize];
        let end = layout.offsets[entry as usize + 1];
        if base.is_none() {
            // the header alone says a whole object's size: an oversize one is not even read
            let header = self.entry_header(start, end)?;
            if header.decompressed_size > limit {
                return Ok(Decoded::TooLarge(header.decompressed_size));
            }
        }
        let (header, compressed) = self.read_entry((start, end), &mut scratch.raw)?;

        let Some(base) = base else {
            inflate_exact(
                &mut scratch.inflate,
                compressed,
                header.decompressed_size,
                out,
            )?;
            return Ok(Decoded::Done);
        };
        let delta = &mut scratch.delta;
        inflate_exact(
            &mut scratch.inflate,
            compressed,
            header.decompressed_size,
            delta,
        )?;
        let (base_size, delta) = delta_header_size(delta)?;
        if base_size != base.len() as u64 {
            return Err(format!(
                "delta expects a base of {base_size} bytes, the base has {}",
                base.len()
            )
            .into());
        }
        let (result_size, instructions) = delta_header_size(delta)?;
        if result_size > limit {
            return Ok(Decoded::TooLarge(result_size));
        }
        apply_delta(base, instructions, usize::try_from(result_size)?, out)?;
        Ok(Decoded::Done)
    }
}

impl PackFile {
    /// When every object of the blob delta tree under `root` is larger than `limit`, each
    /// entry with its size (the root's from its header, each delta's from the head of its
    /// instructions), so the tree is skipped without inflating its base. `None` when one of
    /// them is small enough to scan, or a delta cannot be read (decoding then reports it).
    fn oversize_tree(
        &self,
        layout: &Layout,
        root: &Root,
        limit: u64,
        scratch: &mut Scratch,
    ) -> Option<Vec<(u32, u64)>> {
        let mut all = vec![(root.entry, root.size)];
        let mut stack = layout.children(root.entry).to_vec();
        while let Some(entry) = stack.pop() {
            let size = self.delta_result_size(layout, entry, scratch).ok()?;
            if size <= limit {
                return None;
            }
            all.push((entry, size));
            stack.extend_from_slice(layout.children(entry));
        }
        Some(all)
    }

    /// The size of the object delta entry `entry` produces, from the first bytes of its
    /// inflated instructions (base size, then result size).
    fn delta_result_size(
        &self,
        layout: &Layout,
        entry: u32,
        scratch: &mut Scratch,
    ) -> Result<u64, BoxError> {
        let start = layout.offsets[entry as usize];
        let end = layout.offsets[entry as usize + 1];
        let (_, compressed) = self.read_entry((start, end), &mut scratch.raw)?;
        let mut head = [0u8; 20];
        scratch.inflate.reset();
        let (_status, _consumed, written) = scratch.inflate.prefix(compressed, &mut head)?;
        let (_base_size, rest) = delta_header_size(&head[..written])?;
        Ok(delta_header_size(rest)?.0)
    }

    /// Reads the entry spanning `start..end` into `raw`: its header and its compressed data.
    fn read_entry<'r>(
        &self,
        (start, end): (u64, u64),
        raw: &'r mut Vec<u8>,
    ) -> Result<(pack::data::Entry, &'r [u8]), BoxError> {
        raw.clear();
        let len = usize::try_from(end - start)?;
        raw.try_reserve(len)?;
        raw.resize(len, 0);
        read_exact_at(&self.data, raw, start)?;
        let header = pack::data::Entry::from_bytes(raw, start, self.index.object_hash())?;
        let compressed = raw
            .get(header.header_size()..)
            .ok_or("entry header exceeds the entry")?;
        Ok((header, compressed))
    }

    /// The header of the entry spanning `start..end`, read from its first bytes only.
    fn entry_header(&self, start: u64, end: u64) -> Result<pack::data::Entry, BoxError> {
        // type and size (at most 10 bytes), then a base offset (10) or base id (32 at most)
        let mut head = [0u8; 64];
        let len = usize::try_from((end - start).min(head.len() as u64))?;
        read_exact_at(&self.data, &mut head[..len], start)?;
        Ok(pack::data::Entry::from_bytes(
            &head[..len],
            start,
            self.index.object_hash(),
        )?)
    }
}

/// What [`PackFile::decode`] did.
enum Decoded {
    /// The object is in the output buffer.
    Done,
    /// The object is larger than the limit (its size): nothing was inflated.
    TooLarge(u64),
}

/// Per-thread buffers, reused across objects.
#[derive(Default)]
struct Scratch {
    inflate: gix::zlib::Inflate,
    /// The raw pack entry: header and compressed data.
    raw: Vec<u8>,
    /// The inflated delta instructions.
    delta: Vec<u8>,
    /// A decoded object buffer no longer in use.
    spare: Vec<u8>,
}

/// The delta trees of a pack, with entries numbered by ascending pack offset.
struct Layout {
    /// Pack offset of each entry, followed by the end of the last entry.
    offsets: Vec<u64>,
    /// Position of each entry in the pack index, which gives its object id.
    index_pos: Vec<u32>,
    /// The deltas based on entry `e` are `children[child_start[e]..child_start[e + 1]]`.
    child_start: Vec<u32>,
    children: Vec<u32>,
    /// Entries holding a whole object of a wanted kind rather than a delta, largest delta
    /// tree first.
    roots: Vec<Root>,
}

/// The root of a delta tree: an entry holding a whole object.
struct Root {
    entry: u32,
    /// Entries in its delta tree, itself included.
    tree_size: u32,
    kind: gix::object::Kind,
    /// The object's size, from its entry header.
    size: u64,
}

impl Layout {
    /// Reads all entry headers of `pack` front to back and links every delta to its base.
    fn read(
        pack: &PackFile,
        wanted: &dyn Fn(gix::object::Kind) -> bool,
        warn: &impl Fn(String),
    ) -> Result<Self, BoxError> {
        let index = &pack.index;
        let num_entries = index.num_objects() as usize;
        let mut by_offset: Vec<(u64, u32)> = (0..index.num_objects())
            .map(|i| (index.pack_offset_at_index(i), i))
            .collect();
        by_offset.sort_unstable();
        let (mut offsets, index_pos): (Vec<u64>, Vec<u32>) = by_offset.into_iter().unzip();
        offsets.push(pack.entries_end);
        if offsets.windows(2).any(|w| w[0] >= w[1]) {
            return Err(
                "the index has duplicate offsets or offsets beyond the end of the pack".into(),
            );
        }
        let mut entry_of_index_pos = vec![NONE; num_entries];
        for (entry, &pos) in index_pos.iter().enumerate() {
            entry_of_index_pos[pos as usize] = entry as u32;
        }

        // Headers are at most a few dozen bytes; read them with one buffered pass instead of a read each.
        let mut reader = BufReader::with_capacity(64 << 10, &pack.data);
        let mut position = 0u64;
        let mut base = vec![NONE; num_entries];
        let mut roots = Vec::new();
        let hash_len = index.object_hash().len_in_bytes();
        for entry in 0..num_entries {
            let offset = offsets[entry];
            let header = reader
                .seek_relative(offset as i64 - position as i64)
                .and_then(|()| pack::data::Entry::from_read(&mut reader, offset, hash_len));
            let header = match header {
                Ok(header) => header,
                Err(err) => {
                    warn(entry_warning(
                        pack,
                        index_pos[entry],
                        offset,
                        &format!("unreadable header: {err}"),
                    ));
                    reader.seek(std::io::SeekFrom::Start(offset))?;
                    position = offset;
                    continue;
                }
            };
            position = header.data_offset;
            use pack::data::entry::Header;
            let base_offset = match header.header {
                Header::OfsDelta { base_distance } => {
                    Header::verified_base_pack_offset(offset, base_distance)
                }
                Header::RefDelta { base_id } => {
                    index.lookup(base_id).map(|i| index.pack_offset_at_index(i))
                }
                Header::Blob | Header::Tree | Header::Commit | Header::Tag => {
                    if let Some(kind) = header.header.as_kind().filter(|&k| wanted(k)) {
                        roots.push((entry as u32, kind, header.decompressed_size));
                    }
                    continue;
                }
            };
            match base_offset.and_then(|o| offsets[..num_entries].binary_search(&o).ok()) {
                Some(base_entry) => base[entry] = base_entry as u32,
                None => warn(entry_warning(
                    pack,
                    index_pos[entry],
                    offset,
                    "its delta base is not in the pack",
                )),
            }
        }

        let mut child_start = vec![0u32; num_entries + 1];
        for &b in base.iter().filter(|&&b| b != NONE) {
            child_start[b as usize + 1] += 1;
        }
        for e in 0..num_entries {
            child_start[e + 1] += child_start[e];
        }
        let mut children = vec![0u32; child_start[num_entries] as usize];
        let mut fill = child_start.clone();
        for (entry, &b) in base.iter().enumerate().filter(|(_, &b)| b != NONE) {
            children[fill[b as usize] as usize] = entry as u32;
            fill[b as usize] += 1;
        }

        let mut layout = Layout {
            offsets,
            index_pos,
            child_start,
            children,
            roots: Vec::new(),
        };
        layout.roots = roots
            .into_iter()
            .map(|(entry, kind, size)| Root {
                entry,
                tree_size: layout.tree_size(entry),
                kind,
                size,
            })
            .collect();
        layout
            .roots
            .sort_unstable_by_key(|root| std::cmp::Reverse(root.tree_size));
        Ok(layout)
    }

    fn children(&self, entry: u32) -> &[u32] {
        let e = entry as usize;
        &self.children[self.child_start[e] as usize..self.child_start[e + 1] as usize]
    }

    /// The number of entries in the delta tree rooted at `entry`, itself included.
    fn tree_size(&self, entry: u32) -> u32 {
        let mut size = 0;
        let mut stack = vec![entry];
        while let Some(e) = stack.pop() {
            size += 1;
            stack.extend_from_slice(self.children(e));
        }
        size
    }
}

fn entry_warning(pack: &PackFile, index_pos: u32, offset: u64, problem: &str) -> String {
    format!(
        "object {} at offset {offset} in pack {}: {problem}",
        pack.index.oid_at_index(index_pos),
        pack.path().display()
    )
}

/// Deflate's largest expansion: a 258-byte match coded in two bits, 1032 bytes out per byte in.
const MAX_DEFLATE_RATIO: u64 = 1032;

/// Inflates the zlib stream at the start of `input` into `out`, which must come out `size` bytes long.
/// A size that `input` cannot inflate to is an error before anything is allocated: the size comes
/// from the entry header, which a corrupt pack can make say gigabytes for a few bytes of data.
fn inflate_exact(
    inflate: &mut gix::zlib::Inflate,
    input: &[u8],
    size: u64,
    out: &mut Vec<u8>,
) -> Result<(), BoxError> {
    let most = (input.len() as u64).saturating_mul(MAX_DEFLATE_RATIO);
    if size > most {
        return Err(format!(
            "the header announces {size} bytes, more than its {} compressed bytes can hold",
            input.len()
        )
        .into());
    }
    let size = usize::try_from(size)?;
    out.clear();
    out.try_reserve_exact(size)?;
    out.resize(size, 0);
    inflate.reset();
    let (_status, _consumed, written) = inflate.once(input, out)?;
    if written != size {
        return Err(format!("inflated {written} bytes, the header announces {size}").into());
    }
    Ok(())
}

/// Decodes a size at the start of a git delta (7 bits a byte, least significant first), returning it
/// and the rest of the delta.
fn delta_header_size(delta: &[u8]) -> Result<(u64, &[u8]), BoxError> {
    let mut size = 0u64;
    for (i, &byte) in delta.iter().enumerate().take(10) {
        size |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((size, &delta[i + 1..]));
        }
    }
    Err("corrupt delta: truncated size".into())
}

/// Applies git delta `instructions` to `base`, writing the `result_size` bytes of the result into `out`.
fn apply_delta(
    base: &[u8],
    instructions: &[u8],
    result_size: usize,
    out: &mut Vec<u8>,
) -> Result<(), BoxError> {
    out.clear();
    out.try_reserve_exact(result_size)?;
    let mut rest = instructions;
    while let Some((&cmd, tail)) = rest.split_first() {
        rest = tail;
        if cmd & 0x80 != 0 {
            // Copy from the base: bits 0-3 say which bytes of the offset follow, bits 4-6 which of the size.
            let (mut offset, mut size) = (0usize, 0usize);
            for bit in 0..7 {
                if cmd & (1 << bit) != 0 {
                    let (&byte, tail) = rest
                        .split_first()
                        .ok_or("corrupt delta: truncated copy instruction")?;
                    rest = tail;
                    if bit < 4 {
                        offset |= usize::from(byte) << (8 * bit);
                    } else {
                        size |= usize::from(byte) << (8 * (bit - 4));
                    }
                }
            }
            let size = if size == 0 { 0x10000 } else { size };
            let chunk = offset
                .checked_add(size)
                .and_then(|end| base.get(offset..end))
                .ok_or("corrupt delta: copy beyond the end of the base")?;
            out.extend_from_slice(chunk);
        } else if cmd != 0 {
            // Insert the next `cmd` bytes of the delta.
            let len = usize::from(cmd);
            if rest.len() < len {
                return Err("corrupt delta: truncated insert instruction".into());
            }
            let (chunk, tail) = rest.split_at(len);
            out.extend_from_slice(chunk);
            rest = tail;
        } else {
            return Err("corrupt delta: reserved instruction 0".into());
        }
        if out.len() > result_size {
            return Err("corrupt delta: result larger than announced".into());
        }
    }
    if out.len() != result_size {
        return Err(format!(
            "corrupt delta: result has {} bytes, {result_size} announced",
            out.len()
        )
        .into());
    }
    Ok(())
}

/// Reads exactly `buf.len()` bytes at `offset` without moving the file's cursor, so threads can share the file.
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let (mut buf, mut offset) = (buf, offset);
        while !buf.is_empty() {
            match std::os::windows::fs::FileExt::seek_read(file, buf, offset) {
                Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_copy_and_insert() {
        let base = b"hello world";
        // result size 11; copy offset 0 size 6 ("hello "), insert "there"
        let instructions = [0x80 | 0x10, 6, 5, b't', b'h', b'e', b'r', b'e'];
        let mut out = Vec::new();
        apply_delta(base, &instructions, 11, &mut out).expect("valid delta");
        assert_eq!(out, b"hello there");
        assert!(
            apply_delta(base, &[0x80 | 0x01 | 0x10, 10, 5], 5, &mut out).is_err(),
            "copy past the base"
        );
        assert!(
            apply_delta(base, &[0], 0, &mut out).is_err(),
            "reserved instruction"
        );
        assert_eq!(
            delta_header_size(&[0x80 | 1, 2, 9]).expect("size").0,
            1 + (2 << 7)
        );
    }

    #[test]
    fn a_size_the_compressed_bytes_cannot_hold_is_refused_before_allocating() {
        let mut deflate = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut deflate, &[b'x'; 4096]).expect("deflate");
        let compressed = deflate.finish().expect("deflate");
        let mut inflate = gix::zlib::Inflate::default();
        let mut out = Vec::new();
        inflate_exact(&mut inflate, &compressed, 4096, &mut out).expect("the real size");
        assert_eq!(out, [b'x'; 4096]);

        // a corrupt header: 64 MiB for the same few bytes (the fuzzer's was 3.6 GB)
        let mut out = Vec::new();
        let err = inflate_exact(&mut inflate, &compressed, 64 << 20, &mut out)
            .expect_err("cannot come out of it");
        assert_eq!(
            err.to_string(),
            format!(
                "the header announces 67108864 bytes, more than its {} compressed bytes can hold",
                compressed.len()
            )
        );
        assert_eq!(out.capacity(), 0, "nothing was allocated");
    }
}
