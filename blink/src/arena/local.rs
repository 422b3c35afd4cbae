//! The single-threaded arena: a `Cell` cursor over the shared chunk list.
//!
//! The cursor and the end of the current chunk live in the arena struct, so
//! the fast path is two loads, a compare and a store. An empty arena points
//! at a sentinel address with no room: every non-empty request misses and
//! takes the cold path, so the hot path needs no null check.

use core::{
    alloc::Layout,
    cell::Cell,
    ptr::{self, NonNull},
};

use allocator_api2::alloc::{AllocError, Allocator};

use super::{
    asan,
    chunk::{ChunkConfig, ChunkHeader, ChunkList, Stats, CHUNK_ALIGN, END_MAX},
};

/// Cursor and end of an arena that has no current chunk. It is a plain
/// address, never dereferenced: only zero-sized blocks can be placed at it.
/// A multiple of `CHUNK_ALIGN`, as every end is.
const SENTINEL: usize = 4096;
const _: () = assert!(SENTINEL % CHUNK_ALIGN == 0);

/// Largest size [`LocalArena::alloc_known`] adds to the cursor without an
/// overflow check: no chunk ends above [`END_MAX`].
const KNOWN_MAX: usize = usize::MAX - END_MAX;
const _: () = assert!(KNOWN_MAX >= 256 && SENTINEL <= END_MAX);

/// A position in an arena, to rewind to.
///
/// Made by [`BlinkAlloc::checkpoint`](crate::BlinkAlloc::checkpoint) and
/// spent by the unsafe [`BlinkAlloc::rewind`](crate::BlinkAlloc::rewind);
/// `Blink` scopes use them safely.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    chunk: Option<NonNull<ChunkHeader>>,
    /// Null for [`Checkpoint::NONE`].
    cursor: *mut u8,
}

impl Checkpoint {
    /// A checkpoint that rewinds nothing, for allocators that cannot rewind.
    ///
    /// It comes from no arena, so the arenas' own `rewind`s, which take only
    /// their own checkpoints, must not be given it.
    pub const NONE: Checkpoint = Checkpoint {
        chunk: None,
        cursor: core::ptr::null_mut(),
    };
}

pub(crate) struct LocalArena<A: Allocator> {
    /// First free byte of the current chunk, with the chunk's provenance.
    cursor: Cell<*mut u8>,
    /// Address one past the current chunk's last byte.
    end: Cell<usize>,
    chunks: ChunkList<A>,
}

impl<A: Allocator> LocalArena<A> {
    pub(crate) const fn new(config: ChunkConfig, alloc: A) -> Self {
        LocalArena {
            cursor: Cell::new(core::ptr::without_provenance_mut(SENTINEL)),
            end: Cell::new(SENTINEL),
            chunks: ChunkList::new(config, alloc),
        }
    }

    #[inline(always)]
    pub(crate) fn base(&self) -> &A {
        &self.chunks.alloc
    }

    pub(crate) fn config_mut(&mut self) -> &mut ChunkConfig {
        &mut self.chunks.config
    }

    /// Bump-allocates `layout`. Never fails for a zero-sized layout.
    #[inline(always)]
    pub(crate) fn alloc(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        match self.alloc_fast(layout) {
            Some(ptr) => Ok(ptr),
            None => self.alloc_missed(layout),
        }
    }

    /// [`alloc`](Self::alloc) for a layout known at compile time: a small
    /// size is added to the aligned cursor and the sum, the new cursor,
    /// compared with the end. With a run-time layout it is still correct,
    /// but pays a branch more.
    #[inline(always)]
    pub(crate) fn alloc_known(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        match self.alloc_known_fast(layout) {
            Some(ptr) => Ok(ptr),
            None => self.alloc_missed(layout),
        }
    }

    /// The slow path, once a fast path missed. Through `rarely`, so that
    /// it stays out of line also where the call may unwind.
    #[inline(always)]
    fn alloc_missed(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        let block = self
            .alloc_slow(layout)
            .map_or(ptr::null_mut(), NonNull::as_ptr);
        NonNull::new(rarely(block)).ok_or(AllocError)
    }

    /// The fast path of [`alloc_known`](Self::alloc_known): `None` where
    /// that would take the slow path.
    #[inline(always)]
    pub(crate) fn alloc_known_fast(&self, layout: Layout) -> Option<NonNull<u8>> {
        let size = layout.size();
        if size == 0 || size > KNOWN_MAX || layout.align() > CHUNK_ALIGN {
            return self.alloc_fast(layout);
        }
        let cursor = self.cursor.get();
        let mask = layout.align() - 1;
        // Round `cursor` up to `align`. `cursor <= end <= END_MAX` and
        // `mask < CHUNK_ALIGN`, so the sum does not overflow; `align`
        // divides `CHUNK_ALIGN` and so `end`, so `start <= end`; and then
        // `start + size <= END_MAX + KNOWN_MAX`, which does not overflow.
        let start = (cursor.addr() + mask) & !mask;
        if start + size > self.end.get() {
            return None;
        }
        Some(self.bump(cursor, start, size))
    }

    #[inline(always)]
    fn alloc_fast(&self, layout: Layout) -> Option<NonNull<u8>> {
        let cursor = self.cursor.get();
        // Invariant: 0 < cursor <= end <= END_MAX, both in (or one past) the
        // current chunk, and `end` is a multiple of `CHUNK_ALIGN` (see `enter`).
        let below = cursor.addr() - 1;
        // SAFETY: the invariant above. Stating it lets the compiler drop
        // the overflow test below for a small layout known at compile time.
        unsafe { core::hint::assert_unchecked(below < END_MAX) };
        // `(cursor - 1) | mask` is the block's first address minus one, and
        // `last` its last address: the block is `start..=last`. Any
        // alignment works, so no branch on it is needed.
        let before_start = below | (layout.align() - 1);
        let last = before_start.wrapping_add(layout.size());
        // `last <= before_start` holds exactly when the size is 0 (zero-sized
        // blocks go to the slow path, which answers them without memory,
        // not even padding) or when the sum wrapped (`size <= isize::MAX`),
        // which it does also where `before_start + 1` would. Otherwise
        // `cursor <= start <= last` without wrapping, `start` is aligned,
        // and `last < end` keeps the block in the chunk.
        if last <= before_start || last >= self.end.get() {
            return None;
        }
        Some(self.bump_to(cursor, before_start + 1, last + 1))
    }

    /// Hands out `size` bytes at address `start` and moves the cursor past
    /// them. The caller checked `cursor <= start` and `start + size <= end`:
    /// the block is within the current chunk (or empty at the sentinel), so
    /// the pointers stay in bounds of their provenance.
    #[inline(always)]
    fn bump(&self, cursor: *mut u8, start: usize, size: usize) -> NonNull<u8> {
        self.bump_to(cursor, start, start + size)
    }

    /// [`bump`](Self::bump) with the new cursor, `next`, given: the block
    /// is `start..next`, with `cursor <= start <= next <= end`.
    #[inline(always)]
    fn bump_to(&self, cursor: *mut u8, start: usize, next: usize) -> NonNull<u8> {
        let ptr = cursor.with_addr(start);
        self.cursor.set(cursor.with_addr(next));
        // SAFETY: the block, in the current chunk (see `bump`), handed out now.
        unsafe { asan::unpoison(ptr, next - start) };
        // SAFETY: `start >= cursor`, a chunk address or the sentinel, neither
        // of which is null.
        unsafe { NonNull::new_unchecked(ptr) }
    }

    /// Allocates `layout` at `ptr` if the cursor is there, `ptr` is aligned
    /// and the chunk has room; says whether it did.
    #[inline(always)]
    pub(crate) fn alloc_at(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        let cursor = self.cursor.get();
        if cursor.addr() != ptr.addr().get() || ptr.addr().get() & (layout.align() - 1) != 0 {
            return false;
        }
        // `cursor <= end <= END_MAX`: a size up to `KNOWN_MAX` added to the
        // cursor cannot overflow, and the sum is the new cursor (for a size
        // known at compile time the larger sizes' check folds away).
        let fits = if layout.size() <= KNOWN_MAX {
            cursor.addr() + layout.size() <= self.end.get()
        } else {
            layout.size() <= self.end.get() - cursor.addr()
        };
        if fits {
            self.cursor.set(cursor.wrapping_add(layout.size()));
            // SAFETY: the block, between the cursor and the end of the
            // current chunk, handed out now.
            unsafe { asan::unpoison(cursor, layout.size()) };
        }
        fits
    }

    #[cold]
    #[inline(never)]
    fn alloc_slow(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        // Zero-sized blocks take no memory, not even alignment padding: a
        // well-aligned dangling address. The fast path sends them all here.
        if layout.size() == 0 {
            return Ok(dangling(layout.align()));
        }
        // A new chunk is needed.
        self.leave_current();
        let chunk = self.chunks.advance(layout)?;
        self.enter(chunk, ChunkHeader::data_start(chunk));
        // `advance` promises the chunk can hold `layout` up to its very end.
        if let Some(ptr) = self.alloc_fast(layout) {
            return Ok(ptr);
        }
        // The fast path stops at the last multiple of `CHUNK_ALIGN`, so a chunk
        // whose size is not one (a custom maximum chunk size, or a base
        // allocator that returned an odd size) may lack up to
        // `CHUNK_ALIGN - 1` of the bytes `advance` counted. Ask for a chunk
        // with that much to spare.
        let padded = layout
            .size()
            .checked_add(CHUNK_ALIGN - 1)
            .and_then(|size| Layout::from_size_align(size, layout.align()).ok())
            .ok_or(AllocError)?;
        self.leave_current();
        let chunk = self.chunks.advance(padded)?;
        self.enter(chunk, ChunkHeader::data_start(chunk));
        self.alloc_fast(layout).ok_or(AllocError)
    }

    /// Makes sure the current chunk has `bytes` free bytes past the cursor,
    /// moving to a spare or a new chunk if it has not.
    pub(crate) fn reserve(&self, bytes: usize) -> Result<(), AllocError> {
        let mut ask = bytes;
        // At most twice: the fast path's end is rounded down to
        // `CHUNK_ALIGN`, so a chunk of an odd size may lack up to
        // `CHUNK_ALIGN - 1` of the bytes `advance` counted (see `alloc_slow`).
        for _ in 0..2 {
            if bytes <= self.end.get() - self.cursor.get().addr() {
                return Ok(());
            }
            let layout = Layout::from_size_align(ask, 1).map_err(|_| AllocError)?;
            self.leave_current();
            let chunk = self.chunks.advance(layout)?;
            self.enter(chunk, ChunkHeader::data_start(chunk));
            ask = bytes.checked_add(CHUNK_ALIGN - 1).ok_or(AllocError)?;
        }
        if bytes <= self.end.get() - self.cursor.get().addr() {
            Ok(())
        } else {
            Err(AllocError)
        }
    }

    /// Stores the live cursor into the current chunk before moving away.
    fn leave_current(&self) {
        if let Some(chunk) = self.chunks.current() {
            ChunkHeader::cursor(chunk).store(
                self.cursor.get().addr(),
                core::sync::atomic::Ordering::Relaxed,
            );
        }
    }

    /// Makes `chunk` current with the live cursor at `cursor`.
    ///
    /// The fast path's end is the chunk's end rounded down to `CHUNK_ALIGN`,
    /// so that rounding a cursor up to an alignment of at most `CHUNK_ALIGN`
    /// can neither overflow nor pass it; it is at most `END_MAX`, as every
    /// chunk's end is. Chunk data starts at a multiple of `CHUNK_ALIGN` (the
    /// block is aligned to it, and so is the header's size), so the rounded
    /// end is never before the data start, and a cursor in the chunk is
    /// never past it.
    fn enter(&self, chunk: NonNull<ChunkHeader>, cursor: *mut u8) {
        self.cursor.set(cursor);
        self.end
            .set(ChunkHeader::data_end(chunk).addr() & !(CHUNK_ALIGN - 1));
    }

    fn enter_nothing(&self) {
        self.cursor.set(core::ptr::without_provenance_mut(SENTINEL));
        self.end.set(SENTINEL);
    }

    /// Resizes the block at `ptr` from `old` to `new`: in place when it is
    /// the last block and stays aligned, or when it shrinks; otherwise moves
    /// it to a new block and copies the common prefix.
    ///
    /// # Safety
    ///
    /// `ptr` must be a live block of this arena allocated with `old`.
    #[inline(always)]
    pub(crate) unsafe fn resize(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<u8>, AllocError> {
        if ptr.addr().get() & (new.align() - 1) == 0 {
            let cursor = self.cursor.get();
            // A block ending at the cursor is the last one of the current chunk:
            // a block of another chunk ends at or before that chunk's end, and
            // the cursor is past the current chunk's header.
            let start = cursor.wrapping_sub(old.size());
            if start.addr() == ptr.addr().get() {
                let room = self.end.get() - ptr.addr().get();
                if new.size() <= room {
                    // The block is rebuilt from the cursor, so it carries the
                    // whole chunk's provenance, whatever the caller's had.
                    // The new cursor's address comes from `ptr`, not from the
                    // cursor just loaded: a loop of allocate-and-resize then
                    // waits on one store-to-load round trip per step, not two.
                    self.cursor
                        .set(cursor.with_addr(ptr.addr().get() + new.size()));
                    // SAFETY: both blocks lie in the current chunk (`room`);
                    // what the block grows by is handed out, what it shrinks
                    // by is given back.
                    unsafe { asan::resize(start, old.size(), new.size()) };
                    // SAFETY: `start` has the address of `ptr`, which is non-null.
                    return Ok(unsafe { NonNull::new_unchecked(start) });
                }
            } else if new.size() <= old.size() {
                // SAFETY: the tail the block gives back, in its chunk.
                unsafe {
                    asan::poison(
                        ptr.as_ptr().wrapping_add(new.size()),
                        old.size() - new.size(),
                    )
                };
                return Ok(ptr);
            }
        }
        // SAFETY: forwarded from the caller.
        unsafe { self.resize_by_copy(ptr, old, new) }
    }

    /// [`resize`](Self::resize) to a layout no larger: in place whenever
    /// `ptr` suits the new alignment, giving the tail back at the tip.
    ///
    /// # Safety
    ///
    /// As [`resize`](Self::resize), and `new.size() <= old.size()`.
    #[inline(always)]
    pub(crate) unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<u8>, AllocError> {
        if ptr.addr().get() & (new.align() - 1) == 0 {
            let cursor = self.cursor.get();
            // The last block of the current chunk (see `resize`) gives its
            // tail back; `new <= old`, so the cursor stays in the block.
            let start = cursor.wrapping_sub(old.size());
            if start.addr() == ptr.addr().get() {
                // From `ptr`'s address, as in `resize`.
                self.cursor
                    .set(cursor.with_addr(ptr.addr().get() + new.size()));
            }
            // SAFETY: the tail the block gives back, in its chunk.
            unsafe {
                asan::poison(
                    ptr.as_ptr().wrapping_add(new.size()),
                    old.size() - new.size(),
                )
            };
            return Ok(ptr);
        }
        // SAFETY: forwarded from the caller.
        unsafe { self.resize_by_copy(ptr, old, new) }
    }

    /// # Safety
    ///
    /// As [`resize`](Self::resize).
    #[cold]
    #[inline(never)]
    unsafe fn resize_by_copy(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<u8>, AllocError> {
        let moved = self.alloc(new)?;
        // SAFETY: `ptr` is live for `old.size()` bytes (caller), `moved` is a
        // fresh block of `new.size()` bytes, so both ranges are valid and do
        // not overlap.
        unsafe {
            core::ptr::copy_nonoverlapping(
                ptr.as_ptr(),
                moved.as_ptr(),
                old.size().min(new.size()),
            );
        }
        // SAFETY: the old block, given up by the caller. Poisoning never
        // touches bytes outside it, so not `moved` either.
        unsafe { asan::poison(ptr.as_ptr(), old.size()) };
        // The old block cannot be at the tip any more: `moved` follows it.
        Ok(moved)
    }

    /// Frees the block at `ptr` if it is the last one; otherwise its memory
    /// comes back at the next reset.
    ///
    /// # Safety
    ///
    /// `ptr` must be a live block of this arena allocated with `layout`.
    #[inline(always)]
    pub(crate) unsafe fn dealloc(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the block, which the caller gives back (at the tip or not).
        unsafe { asan::poison(ptr.as_ptr(), layout.size()) };
        let cursor = self.cursor.get();
        if ptr.addr().get().wrapping_add(layout.size()) == cursor.addr() {
            // The block is the tail of the current chunk (see `resize`), so
            // stepping back stays inside the chunk.
            self.cursor.set(cursor.wrapping_sub(layout.size()));
        }
    }

    #[inline(always)]
    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            chunk: self.chunks.current(),
            cursor: self.cursor.get(),
        }
    }

    /// Rewinds to `checkpoint`: every block allocated after it is freed, and
    /// chunks added after it stay as spares.
    ///
    /// # Safety
    ///
    /// `checkpoint` must come from this arena, with no reset and no rewind to
    /// an earlier checkpoint since, and no block allocated after it may be
    /// used again.
    #[inline(always)]
    pub(crate) unsafe fn rewind(&self, checkpoint: Checkpoint) {
        // Still in the checkpoint's chunk: only the cursor moves back; the
        // end is that chunk's. Still empty: the cursor is the sentinel, as
        // it was. (`NONE` is not this arena's, so the caller never passes it.)
        let same_chunk = ptr::eq(
            raw_chunk(checkpoint.chunk),
            raw_chunk(self.chunks.current()),
        );
        if same_chunk {
            debug_assert!(!checkpoint.cursor.is_null(), "rewind to Checkpoint::NONE");
            let cursor = self.cursor.replace(checkpoint.cursor);
            // SAFETY: the blocks allocated since the checkpoint, in the
            // current chunk, which the caller gives back.
            unsafe { asan::poison_range(checkpoint.cursor, cursor) };
            return;
        }
        // SAFETY: forwarded from the caller.
        unsafe { self.rewind_slow(checkpoint) }
    }

    /// # Safety
    ///
    /// As [`rewind`](Self::rewind).
    #[cold]
    #[inline(never)]
    unsafe fn rewind_slow(&self, checkpoint: Checkpoint) {
        if checkpoint.cursor.is_null() {
            return;
        }
        let since = checkpoint
            .chunk
            .map(|chunk| (chunk, checkpoint.cursor.addr()));
        self.chunks.poison_used(since, self.cursor.get().addr());
        self.chunks.set_current(checkpoint.chunk);
        match checkpoint.chunk {
            Some(chunk) => self.enter(chunk, checkpoint.cursor),
            None => self.enter_nothing(),
        }
    }

    pub(crate) fn stats(&self) -> Stats {
        self.chunks.stats(self.cursor.get().addr())
    }

    /// Frees every block; keeps one chunk for the next cycle.
    ///
    /// # Safety
    ///
    /// No block of this arena may be used again.
    #[inline(always)]
    pub(crate) unsafe fn reset(&self) {
        // One chunk, current: `ChunkList::reset` would keep it, since it
        // holds all the cycle used, and free nothing. Its end stays.
        if let Some(chunk) = self.chunks.sole_current() {
            ChunkHeader::rewind(chunk);
            let start = ChunkHeader::data_start(chunk);
            let cursor = self.cursor.replace(start);
            // SAFETY: every block of the chunk, which the caller gives back.
            unsafe { asan::poison_range(start, cursor) };
            return;
        }
        // SAFETY: forwarded from the caller.
        unsafe { self.reset_slow() }
    }

    /// # Safety
    ///
    /// As [`reset`](Self::reset).
    #[cold]
    #[inline(never)]
    unsafe fn reset_slow(&self) {
        match self.chunks.reset(self.cursor.get().addr()) {
            Some(chunk) => self.enter(chunk, ChunkHeader::data_start(chunk)),
            None => self.enter_nothing(),
        }
    }

    /// Frees every block and returns every chunk to the base allocator.
    ///
    /// # Safety
    ///
    /// No block of this arena may be used again.
    pub(crate) unsafe fn reset_final(&self) {
        self.chunks.free_all();
        self.enter_nothing();
    }
}

/// A chunk's address, null for none: compares in one step, where comparing
/// the options tests for `None` first.
#[inline(always)]
fn raw_chunk(chunk: Option<NonNull<ChunkHeader>>) -> *const ChunkHeader {
    chunk.map_or(ptr::null(), |chunk| chunk.as_ptr().cast_const())
}

/// Passes `block` through, and marks the path that calls it as rare.
///
/// The optimiser counts a block as cold when it calls a `#[cold]` function,
/// but not when that call may unwind into a landing pad, as every call does
/// inside a `Blink` scope (its guard closes the scope on a panic). There
/// `alloc_slow` was laid out inline and every allocation jumped over it: one
/// more instruction, and a taken branch, per `put` in the scope loop bench.
/// An `extern "C"` function cannot unwind, so this call stays a plain one.
/// It runs on the slow path only.
#[cold]
#[inline(never)]
extern "C" fn rarely(block: *mut u8) -> *mut u8 {
    block
}

/// A non-null, `align`-aligned address that owns no memory.
#[inline(always)]
pub(crate) fn dangling(align: usize) -> NonNull<u8> {
    // SAFETY: a valid alignment is a power of two, never zero.
    unsafe { NonNull::new_unchecked(core::ptr::without_provenance_mut(align)) }
}
