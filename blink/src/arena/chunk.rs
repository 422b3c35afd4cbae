//! Chunks and the chunk list, shared by every arena flavour.
//!
//! A chunk is one block from the base allocator. Its first bytes hold a
//! [`ChunkHeader`]; the bytes after the header are handed out by a cursor.
//! Chunks form a singly linked list from the oldest to the newest. The chunk
//! the cursor is in is the *current* one; chunks after it are *spares*: empty
//! chunks kept from before a rewind, reused before the base allocator is asked
//! for more.
//!
//! Headers are only ever touched through raw pointers to their fields, never
//! through `&ChunkHeader`, so that the shared arena can read a chunk's cursor
//! while another thread links a new chunk under the lock.

use core::{
    alloc::Layout,
    cell::Cell,
    mem::{align_of, size_of},
    ptr::{self, NonNull},
    sync::atomic::Ordering,
};

use allocator_api2::alloc::{AllocError, Allocator};

use super::{asan, shim::AtomicUsize};

/// Header at the start of every chunk.
#[repr(C, align(16))]
pub(crate) struct ChunkHeader {
    /// Newer neighbour.
    next: Option<NonNull<ChunkHeader>>,
    /// Size of the whole block from the base allocator, header included.
    size: usize,
    /// Address of the first free byte. The local arena keeps its live cursor
    /// in its own struct and stores it here only when it leaves the chunk; the
    /// shared arena bumps this field directly.
    pub(crate) cursor: AtomicUsize,
}

/// Bytes taken by the header; chunk data starts this far into the block.
pub(crate) const HEADER_SIZE: usize = size_of::<ChunkHeader>();
/// Alignment of every chunk block, and so of the first byte of chunk data.
pub(crate) const CHUNK_ALIGN: usize = align_of::<ChunkHeader>();
/// Smallest chunk the arena asks for, header included.
pub(crate) const MIN_CHUNK_SIZE: usize = 512;
/// Default cap on geometric growth; a larger request still gets its own chunk.
pub(crate) const DEFAULT_MAX_CHUNK_SIZE: usize = 64 << 20;
/// Chunk sizes at or above this are rounded to a multiple of it (a page).
const PAGE: usize = 4096;
/// No chunk ends above this address: a block the base allocator places
/// higher is given back. So the local arena's fast path can add a small
/// size to an address in a chunk without checking for overflow. A multiple
/// of `CHUNK_ALIGN`, a page below the end of the address space.
pub(crate) const END_MAX: usize = usize::MAX - (PAGE - 1);

impl ChunkHeader {
    /// First byte of chunk data, with the provenance of the whole block.
    #[inline(always)]
    pub(crate) fn data_start(chunk: NonNull<Self>) -> *mut u8 {
        // The header is smaller than any chunk, so this stays in bounds; a
        // wrapping add keeps it a plain address computation.
        chunk.as_ptr().cast::<u8>().wrapping_add(HEADER_SIZE)
    }

    /// One past the last byte of the chunk.
    #[inline(always)]
    pub(crate) fn data_end(chunk: NonNull<Self>) -> *mut u8 {
        chunk.as_ptr().cast::<u8>().wrapping_add(Self::size(chunk))
    }

    /// Block size, header included.
    #[inline(always)]
    pub(crate) fn size(chunk: NonNull<Self>) -> usize {
        // SAFETY: `chunk` points to a live header (every caller holds one from
        // the list) and `size` is written once, before the chunk is linked.
        unsafe { ptr::addr_of!((*chunk.as_ptr()).size).read() }
    }

    /// The cursor field, shared by the arena flavours.
    #[inline(always)]
    pub(crate) fn cursor<'a>(chunk: NonNull<Self>) -> &'a AtomicUsize {
        // SAFETY: the header is live while the chunk is in a list, and an
        // atomic may be shared; callers do not keep the reference past a free.
        unsafe { &*ptr::addr_of!((*chunk.as_ptr()).cursor) }
    }

    fn next(chunk: NonNull<Self>) -> Option<NonNull<Self>> {
        // SAFETY: live header; links are only changed by the list owner.
        unsafe { ptr::addr_of!((*chunk.as_ptr()).next).read() }
    }

    fn set_next(chunk: NonNull<Self>, next: Option<NonNull<Self>>) {
        // SAFETY: live header; the list owner has exclusive access to links.
        unsafe { ptr::addr_of_mut!((*chunk.as_ptr()).next).write(next) }
    }

    /// Bytes behind the chunk's stored cursor. The shared arena's cursor may
    /// pass the end of a full chunk; that counts as full.
    fn stored_used(chunk: NonNull<Self>) -> usize {
        let cursor = Self::cursor(chunk)
            .load(Ordering::Relaxed)
            .min(Self::data_end(chunk).addr());
        cursor - Self::data_start(chunk).addr()
    }

    /// Moves the stored cursor back to the start of the data.
    pub(crate) fn rewind(chunk: NonNull<Self>) {
        Self::cursor(chunk).store(Self::data_start(chunk).addr(), Ordering::Relaxed);
    }
}

/// What an arena reports about its memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Chunks held, spares included.
    pub chunks: usize,
    /// Bytes held from the base allocator, chunk headers included.
    pub allocated_bytes: usize,
    /// Bytes that chunks can hand out (`allocated_bytes` less the headers).
    pub capacity: usize,
    /// Bytes handed out since the last reset, alignment padding included,
    /// less what was freed or shrunk at the tip or rewound.
    pub used_bytes: usize,
}

/// Sizing rules, set when the arena is built.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChunkConfig {
    /// Fewest bytes of blocks a chunk holds; its header is on top.
    pub(crate) min_chunk_size: usize,
    /// Cap on geometric growth.
    pub(crate) max_chunk_size: usize,
    /// Most bytes the arena may hold from the base allocator.
    pub(crate) limit: usize,
    /// Whether a reset keeps every chunk, rewound, to reuse in order (for
    /// arenas whose chunks are blocks of another arena, which cannot take
    /// them back), rather than keeping one chunk sized for the cycle.
    pub(crate) keep_all: bool,
}

impl ChunkConfig {
    pub(crate) const fn new(min_chunk_size: usize) -> Self {
        ChunkConfig {
            min_chunk_size,
            max_chunk_size: DEFAULT_MAX_CHUNK_SIZE,
            limit: usize::MAX,
            keep_all: false,
        }
    }
}

/// The chunks of one arena and the base allocator they come from.
///
/// All state is in `Cell`s: the local arena mutates it through `&self`, the
/// shared arena only under its lock.
pub(crate) struct ChunkList<A: Allocator> {
    /// Oldest chunk.
    first: Cell<Option<NonNull<ChunkHeader>>>,
    /// Chunk the cursor is in; `None` before the first chunk, when every
    /// chunk in the list is a spare.
    current: Cell<Option<NonNull<ChunkHeader>>>,
    /// Bytes held from the base allocator.
    allocated: Cell<usize>,
    /// Size for the first chunk of a cycle: what the last cycle used.
    size_hint: Cell<usize>,
    pub(crate) config: ChunkConfig,
    pub(crate) alloc: A,
}

impl<A: Allocator> ChunkList<A> {
    pub(crate) const fn new(config: ChunkConfig, alloc: A) -> Self {
        ChunkList {
            first: Cell::new(None),
            current: Cell::new(None),
            allocated: Cell::new(0),
            size_hint: Cell::new(0),
            config,
            alloc,
        }
    }

    #[inline(always)]
    pub(crate) fn current(&self) -> Option<NonNull<ChunkHeader>> {
        self.current.get()
    }

    /// The current chunk when it is the only chunk of the list. A reset
    /// keeps it (it held all the cycle used) and has nothing to free.
    #[inline(always)]
    pub(crate) fn sole_current(&self) -> Option<NonNull<ChunkHeader>> {
        let current = self.current.get()?;
        let sole = self.first.get() == Some(current) && ChunkHeader::next(current).is_none();
        sole.then_some(current)
    }

    /// Makes `chunk` (a member of this list, or `None`) the current chunk;
    /// every later chunk becomes a spare.
    pub(crate) fn set_current(&self, chunk: Option<NonNull<ChunkHeader>>) {
        self.current.set(chunk);
    }

    /// Moves to a chunk whose data can hold `layout`: the next spare if it
    /// fits, else a new chunk linked right after the current one. The chunk
    /// returned is current, rewound, and its stored cursor is at its start.
    pub(crate) fn advance(&self, layout: Layout) -> Result<NonNull<ChunkHeader>, AllocError> {
        let spare = match self.current.get() {
            Some(chunk) => ChunkHeader::next(chunk),
            None => self.first.get(),
        };
        if let Some(spare) = spare {
            ChunkHeader::rewind(spare);
            if fits(spare, layout) {
                self.current.set(Some(spare));
                return Ok(spare);
            }
        }
        let chunk = self.new_chunk(layout)?;
        self.link_after_current(chunk);
        self.current.set(Some(chunk));
        Ok(chunk)
    }

    /// Asks the base allocator for a chunk that can hold `layout`.
    fn new_chunk(&self, layout: Layout) -> Result<NonNull<ChunkHeader>, AllocError> {
        let size = self.next_chunk_size(layout).ok_or(AllocError)?;
        let block_layout = Layout::from_size_align(size, CHUNK_ALIGN).map_err(|_| AllocError)?;
        let block = self.alloc.allocate(block_layout)?;
        // Use what the base allocator gave, but never more than a valid layout
        // can describe (we must free with a layout that fits the block).
        let size = block.len().min(isize::MAX as usize & !(CHUNK_ALIGN - 1));
        let chunk = block.cast::<ChunkHeader>();
        if chunk.addr().get() > END_MAX - size {
            // SAFETY: the block just came from `self.alloc` with `block_layout`,
            // which fits it (the layout's size is at most `block.len()`).
            unsafe { self.alloc.deallocate(chunk.cast(), block_layout) };
            return Err(AllocError);
        }
        // SAFETY: the block is at least `size >= HEADER_SIZE` bytes, aligned to
        // `CHUNK_ALIGN`, freshly allocated and so not aliased.
        unsafe {
            chunk.as_ptr().write(ChunkHeader {
                next: None,
                size,
                cursor: AtomicUsize::new(ChunkHeader::data_start(chunk).addr()),
            });
        }
        // SAFETY: the chunk's data, which nothing has handed out; the block
        // is this thread's alone until the chunk is published.
        unsafe { asan::poison(ChunkHeader::data_start(chunk), size - HEADER_SIZE) };
        self.allocated.set(self.allocated.get() + size);
        Ok(chunk)
    }

    /// Block size for a chunk that must hold `layout`, or `None` when that
    /// overflows or passes the limit.
    fn next_chunk_size(&self, layout: Layout) -> Option<usize> {
        let config = &self.config;
        // Alignment beyond the chunk's own may cost up to `align - 1` bytes.
        let padding = layout.align().saturating_sub(CHUNK_ALIGN);
        let needed = HEADER_SIZE
            .checked_add(layout.size())?
            .checked_add(padding)?;
        let grown = match self.current.get() {
            Some(chunk) => ChunkHeader::size(chunk).saturating_mul(2),
            None => self.size_hint.get(),
        };
        let target = grown
            .min(config.max_chunk_size)
            .max(config.min_chunk_size.saturating_add(HEADER_SIZE))
            .max(MIN_CHUNK_SIZE)
            .max(needed);
        let size = if target < PAGE {
            target.next_power_of_two()
        } else {
            target.checked_next_multiple_of(PAGE)?
        };
        // Round down to the cap when growth alone went over it.
        let size = if size > config.max_chunk_size && needed <= config.max_chunk_size {
            config.max_chunk_size.max(needed)
        } else {
            size
        };
        if size > isize::MAX as usize - (CHUNK_ALIGN - 1) {
            return None;
        }
        let total = self.allocated.get().checked_add(size)?;
        if total > config.limit {
            // Try the bare minimum before giving up on the limit.
            let minimum = needed.checked_next_multiple_of(CHUNK_ALIGN)?;
            let total = self.allocated.get().checked_add(minimum)?;
            return (total <= config.limit).then_some(minimum);
        }
        Some(size)
    }

    /// Links a new chunk right after the current one, before any spares.
    fn link_after_current(&self, chunk: NonNull<ChunkHeader>) {
        match self.current.get() {
            Some(current) => {
                ChunkHeader::set_next(chunk, ChunkHeader::next(current));
                ChunkHeader::set_next(current, Some(chunk));
            }
            None => {
                ChunkHeader::set_next(chunk, self.first.get());
                self.first.set(Some(chunk));
            }
        }
    }

    /// Walks the list, oldest first.
    fn chunks(&self) -> impl Iterator<Item = NonNull<ChunkHeader>> {
        core::iter::successors(self.first.get(), |&chunk| ChunkHeader::next(chunk))
    }

    /// Poisons the bytes handed out since `since` (a chunk of the list and
    /// a cursor in it; `None`: the start of the first chunk) up to
    /// `current_cursor`, the live cursor of the current chunk: what a rewind
    /// to `since`, or a reset, gives back. Nothing without ASan.
    ///
    /// The caller gives those bytes back, and holds the list exclusively.
    pub(crate) fn poison_used(
        &self,
        since: Option<(NonNull<ChunkHeader>, usize)>,
        current_cursor: usize,
    ) {
        if !asan::ENABLED {
            return;
        }
        let Some(current) = self.current.get() else {
            // Every chunk is a spare, poisoned when it became one.
            return;
        };
        let first = since.map_or(self.first.get(), |(chunk, _)| Some(chunk));
        for chunk in core::iter::successors(first, |&chunk| ChunkHeader::next(chunk)) {
            let start = ChunkHeader::data_start(chunk);
            let from = match since {
                Some((since, cursor)) if since == chunk => cursor,
                _ => start.addr(),
            };
            let to = if chunk == current {
                // The shared arena's cursor may pass the end of a full chunk.
                current_cursor.min(ChunkHeader::data_end(chunk).addr())
            } else {
                start.addr() + ChunkHeader::stored_used(chunk)
            };
            // SAFETY: `[from, to)` lies in the chunk's data (cursors stay in
            // it), and the caller gives it back.
            unsafe { asan::poison_range(start.with_addr(from), start.with_addr(to)) };
            if chunk == current {
                break;
            }
        }
    }

    /// Statistics, given the live cursor of the current chunk.
    pub(crate) fn stats(&self, current_cursor: usize) -> Stats {
        let mut stats = Stats::default();
        let mut before_current = self.current.get().is_some();
        for chunk in self.chunks() {
            stats.chunks += 1;
            stats.allocated_bytes += ChunkHeader::size(chunk);
            stats.capacity += ChunkHeader::size(chunk) - HEADER_SIZE;
            if Some(chunk) == self.current.get() {
                stats.used_bytes += current_cursor - ChunkHeader::data_start(chunk).addr();
                before_current = false;
            } else if before_current {
                stats.used_bytes += ChunkHeader::stored_used(chunk);
            }
        }
        stats
    }

    /// Ends a cycle: frees every chunk but one large enough for what the
    /// cycle used, makes it current and empty, and returns it.
    ///
    /// If no chunk is large enough, frees them all and remembers the size, so
    /// that the next cycle starts with one chunk that holds it all. A cycle
    /// larger than the maximum chunk size keeps all its chunks instead, to be
    /// reused in order. `current_cursor` is the live cursor of the current
    /// chunk, as for [`stats`](Self::stats).
    pub(crate) fn reset(&self, current_cursor: usize) -> Option<NonNull<ChunkHeader>> {
        let used = self.stats(current_cursor).used_bytes;
        // What is kept must be poisoned; what is freed is unpoisoned again
        // on its way back to the base allocator.
        self.poison_used(None, current_cursor);
        let largest = self.chunks().max_by_key(|&chunk| ChunkHeader::size(chunk));
        let keep = largest.filter(|&chunk| ChunkHeader::size(chunk) - HEADER_SIZE >= used);
        // Room for the padding the same work may need in one chunk.
        let merged = used.saturating_add(used / 8).saturating_add(HEADER_SIZE);
        if self.config.keep_all {
            self.chunks().for_each(ChunkHeader::rewind);
        } else if let Some(chunk) = keep {
            self.free_all_but(Some(chunk));
            ChunkHeader::set_next(chunk, None);
            self.first.set(Some(chunk));
        } else if merged <= self.config.max_chunk_size {
            self.size_hint.set(merged);
            self.free_all();
        } else {
            self.chunks().for_each(ChunkHeader::rewind);
        }
        let current = self.first.get();
        if let Some(chunk) = current {
            ChunkHeader::rewind(chunk);
        }
        self.current.set(current);
        current
    }

    /// Returns every chunk to the base allocator.
    pub(crate) fn free_all(&self) {
        self.free_all_but(None);
        self.first.set(None);
        self.current.set(None);
    }

    fn free_all_but(&self, keep: Option<NonNull<ChunkHeader>>) {
        let mut next = self.first.get();
        while let Some(chunk) = next {
            next = ChunkHeader::next(chunk);
            if Some(chunk) != keep {
                let size = ChunkHeader::size(chunk);
                self.allocated.set(self.allocated.get() - size);
                // SAFETY: the whole block, which goes back to the base
                // allocator: it owns the block's bytes again.
                unsafe { asan::unpoison(chunk.as_ptr().cast(), size) };
                // SAFETY: `chunk` came from `self.alloc` with exactly this
                // layout (`new_chunk` stores the size it asked with or the
                // valid length it got), and the caller gives up every pointer
                // into it: callers of reset hold `&mut` or promise no live
                // allocation.
                unsafe {
                    let layout = Layout::from_size_align_unchecked(size, CHUNK_ALIGN);
                    self.alloc.deallocate(chunk.cast(), layout);
                }
            }
        }
    }
}

/// Whether an empty `chunk` can hold `layout`.
fn fits(chunk: NonNull<ChunkHeader>, layout: Layout) -> bool {
    let start = ChunkHeader::data_start(chunk).addr();
    let pad = start.wrapping_neg() & (layout.align() - 1);
    let room = ChunkHeader::data_end(chunk).addr() - start;
    pad.checked_add(layout.size())
        .is_some_and(|need| need <= room)
}
