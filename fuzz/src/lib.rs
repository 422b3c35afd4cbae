//! What the fuzz targets share: layouts decoded from the input, byte
//! patterns to fill and verify blocks with, a model of live blocks, and a
//! panic hook that stays quiet for the panics a target makes on purpose.

use core::alloc::Layout;
use std::sync::{Once, OnceLock};

use arbitrary::Arbitrary;

/// A size, weighted toward small ones; `Absurd` sizes lie within a page of
/// `isize::MAX`, where the arena's size arithmetic must overflow and fail
/// before it asks the base allocator for anything.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Size {
    Zero,
    Tiny(u8),
    Small(u16),
    /// Up to 256 KiB.
    Large(u32),
    Absurd(u16),
}

/// A layout: a size and an alignment from 1 to 64 KiB.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct LayoutSel {
    pub size: Size,
    pub align_log: u8,
}

/// Largest size of `Size::Large`.
pub const LARGE: usize = 256 << 10;

impl LayoutSel {
    pub fn align(self) -> usize {
        // Mostly up to 4096; now and then up to 64 KiB.
        let log = if self.align_log & 0x80 != 0 {
            self.align_log % 17
        } else {
            self.align_log % 13
        };
        1 << log
    }

    pub fn layout(self) -> Layout {
        let align = self.align();
        let size = match self.size {
            Size::Zero => 0,
            Size::Tiny(n) => n as usize,
            Size::Small(n) => n as usize,
            Size::Large(n) => n as usize % (LARGE + 1),
            Size::Absurd(k) => {
                let biggest = isize::MAX as usize + 1 - align;
                (isize::MAX as usize - (k as usize % 4096)).min(biggest)
            }
        };
        Layout::from_size_align(size, align).expect("a valid layout")
    }
}

/// Whether no arena can hold `layout`: its size is within a page of
/// `isize::MAX` (see [`Size::Absurd`]).
pub fn is_absurd(layout: Layout) -> bool {
    layout.size() > isize::MAX as usize - 65536
}

/// Length of the pattern's period: a prime, so that a block copied to the
/// wrong offset shows unless the offset is a multiple of it.
const PERIOD: usize = 4099;

/// Two periods of pseudo-random bytes, so that any window of up to a period
/// is one slice: blocks are filled and compared a slice at a time
/// (`memcpy`, `memcmp`), not byte by byte, which the fuzzer's comparison
/// tracing makes slow.
fn table() -> &'static [u8; 2 * PERIOD] {
    static TABLE: OnceLock<[u8; 2 * PERIOD]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0; 2 * PERIOD];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for i in 0..PERIOD {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            table[i] = (state >> 32) as u8;
            table[i + PERIOD] = table[i];
        }
        table
    })
}

/// Where in the table byte `i` of a block filled with `seed` is.
fn phase(seed: u8, i: usize) -> usize {
    (i + seed as usize * 16) % PERIOD
}

/// The byte at offset `i` of a block filled with `seed`.
#[inline]
pub fn pattern(seed: u8, i: usize) -> u8 {
    table()[phase(seed, i)]
}

/// Calls `f(offset, pattern)` for consecutive pieces of `from..to`.
fn pieces(seed: u8, from: usize, to: usize, mut f: impl FnMut(usize, &[u8]) -> bool) -> bool {
    let table = table();
    let mut at = from;
    while at < to {
        let start = phase(seed, at);
        let len = (to - at).min(PERIOD);
        if !f(at, &table[start..start + len]) {
            return false;
        }
        at += len;
    }
    true
}

/// Fills bytes `from..to` of the block at `addr` with `seed`'s pattern.
///
/// # Safety
///
/// `addr..addr + to` must be writable.
pub unsafe fn fill(addr: usize, from: usize, to: usize, seed: u8) {
    pieces(seed, from, to, |at, piece| {
        // SAFETY: in bounds, by the caller's promise.
        unsafe {
            core::ptr::copy_nonoverlapping(piece.as_ptr(), (addr as *mut u8).add(at), piece.len())
        };
        true
    });
}

/// The first offset below `len` where the block at `addr` differs from
/// `seed`'s pattern.
///
/// # Safety
///
/// `addr..addr + len` must be readable.
pub unsafe fn mismatch(addr: usize, len: usize, seed: u8) -> Option<usize> {
    // SAFETY: by the caller's promise.
    let bytes = unsafe { core::slice::from_raw_parts(addr as *const u8, len) };
    if pieces(seed, 0, len, |at, piece| {
        bytes[at..at + piece.len()] == *piece
    }) {
        return None;
    }
    bytes
        .iter()
        .enumerate()
        .position(|(i, &b)| b != pattern(seed, i))
}

/// A block the model believes live, filled with `seed`'s pattern.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    pub addr: usize,
    pub layout: Layout,
    pub seed: u8,
    /// When it was allocated or last resized, in the model's clock: a
    /// rewind frees the blocks younger than its checkpoint.
    pub born: u64,
    /// Which allocator made it, for the targets with more than one.
    pub owner: u32,
}

impl Block {
    /// Panics unless the block still holds its pattern.
    pub fn verify(&self, what: &str) {
        // SAFETY: the model only holds blocks that are live.
        if let Some(i) = unsafe { mismatch(self.addr, self.layout.size(), self.seed) } {
            panic!("{what}: block {self:?} lost its contents at byte {i}");
        }
    }

    fn end(&self) -> usize {
        self.addr + self.layout.size()
    }
}

/// Panics unless `addr` is aligned to `layout` and the block of
/// `layout.size()` bytes there overlaps no block of `live`.
pub fn check_new_block(live: &[Block], addr: usize, layout: Layout, what: &str) {
    assert!(
        addr % layout.align() == 0,
        "{what}: {addr:#x} is not aligned for {layout:?}"
    );
    assert!(addr != 0, "{what}: null block");
    if layout.size() == 0 {
        return;
    }
    let end = addr
        .checked_add(layout.size())
        .expect("a block that wraps around");
    for block in live {
        if block.layout.size() != 0 && block.addr < end && addr < block.end() {
            panic!("{what}: new block {addr:#x}..{end:#x} ({layout:?}) overlaps {block:?}");
        }
    }
}

/// Panics if two non-empty blocks overlap.
pub fn check_disjoint(blocks: &[Block], what: &str) {
    let mut sorted: Vec<&Block> = blocks.iter().filter(|b| b.layout.size() != 0).collect();
    sorted.sort_by_key(|b| b.addr);
    for pair in sorted.windows(2) {
        assert!(
            pair[0].end() <= pair[1].addr,
            "{what}: {:?} overlaps {:?}",
            pair[0],
            pair[1]
        );
    }
}

/// The payload of every panic a target makes on purpose.
pub struct Deliberate;

/// Panics on purpose, quietly.
pub fn deliberate_panic() -> ! {
    std::panic::panic_any(Deliberate)
}

/// Installs, once, a panic hook that says nothing for [`Deliberate`] panics
/// and hands every other panic to the hook that was there before
/// (libFuzzer's, which reports it as a crash).
pub fn quiet_deliberate_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<Deliberate>() {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, which must panic with [`Deliberate`] exactly when `expected`
/// says so; any other panic goes on.
pub fn expect_panic<R>(expected: bool, what: &str, f: impl FnOnce() -> R) -> Option<R> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(value) => {
            assert!(!expected, "{what}: expected a deliberate panic, got none");
            Some(value)
        }
        Err(payload) => {
            if !payload.is::<Deliberate>() {
                std::panic::resume_unwind(payload);
            }
            assert!(expected, "{what}: an unexpected deliberate panic");
            None
        }
    }
}

/// Most operations decoded from one input.
pub const MAX_OPS: usize = 1024;

/// Decodes operations until the input runs out (or [`MAX_OPS`]): unlike a
/// derived `Vec`, whose every element costs a "go on" byte, random bytes
/// decode to as many operations as they can hold.
pub fn ops_to_the_end<'a, T: Arbitrary<'a>>(
    u: &mut arbitrary::Unstructured<'a>,
) -> arbitrary::Result<Vec<T>> {
    let mut ops = Vec::new();
    while !u.is_empty() && ops.len() < MAX_OPS {
        ops.push(u.arbitrary()?);
    }
    Ok(ops)
}

/// Whether every byte is zero, compared a slice at a time.
pub fn all_zero(bytes: &[u8]) -> bool {
    static ZEROS: [u8; 4096] = [0; 4096];
    bytes
        .chunks(ZEROS.len())
        .all(|chunk| *chunk == ZEROS[..chunk.len()])
}
