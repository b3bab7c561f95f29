//! The pack reader (`source::git::odb`'s delta-tree decoder) on arbitrary bytes. The input
//! is a little-endian u32 index length, the `.idx` bytes, then the `.pack` bytes; both are
//! written to a scratch directory and the pack is decoded on one thread, every object kind
//! wanted. Corrupt packs must become warnings: no panic, no hang, no unbounded allocation.
#![no_main]

use keyhound::source::git::odb::{for_each_object_in_pack, BlobOptions, Visitors};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Scratch {
    idx: PathBuf,
    pack: PathBuf,
    /// One thread: the fuzzer runs one input at a time.
    pool: rayon::ThreadPool,
}

fn scratch() -> &'static Scratch {
    static SCRATCH: OnceLock<Scratch> = OnceLock::new();
    SCRATCH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("keyhound-fuzz-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch {
            idx: dir.join("pack-fuzz.idx"),
            pack: dir.join("pack-fuzz.pack"),
            pool: rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .expect("pool"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
    let (idx, pack) = rest.split_at(len);
    let s = scratch();
    std::fs::write(&s.idx, idx).expect("write idx");
    std::fs::write(&s.pack, pack).expect("write pack");
    let seen = |_: &gix::oid, _: &[u8]| {};
    let visitors = Visitors {
        blob: Some(&seen),
        tree: Some(&seen),
        commit: Some(&seen),
    };
    let opts = BlobOptions {
        max_size: 1 << 20,
        threads: None,
    };
    s.pool.install(|| {
        for_each_object_in_pack(&s.idx, gix::hash::Kind::Sha1, &opts, &visitors);
    });
});
