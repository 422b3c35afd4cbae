//! The shared arena: an atomic cursor over the chunk list.
//!
//! The chunk list is the same [`ChunkList`] the local arena uses; here it is
//! only touched under `lock` (or through `&mut self`). What other threads
//! read without the lock is:
//!
//! - `current`, the chunk being bumped, published with `Release` after its
//!   header is written and loaded with `Acquire`;
//! - that chunk's `size`, written once before the chunk is published;
//! - that chunk's `cursor`, an atomic that one compare-and-swap moves
//!   forward to reserve a block (the fast path).
//!
//! When the current chunk is full, a thread takes the lock, *re-checks* the
//! current chunk (another thread may have replaced it while this one waited),
//! and only then asks the chunk list for the next chunk, reserves its block
//! in it, and publishes it. So under contention one chunk is added per miss,
//! not one per waiting thread.
//!
//! Most allocations do not touch the cursor at all: each thread bumps
//! through a block it took from the arena, kept in a thread-local slot (see
//! [`thread_cache`](super::thread_cache)). The arena's `epoch` tells a
//! thread whether its slot belongs to this arena's current cycle. Blocks
//! larger than a slot's grant are reserved straight from the cursor.
//!
//! Chunks are freed only by `reset`, `reset_final` and drop, which need
//! `&mut self` (or the caller's promise that no other thread uses the arena,
//! for `reset_unchecked`). A thread that loaded an older chunk pointer may
//! still reserve from that chunk's leftover room; that is harmless, since
//! its cursor is the only authority over its bytes.

use core::{
    alloc::Layout,
    ptr::{self, NonNull},
    sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release},
};

use allocator_api2::alloc::{AllocError, Allocator};

use super::{
    asan,
    chunk::{ChunkConfig, ChunkHeader, ChunkList, Stats, CHUNK_ALIGN},
    local::dangling,
    shim::{const_unless_loom, lock, AtomicPtr, AtomicUsize, Mutex},
    thread_cache::{self, NO_EPOCH},
};

/// The smallest block a thread's slot takes from the arena.
const MIN_GRANT: usize = 256;
/// The largest block a thread's slot takes at once (less for arenas with
/// small chunks, see [`SyncArena::grant_cap`]).
const MAX_GRANT: usize = 64 << 10;

pub(crate) struct SyncArena<A: Allocator> {
    /// The chunk being bumped; null before the first chunk.
    current: AtomicPtr<ChunkHeader>,
    /// The tag of this cycle's thread slots, drawn when a thread first
    /// fills a slot in the cycle; [`NO_EPOCH`] before that. Written through
    /// `&self` only from `NO_EPOCH` to a fresh epoch; set back to `NO_EPOCH`
    /// by every reset, which no thread overlaps.
    epoch: AtomicUsize,
    /// Held to change the chunk list.
    lock: Mutex<()>,
    /// Only touched under `lock` or through `&mut self`, except `alloc`
    /// (shared, since `A: Sync` where the arena is shared) and `config`
    /// (immutable behind `&self`).
    chunks: ChunkList<A>,
}

// SAFETY: the arena owns its chunks and its base allocator, and moving it
// does not move the chunks. Pointers into them outside the arena are blocks
// (which borrow the arena, so none lives across a move) and threads' slots,
// which are only used while their tag equals the arena's epoch: the epoch
// moves with the chunks, and on whatever thread the arena is used, a slot
// filled on another thread is never that thread's. Needs `A: Send` for
// the allocator.
unsafe impl<A: Allocator + Send> Send for SyncArena<A> {}

// SAFETY: through `&SyncArena`, the chunk list's `Cell`s and the chunks'
// `next` links are only read or written while `lock` is held, so those
// accesses never race; `config` is never written through `&self`. The base
// allocator is used through `&A` by the lock holder and by `base()` callers
// at once, which `A: Sync` allows; chunks are allocated and freed by
// whichever thread holds the lock, which `A: Send` allows. Without the lock,
// threads only read `current` (atomic), the current chunk's `size` (written
// before `current` publishes the chunk with `Release`, read after an
// `Acquire` load of it, never written again while the chunk is in the list)
// and its atomic `cursor`. Chunks are freed only through `&mut self` or
// `reset_unchecked`, whose caller promises that no other thread uses the
// arena. Blocks handed to different threads are disjoint: each thread's
// slot block, and each block that bypasses the slots, is reserved by a
// successful compare-and-swap on the cursor of its chunk, and a slot hands
// out only its own free bytes (see `thread_cache`). Bytes given back at the
// tip (`Release`) are taken again with `Acquire`. The epoch is an atomic.
unsafe impl<A: Allocator + Send + Sync> Sync for SyncArena<A> {}

impl<A: Allocator> SyncArena<A> {
    const_unless_loom! {
        pub(crate) fn new(config: ChunkConfig, alloc: A) -> Self {
            SyncArena {
                current: AtomicPtr::new(ptr::null_mut()),
                epoch: AtomicUsize::new(NO_EPOCH),
                lock: Mutex::new(()),
                chunks: ChunkList::new(config, alloc),
            }
        }
    }

    #[inline(always)]
    pub(crate) fn base(&self) -> &A {
        &self.chunks.alloc
    }

    pub(crate) fn config_mut(&mut self) -> &mut ChunkConfig {
        &mut self.chunks.config
    }

    /// Allocates a block for `layout`, from this thread's slot when it can.
    /// Never fails for a zero-sized layout.
    #[inline(always)]
    pub(crate) fn alloc(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        if layout.size() == 0 {
            // Zero-sized blocks take no memory, not even alignment padding.
            // Folds away for known layouts.
            return Ok(dangling(layout.align()));
        }
        match self.alloc_in_slot(layout) {
            Some(ptr) => Ok(ptr),
            None => self.alloc_refill(layout),
        }
    }

    /// Allocates a block for `layout` from this thread's slot if the slot
    /// is this cycle's and has room; `None` otherwise. Never calls out: the
    /// global allocators' fast path.
    #[inline(always)]
    pub(crate) fn alloc_in_slot(&self, layout: Layout) -> Option<NonNull<u8>> {
        // `Relaxed`: only this thread's own slots are compared with the
        // epoch. It goes back to `NO_EPOCH` only at resets, which happen
        // before this call by the caller's synchronisation (`&mut`, or the
        // promise of `reset_unchecked`), so this load cannot see an epoch of
        // an earlier cycle; a concurrent draw from `NO_EPOCH` only makes
        // this thread miss once more.
        thread_cache::bump(self.epoch.load(Relaxed), layout)
    }

    /// Refills this thread's slot, or reserves a large block directly.
    #[cold]
    #[inline(never)]
    fn alloc_refill(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        // `alloc` answered zero-sized layouts, so `layout.size() > 0`.
        let cap = self.grant_cap();
        // The most a block for `layout` can take from a slot, padding
        // included; `Layout` keeps this from overflowing.
        let need = layout.size() + (layout.align() - 1);
        let epoch = self.epoch();
        if need > cap / 4 || epoch == NO_EPOCH {
            return self.alloc_shared(layout);
        }
        let front = match thread_cache::bump_after_miss(epoch, layout) {
            Ok(ptr) => return Ok(ptr),
            Err(Some(front)) => front,
            Err(None) => return self.alloc_shared(layout),
        };
        // Double the last grant, within the cap, and never less than `need`.
        let grant = (front.grant * 2)
            .max(MIN_GRANT)
            .min(cap)
            .max(need.next_multiple_of(CHUNK_ALIGN));
        let block = match self.try_extend(front.end, grant) {
            Some(block) => block,
            None => {
                let reserved = Layout::from_size_align(grant, CHUNK_ALIGN)
                    .map_err(|_| AllocError)
                    .and_then(|block| self.reserve_shared(block));
                match reserved {
                    Ok(block) => block,
                    // Near the limit: the request alone may still fit.
                    Err(AllocError) => return self.alloc_shared(layout),
                }
            }
        };
        // SAFETY: `epoch` is this cycle's (drawn above; no reset overlaps
        // this call), and `block` is a fresh reservation of `grant` bytes in
        // one chunk of this arena, rebuilt from the chunk's start.
        unsafe { thread_cache::install(epoch, block, grant) };
        // `grant >= need`, so the refilled slot has room.
        thread_cache::bump(epoch, layout).ok_or(AllocError)
    }

    /// This cycle's epoch, drawn now if no thread has drawn it yet;
    /// [`NO_EPOCH`] if epochs ran out.
    fn epoch(&self) -> usize {
        let epoch = self.epoch.load(Relaxed);
        if epoch != NO_EPOCH {
            return epoch;
        }
        let Some(fresh) = thread_cache::draw_epoch() else {
            return NO_EPOCH;
        };
        // Another thread may have drawn one meanwhile: use whichever won.
        match self
            .epoch
            .compare_exchange(NO_EPOCH, fresh, Relaxed, Relaxed)
        {
            Ok(_) => fresh,
            Err(won) => won,
        }
    }

    /// The largest block a slot takes: small next to the arena's chunks, so
    /// that the free bytes that slots hold stay small next to the data.
    ///
    /// Under ASan a multiple of its granule, so that every slot block ends
    /// at a granule boundary (each starts at one, and grows by multiples of
    /// `CHUNK_ALIGN`): no other thread's block shares its last granule.
    fn grant_cap(&self) -> usize {
        (self.chunks.config.max_chunk_size / 8).clamp(2 * CHUNK_ALIGN, MAX_GRANT)
            & !(asan::GRANULE - 1)
    }

    /// Reserves `more` bytes at `at` if the current chunk's cursor is at
    /// `at` (the end of this thread's slot block, typically) and the chunk
    /// has room; returns the bytes, with the chunk's provenance.
    fn try_extend(&self, at: usize, more: usize) -> Option<NonNull<u8>> {
        let chunk = NonNull::new(self.current.load(Acquire))?;
        let start = ChunkHeader::data_start(chunk);
        let end = ChunkHeader::data_end(chunk).addr();
        if at < start.addr() || at > end || more > end - at {
            return None;
        }
        // `Acquire` on success, as in `reserve`.
        ChunkHeader::cursor(chunk)
            .compare_exchange(at, at + more, Acquire, Relaxed)
            .ok()?;
        let block = start.wrapping_add(at - start.addr());
        // SAFETY: an address inside the chunk, which is non-null.
        Some(unsafe { NonNull::new_unchecked(block) })
    }

    /// Reserves a block for `layout` from the shared cursor and hands it
    /// out. Never fails for a zero-sized layout.
    #[inline]
    pub(crate) fn alloc_shared(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        let block = self.reserve_shared(layout)?;
        // SAFETY: a fresh reservation in a chunk, this thread's alone, and
        // in granules of its own (see `reserve`); handed out now.
        unsafe { asan::unpoison(block.as_ptr(), layout.size()) };
        Ok(block)
    }

    /// Reserves a block for `layout` from the shared cursor, still poisoned
    /// under ASan (for a thread's slot). Never fails for a zero-sized layout.
    #[inline]
    fn reserve_shared(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        if let Some(chunk) = NonNull::new(self.current.load(Acquire)) {
            if let Some(ptr) = reserve(chunk, layout) {
                return Ok(ptr);
            }
        }
        self.alloc_slow(layout)
    }

    #[cold]
    #[inline(never)]
    fn alloc_slow(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        if layout.size() == 0 {
            return Ok(dangling(layout.align()));
        }
        let _guard = lock(&self.lock);
        // Re-check: while this thread waited, another may have added a chunk
        // with room for this block.
        if let Some(chunk) = NonNull::new(self.current.load(Acquire)) {
            if let Some(ptr) = reserve(chunk, layout) {
                return Ok(ptr);
            }
        }
        let chunk = self.chunks.advance(layout)?;
        // The chunk is not published yet, so no other thread bumps it, and
        // `advance` promises room for `layout`: this reservation succeeds.
        let ptr = reserve(chunk, layout).ok_or(AllocError)?;
        // Publish the chunk with its header (written by `advance`).
        self.current.store(chunk.as_ptr(), Release);
        Ok(ptr)
    }

    /// Makes sure the current chunk has `bytes` free bytes past its cursor,
    /// and one grant more, publishing a spare or a new chunk if it has not.
    /// Threads' slots take the room in grants, and the end of a grant that
    /// a request does not fit stays unused: the extra grant covers the last
    /// one. Other threads may take the room at once.
    pub(crate) fn reserve(&self, bytes: usize) -> Result<(), AllocError> {
        if bytes == 0 {
            return Ok(());
        }
        let bytes = bytes.checked_add(self.grant_cap()).ok_or(AllocError)?;
        let room = |chunk: NonNull<ChunkHeader>| {
            let end = ChunkHeader::data_end(chunk).addr();
            end.saturating_sub(ChunkHeader::cursor(chunk).load(Relaxed))
        };
        if let Some(chunk) = NonNull::new(self.current.load(Acquire)) {
            if room(chunk) >= bytes {
                return Ok(());
            }
        }
        let _guard = lock(&self.lock);
        if let Some(chunk) = NonNull::new(self.current.load(Acquire)) {
            if room(chunk) >= bytes {
                return Ok(());
            }
        }
        let layout = Layout::from_size_align(bytes, 1).map_err(|_| AllocError)?;
        let chunk = self.chunks.advance(layout)?;
        // Publish the chunk with its header (written by `advance`), as
        // `alloc_slow` does.
        self.current.store(chunk.as_ptr(), Release);
        Ok(())
    }

    /// The current chunk, if `[ptr, ptr + size)` lies in it.
    #[inline(always)]
    fn current_holding(&self, ptr: NonNull<u8>, size: usize) -> Option<NonNull<ChunkHeader>> {
        let chunk = NonNull::new(self.current.load(Acquire))?;
        let start = ChunkHeader::data_start(chunk).addr();
        let end = ChunkHeader::data_end(chunk).addr();
        let addr = ptr.addr().get();
        (addr >= start && addr <= end && size <= end - addr).then_some(chunk)
    }

    /// Resizes a block: in place at the tip of this thread's slot or of the
    /// current chunk when it stays aligned, in place for any shrink that
    /// stays aligned, otherwise by moving it.
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
        if old.size() != 0 && ptr.addr().get() & (new.align() - 1) == 0 {
            if let Some(block) = self.resize_in_slot(ptr, old.size(), new.size()) {
                return Ok(block);
            }
        }
        // SAFETY: forwarded from the caller.
        unsafe { self.resize_shared(ptr, old, new) }
    }

    /// `resize` of a block that is not the tip of this thread's slot.
    ///
    /// # Safety
    ///
    /// As [`resize`](Self::resize).
    #[inline(never)]
    unsafe fn resize_shared(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<u8>, AllocError> {
        if ptr.addr().get() & (new.align() - 1) == 0 {
            if old.size() != 0 {
                if let Some(chunk) = self.current_holding(ptr, old.size()) {
                    let start = ChunkHeader::data_start(chunk);
                    let end = ChunkHeader::data_end(chunk).addr();
                    let addr = ptr.addr().get();
                    // `addr` is in the chunk, so these do not overflow.
                    if new.size() <= end - addr {
                        let cursor = ChunkHeader::cursor(chunk);
                        // Rebuild from the chunk so the block carries the
                        // whole chunk's provenance.
                        let block = start.wrapping_add(addr - start.addr());
                        if asan::ENABLED
                            && new.size() < old.size()
                            && cursor.load(Relaxed) == addr + old.size()
                        {
                            // SAFETY: the tail the caller gives back, before
                            // the cursor takes it back (after, another thread
                            // could reserve and unpoison it first). At the tip
                            // no other block shares its granules: the next
                            // reservation starts a granule.
                            unsafe {
                                asan::poison(
                                    block.wrapping_add(new.size()),
                                    old.size() - new.size(),
                                )
                            };
                        }
                        // The block is the tip iff the cursor sits at its end;
                        // then nothing after it is reserved and its bytes up to
                        // `addr + new.size()` are free or its own.
                        let moved = cursor.compare_exchange(
                            addr + old.size(),
                            addr + new.size(),
                            AcqRel,
                            Relaxed,
                        );
                        if moved.is_ok() {
                            if new.size() > old.size() {
                                // SAFETY: the bytes the block grew by, reserved
                                // by the exchange for this thread alone.
                                unsafe {
                                    asan::unpoison(
                                        block.wrapping_add(old.size()),
                                        new.size() - old.size(),
                                    )
                                };
                            }
                            // SAFETY: the address of `ptr`, which is non-null.
                            return Ok(unsafe { NonNull::new_unchecked(block) });
                        }
                    }
                }
            }
            if new.size() <= old.size() {
                // SAFETY: the tail the caller gives back; only its whole
                // granules, which no other block shares.
                unsafe {
                    asan::poison_inner(
                        ptr.as_ptr().wrapping_add(new.size()),
                        old.size() - new.size(),
                    )
                };
                return Ok(ptr);
            }
        }
        let moved = self.alloc(new)?;
        // SAFETY: `ptr` is live for `old.size()` bytes (caller), `moved` is a
        // fresh block of `new.size()` bytes disjoint from every live block.
        unsafe {
            ptr::copy_nonoverlapping(ptr.as_ptr(), moved.as_ptr(), old.size().min(new.size()));
        }
        // SAFETY: the old block, given up by the caller; only its whole
        // granules, which no other block shares.
        unsafe { asan::poison_inner(ptr.as_ptr(), old.size()) };
        Ok(moved)
    }

    /// Resizes `[ptr, ptr + old)` in place if it is the last block this
    /// thread's slot handed out, extending the slot's block in its chunk if
    /// needed and possible. Only compares addresses: never reads or copies
    /// the block (the global allocators rely on that), and the block it
    /// returns is rebuilt with the chunk's provenance.
    #[inline(always)]
    pub(crate) fn resize_in_slot(
        &self,
        ptr: NonNull<u8>,
        old: usize,
        new: usize,
    ) -> Option<NonNull<u8>> {
        let epoch = self.epoch.load(Relaxed);
        match thread_cache::resize_at_tip(epoch, ptr, old, new) {
            Ok(block) => Some(block),
            Err(None) => None,
            Err(Some(end)) => self.extend_slot_and_resize(epoch, end, ptr, old, new),
        }
    }

    /// `resize_in_slot` when the slot's block, which ends at `end`, is too
    /// small for the block at its tip to grow to `new` bytes.
    #[cold]
    #[inline(never)]
    fn extend_slot_and_resize(
        &self,
        epoch: usize,
        end: usize,
        ptr: NonNull<u8>,
        old: usize,
        new: usize,
    ) -> Option<NonNull<u8>> {
        // `ptr <= end`, and `new` is more than `end - ptr`.
        let more = (new - (end - ptr.addr().get()))
            .max(MIN_GRANT)
            .checked_next_multiple_of(CHUNK_ALIGN)?;
        let extra = self.try_extend(end, more)?;
        // SAFETY: `epoch` matched this thread's slot, so it is this cycle's;
        // `extra` is a fresh reservation of `more` bytes in the chunk of the
        // slot's block, rebuilt from the chunk's start.
        unsafe { thread_cache::install(epoch, extra, more) };
        thread_cache::resize_at_tip(epoch, ptr, old, new).ok()
    }

    /// Gives the block back if it is the tip of this thread's slot or of the
    /// current chunk; otherwise its memory comes back at the next reset.
    ///
    /// # Safety
    ///
    /// `ptr` must be a live block of this arena of `size` bytes.
    #[inline]
    pub(crate) unsafe fn dealloc(&self, ptr: NonNull<u8>, size: usize) {
        if size == 0 {
            return;
        }
        if thread_cache::free_at_tip(self.epoch.load(Relaxed), ptr, size) {
            return;
        }
        // SAFETY: forwarded from the caller.
        unsafe { self.dealloc_shared(ptr, size) }
    }

    /// Gives the block back if it is the tip of the current chunk.
    ///
    /// # Safety
    ///
    /// As [`dealloc`](Self::dealloc).
    #[inline]
    pub(crate) unsafe fn dealloc_shared(&self, ptr: NonNull<u8>, size: usize) {
        if let Some(chunk) = self.current_holding(ptr, size) {
            let addr = ptr.addr().get();
            let cursor = ChunkHeader::cursor(chunk);
            if asan::ENABLED && cursor.load(Relaxed) == addr + size {
                // SAFETY: the block, which the caller gives back, before the
                // cursor takes it back (after, another thread could reserve
                // and unpoison it first). At the tip no other block shares
                // its last granule: the next reservation starts a granule.
                unsafe { asan::poison(ptr.as_ptr(), size) };
            }
            // `Release`: the next thread that reserves these bytes (with
            // `Acquire`) sees every write this one made to them.
            if cursor
                .compare_exchange(addr + size, addr, Release, Relaxed)
                .is_ok()
            {
                return;
            }
        }
        // SAFETY: the block, which the caller gives back; only its whole
        // granules, which no other block shares.
        unsafe { asan::poison_inner(ptr.as_ptr(), size) };
    }

    pub(crate) fn stats(&self) -> Stats {
        let _guard = lock(&self.lock);
        self.stats_locked()
    }

    /// Statistics; the caller holds the lock or `&mut self`.
    fn stats_locked(&self) -> Stats {
        self.chunks.stats(self.current_cursor())
    }

    /// The cursor of the current chunk (0 for none); the caller holds the
    /// lock or `&mut self`.
    fn current_cursor(&self) -> usize {
        self.chunks
            .current()
            .map_or(0, |chunk| ChunkHeader::cursor(chunk).load(Relaxed))
    }

    /// [`reset`](Self::reset) through `&mut self`, which no other thread
    /// can overlap: an arena of one chunk is rewound without the lock.
    ///
    /// # Safety
    ///
    /// No block of this arena may be used again.
    #[inline]
    pub(crate) unsafe fn reset_mut(&mut self) {
        // One chunk, current: `ChunkList::reset` would keep it (it held all
        // the cycle used) and free nothing, and `current` already points at
        // it. Every thread's slot goes stale with the old epoch.
        if let Some(chunk) = self.chunks.sole_current() {
            self.epoch.store(NO_EPOCH, Relaxed);
            self.chunks.poison_used(None, self.current_cursor());
            ChunkHeader::rewind(chunk);
            return;
        }
        // SAFETY: forwarded from the caller; `&mut self` keeps every other
        // thread out.
        unsafe { self.reset() }
    }

    /// Frees every block; keeps one chunk for the next cycle.
    ///
    /// # Safety
    ///
    /// No block of this arena may be used again, and no other thread may
    /// use the arena during this call; later uses must happen after it.
    #[inline(never)]
    pub(crate) unsafe fn reset(&self) {
        let _guard = lock(&self.lock);
        // Every thread's slot goes stale with the old epoch.
        self.epoch.store(NO_EPOCH, Relaxed);
        let kept = self.chunks.reset(self.current_cursor());
        let kept = kept.map_or(ptr::null_mut(), NonNull::as_ptr);
        self.current.store(kept, Release);
        // Again after freeing: the base allocator must not use this arena
        // meanwhile, but should it, clearing the epoch last leaves any slot
        // it filled stale rather than pointing into rewound memory.
        self.epoch.store(NO_EPOCH, Relaxed);
    }

    /// Frees every block and returns every chunk to the base allocator.
    ///
    /// # Safety
    ///
    /// As [`reset`](Self::reset).
    pub(crate) unsafe fn reset_final(&self) {
        let _guard = lock(&self.lock);
        self.epoch.store(NO_EPOCH, Relaxed);
        self.chunks.free_all();
        self.current.store(ptr::null_mut(), Release);
        self.epoch.store(NO_EPOCH, Relaxed);
    }
}

/// Reserves a block for `layout` in `chunk` with one compare-and-swap on
/// its cursor (more only when other threads win the race).
#[inline(always)]
fn reserve(chunk: NonNull<ChunkHeader>, layout: Layout) -> Option<NonNull<u8>> {
    let cursor = ChunkHeader::cursor(chunk);
    let start = ChunkHeader::data_start(chunk);
    let end = ChunkHeader::data_end(chunk).addr();
    // Under ASan every reservation starts a granule, so that blocks of
    // different threads never share one (see `asan`).
    let align = if asan::ENABLED {
        layout.align().max(asan::GRANULE)
    } else {
        layout.align()
    };
    let mut at = cursor.load(Relaxed);
    loop {
        // Invariant: start <= at <= end.
        let pad = at.wrapping_neg() & (align - 1);
        // `Layout` keeps `size + align - 1 <= isize::MAX` and `pad < align`,
        // so this cannot overflow.
        let need = pad + layout.size();
        if need > end - at {
            return None;
        }
        // `Acquire` on success: bytes given back at the tip by another
        // thread (`Release`) are visible before they are written again.
        match cursor.compare_exchange_weak(at, at + need, Acquire, Relaxed) {
            Ok(_) => {
                let block = start.wrapping_add(at + pad - start.addr());
                // SAFETY: an address inside the chunk, which is non-null.
                return Some(unsafe { NonNull::new_unchecked(block) });
            }
            Err(now) => at = now,
        }
    }
}
