//! Per-thread blocks of the shared arena.
//!
//! Moving the shared cursor takes an atomic read-modify-write, which costs
//! more than ten plain bumps even uncontended, and under contention every
//! thread fights over one cache line. So each thread keeps, in a
//! thread-local slot, a block it reserved from the shared arena, and bumps
//! through it with plain loads and stores.
//!
//! # Tags
//!
//! A slot is tagged with the *epoch* of the arena cycle that filled it: a
//! number drawn from one global counter, at most once per cycle, and never
//! drawn twice. An arena forgets its epoch at every reset, and the arena's
//! chunks are freed or reused only by a reset or by dropping the arena.
//! Hence a slot whose tag equals an arena's current epoch was filled by
//! *that* arena *since its last reset*, on *this* thread, and its block lies
//! in a chunk the arena still holds. A reset invalidates every thread's slot
//! at once without touching it; a stale slot is only a few numbers, never
//! dereferenced again.
//!
//! A thread keeps [`WAYS`] slots, most recently used first, so that a thread
//! that uses a few arenas in turn does not drop its block at every switch;
//! see [`Slots`] for what happens with more arenas than that.
//!
//! Nothing here calls out of this module while it holds a slot's fields in
//! locals, so a base allocator that itself uses a shared arena on the same
//! thread (and so these slots) cannot invalidate them.

use core::{alloc::Layout, cell::Cell, ptr::NonNull};

use super::asan;

/// Slots per thread.
const WAYS: usize = 8;

/// The tag of a slot that holds no block. No arena cycle has this epoch.
const EMPTY: usize = usize::MAX;

/// "This arena has no epoch yet" (or the counter ran out). No slot has this
/// tag: slots are only tagged with drawn epochs.
pub(crate) const NO_EPOCH: usize = 0;

/// The next epoch to hand out. Epochs run from 1 up to `EMPTY - 1` and
/// then run out; an arena without an epoch allocates from the shared cursor.
/// (On 64-bit targets that takes centuries; on 32-bit, 4 billion cycles.)
static NEXT_EPOCH: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(1);

/// Draws a fresh epoch, or `None` once they have run out.
pub(crate) fn draw_epoch() -> Option<usize> {
    use core::sync::atomic::Ordering::Relaxed;
    // A plain counter: uniqueness is all that matters, so `Relaxed`.
    let drawn =
        NEXT_EPOCH.fetch_update(Relaxed, Relaxed, |next| (next < EMPTY).then_some(next + 1));
    drawn.ok()
}

/// One thread's block of one arena cycle.
///
/// Invariant: if `epoch` is the current epoch of an arena, then `[cursor,
/// end)` is a range of one chunk of that arena that was reserved for this
/// thread alone during the current cycle and not handed out, `start <=
/// cursor <= end` lie in that chunk, and `cursor` carries the provenance of
/// the whole chunk. (Bytes in `[start, cursor)` were handed out; another
/// thread may free the last of them at the chunk's tip when `cursor ==
/// end`, so only `[cursor, end)` is the slot's alone.) A slot is tagged
/// only when it gets a block, so a tagged slot's cursor is never null.
struct Slot {
    epoch: Cell<usize>,
    /// First free byte.
    cursor: Cell<*mut u8>,
    /// First byte of the block: blocks below it are not this slot's.
    start: Cell<usize>,
    /// One past the block's last byte.
    end: Cell<usize>,
    /// Bytes the slot last took from the arena; the next refill doubles it.
    grant: Cell<usize>,
}

impl Slot {
    const fn empty() -> Slot {
        Slot {
            epoch: Cell::new(EMPTY),
            cursor: Cell::new(core::ptr::null_mut()),
            start: Cell::new(0),
            end: Cell::new(0),
            grant: Cell::new(0),
        }
    }

    fn swap(&self, other: &Slot) {
        self.epoch.swap(&other.epoch);
        self.cursor.swap(&other.cursor);
        self.start.swap(&other.start);
        self.end.swap(&other.end);
        self.grant.swap(&other.grant);
    }

    /// Whether `[ptr, ptr + size)` ends at the cursor and starts in the
    /// block: then it is the last block handed out from this slot.
    #[inline(always)]
    fn is_tip(&self, ptr: NonNull<u8>, size: usize) -> bool {
        let addr = ptr.addr().get();
        addr >= self.start.get() && addr.wrapping_add(size) == self.cursor.get().addr()
    }
}

/// A thread's slots, most recently used first, and the epochs that missed
/// lately with every slot taken.
struct Slots {
    ways: [Slot; WAYS],
    /// A ring of epochs that missed with no slot of their own and none
    /// empty. A second miss of one of them evicts the least recently used
    /// slot; a first miss allocates from the shared cursor. So a thread
    /// that cycles through more arenas than it has slots keeps the slots it
    /// has instead of evicting one (and giving up its free bytes) at every
    /// switch, while an arena reset into a new epoch gets a slot at its
    /// second miss even when every slot holds a stale epoch.
    ghosts: [Cell<usize>; WAYS],
    next_ghost: Cell<usize>,
}

impl Slots {
    const fn new() -> Slots {
        Slots {
            ways: [const { Slot::empty() }; WAYS],
            ghosts: [const { Cell::new(EMPTY) }; WAYS],
            next_ghost: Cell::new(0),
        }
    }
}

#[cfg(not(loom))]
std::thread_local! {
    // `const` and drop-free: no lazy initialisation and no
    // destructor, so access is a plain thread-relative address.
    static SLOTS: Slots = const { Slots::new() };
}

#[cfg(loom)]
loom::thread_local! {
    static SLOTS: Slots = Slots::new();
}

/// Runs `f` on this thread's slots.
#[inline(always)]
fn with_slots<R>(f: impl FnOnce(&Slots) -> R) -> R {
    SLOTS.with(f)
}

/// Bumps `layout` in this thread's block for `epoch`, if the most recently
/// used slot is that block and has room.
#[inline(always)]
pub(crate) fn bump(epoch: usize, layout: Layout) -> Option<NonNull<u8>> {
    with_slots(|slots| bump_in(&slots.ways[0], epoch, layout))
}

#[inline(always)]
fn bump_in(slot: &Slot, epoch: usize, layout: Layout) -> Option<NonNull<u8>> {
    if slot.epoch.get() != epoch {
        return None;
    }
    let cursor = slot.cursor.get();
    let pad = cursor.addr().wrapping_neg() & (layout.align() - 1);
    // The slot invariant keeps `cursor <= end`; `Layout` keeps
    // `size + align - 1 <= isize::MAX`, so `pad + size` cannot overflow.
    if pad + layout.size() > slot.end.get() - cursor.addr() {
        return None;
    }
    let block = cursor.wrapping_add(pad);
    slot.cursor.set(block.wrapping_add(layout.size()));
    // SAFETY: the block lies in the slot's free bytes, this thread's alone
    // (slot invariant), in granules no other thread updates: the slot's
    // block starts and ends at granule boundaries (see `grant_cap`), and
    // other threads only give back blocks of it that the cursor has passed,
    // poisoning whole granules or the last block at the chunk's tip.
    unsafe { asan::unpoison(block, layout.size()) };
    // SAFETY: `block` lies in a chunk (slot invariant), which is not at
    // address zero.
    Some(unsafe { NonNull::new_unchecked(block) })
}

/// What a refill needs to know about this thread's slot for an epoch.
pub(crate) struct Front {
    /// One past the end of the slot's block; 0 for a new slot.
    pub(crate) end: usize,
    /// What the slot took last time; 0 for a new slot.
    pub(crate) grant: usize,
}

/// Makes the slot tagged `epoch`, if any, the most recently used one.
fn find_to_front(slots: &Slots, epoch: usize) -> Option<&Slot> {
    let i = slots
        .ways
        .iter()
        .position(|slot| slot.epoch.get() == epoch)?;
    Some(rotate_to_front(slots, i))
}

/// Moves slot `i` first; the slots before it keep their order.
fn rotate_to_front(slots: &Slots, i: usize) -> &Slot {
    for j in (0..i).rev() {
        slots.ways[j].swap(&slots.ways[j + 1]);
    }
    &slots.ways[0]
}

/// After a miss of [`bump`]: makes this thread's slot for `epoch` the front
/// one and bumps `layout` in it if it has room. Otherwise says what a
/// refill needs (`Some`), or that this request should not take a slot
/// (`None`: every slot is taken, and `epoch` did not miss lately).
pub(crate) fn bump_after_miss(epoch: usize, layout: Layout) -> Result<NonNull<u8>, Option<Front>> {
    with_slots(|slots| {
        if let Some(front) = find_to_front(slots, epoch) {
            return bump_in(front, epoch, layout).ok_or(Some(Front {
                end: front.end.get(),
                grant: front.grant.get(),
            }));
        }
        let new_slot = Some(Front { end: 0, grant: 0 });
        // Empty slots are the least recently used, at the back.
        if slots.ways[WAYS - 1].epoch.get() == EMPTY {
            return Err(new_slot);
        }
        if slots.ghosts.iter().any(|ghost| ghost.get() == epoch) {
            return Err(new_slot);
        }
        let next = slots.next_ghost.get();
        slots.ghosts[next].set(epoch);
        slots.next_ghost.set((next + 1) % WAYS);
        Err(None)
    })
}

/// Gives this thread's slot for `epoch` (made the front one) the bytes
/// `[block, block + size)`. When the slot's block ends at `block`, they
/// extend it (its free bytes are kept); otherwise they replace it.
///
/// # Safety
///
/// `epoch` must be the current epoch of the arena the bytes come from; they
/// must lie in one chunk of it and be reserved for this call alone in the
/// current cycle, and `block` must carry the whole chunk's provenance.
pub(crate) unsafe fn install(epoch: usize, block: NonNull<u8>, size: usize) {
    with_slots(|slots| {
        let at = block.addr().get();
        let front = find_to_front(slots, epoch).unwrap_or_else(|| {
            // Evict the least recently used slot (its free bytes are given
            // up) for a new one.
            let front = rotate_to_front(slots, WAYS - 1);
            front.epoch.set(epoch);
            front.end.set(0);
            front
        });
        if front.end.get() == at {
            // The bytes continue this slot's block, in the same chunk (a
            // chunk's data never ends where another's begins: a header lies
            // between): the slot keeps its start and cursor.
            front.end.set(at + size);
        } else {
            front.cursor.set(block.as_ptr());
            front.start.set(at);
            front.end.set(at + size);
        }
        front.grant.set(size);
    })
}

/// Frees `[ptr, ptr + size)` if it is the last block this thread's front
/// slot for `epoch` handed out. Returns whether it did.
#[inline]
pub(crate) fn free_at_tip(epoch: usize, ptr: NonNull<u8>, size: usize) -> bool {
    with_slots(|slots| {
        let slot = &slots.ways[0];
        let hit = slot.epoch.get() == epoch && slot.is_tip(ptr, size);
        if hit {
            // Moved back from the cursor, so it keeps the chunk's provenance.
            let block = slot.cursor.get().wrapping_sub(size);
            slot.cursor.set(block);
            // SAFETY: the block, which the caller gives back, in the slot's
            // block (see `bump_in`).
            unsafe { asan::poison(block, size) };
        }
        hit
    })
}

/// Resizes `[ptr, ptr + old)` to `new` bytes in place if it is the last
/// block this thread's front slot for `epoch` handed out and the slot has
/// room; returns the block (rebuilt from the slot's cursor).
///
/// Otherwise, if it is that tip, returns `Err(Some(end))` with the end of
/// the slot's block (so the caller may extend the block and retry), else
/// `Err(None)`.
#[inline]
pub(crate) fn resize_at_tip(
    epoch: usize,
    ptr: NonNull<u8>,
    old: usize,
    new: usize,
) -> Result<NonNull<u8>, Option<usize>> {
    with_slots(|slots| {
        let slot = &slots.ways[0];
        if slot.epoch.get() != epoch || !slot.is_tip(ptr, old) {
            return Err(None);
        }
        let addr = ptr.addr().get();
        let end = slot.end.get();
        // `start <= addr <= cursor <= end`.
        if new > end - addr {
            return Err(Some(end));
        }
        let block = slot.cursor.get().wrapping_sub(old);
        slot.cursor.set(block.wrapping_add(new));
        // SAFETY: both sizes of the block lie in the slot's block (see
        // `bump_in`); what it grows by is handed out, what it shrinks by is
        // given back.
        unsafe { asan::resize(block, old, new) };
        // SAFETY: `block` has the address of `ptr`, which is non-null.
        Ok(unsafe { NonNull::new_unchecked(block) })
    })
}
