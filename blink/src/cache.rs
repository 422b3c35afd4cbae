//! `BlinkAllocCache`: a pool of warm arenas for task-based work.

use alloc::vec::Vec;
use core::fmt;

use allocator_api2::alloc::{Allocator, Global};

use crate::{
    arena::shim::{const_unless_loom, lock, Mutex},
    local::BlinkAlloc,
};

/// A pool of warm [`BlinkAlloc`]s that many threads take from and give back
/// to.
///
/// A task [`pop`](Self::pop)s an arena (or makes a new one when the pool is
/// empty), allocates from it with no synchronization at all, and
/// [`push`](Self::push)es it back when done; `push` resets the arena, which
/// keeps one chunk large enough for what the task used, so a pool that has
/// warmed up stops calling the base allocator. Dropping the pool frees every
/// arena it holds.
///
/// The pool is a `Mutex<Vec<BlinkAlloc<A>>>`: `pop` and `push` each take the
/// lock for one `Vec` push or pop (the reset in `push` runs before the lock is
/// taken). That is simple and honest rather than lock-free; it is meant to be
/// used once per task, not once per allocation. `pop` returns the most
/// recently pushed arena, whose memory is the most likely to be in cache.
///
/// `BlinkAllocCache<A>` is `Send + Sync` when `A` is `Send`.
///
/// ```
/// use allocator_api2::vec::Vec;
/// use blink_alloc::BlinkAllocCache;
///
/// let cache: BlinkAllocCache = BlinkAllocCache::new();
/// std::thread::scope(|s| {
///     for task in 0..8u32 {
///         let cache = &cache;
///         s.spawn(move || {
///             let blink = cache.pop().unwrap_or_default();
///             let mut v = Vec::new_in(&blink);
///             v.extend(0..task);
///             assert_eq!(v.len() as u32, task);
///             drop(v);
///             cache.push(blink);
///         });
///     }
/// });
/// assert!(cache.len() >= 1);
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub struct BlinkAllocCache<A: Allocator = Global> {
    arenas: Mutex<Vec<BlinkAlloc<A>>>,
}

impl<A: Allocator> BlinkAllocCache<A> {
    const_unless_loom! {
        /// An empty pool.
        ///
        /// ```
        /// use blink_alloc::BlinkAllocCache;
        /// let cache: BlinkAllocCache = BlinkAllocCache::new();
        /// assert!(cache.is_empty());
        /// ```
        pub fn new() -> Self {
            BlinkAllocCache {
                arenas: Mutex::new(Vec::new()),
            }
        }
    }

    /// Takes an arena from the pool, the last one pushed; `None` when the
    /// pool is empty.
    ///
    /// ```
    /// use blink_alloc::{BlinkAlloc, BlinkAllocCache};
    /// let cache = BlinkAllocCache::new();
    /// assert!(cache.pop().is_none());
    /// cache.push(BlinkAlloc::new());
    /// let blink: BlinkAlloc = cache.pop().unwrap();
    /// assert!(cache.is_empty());
    /// # drop(blink);
    /// ```
    #[inline]
    pub fn pop(&self) -> Option<BlinkAlloc<A>> {
        lock(&self.arenas).pop()
    }

    /// Resets `blink` (freeing all its allocations but keeping a chunk for
    /// the next task) and puts it in the pool.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use blink_alloc::{BlinkAlloc, BlinkAllocCache};
    ///
    /// let cache = BlinkAllocCache::new();
    /// let blink = BlinkAlloc::new();
    /// blink.allocate(Layout::new::<[u8; 100]>()).unwrap();
    /// cache.push(blink);
    /// let warm = cache.pop().unwrap();
    /// assert_eq!(warm.stats().used_bytes, 0); // reset by `push`
    /// assert_eq!(warm.stats().chunks, 1); // and still holding its chunk
    /// ```
    #[inline]
    pub fn push(&self, mut blink: BlinkAlloc<A>) {
        blink.reset();
        lock(&self.arenas).push(blink);
    }

    /// How many arenas the pool holds.
    ///
    /// ```
    /// use blink_alloc::{BlinkAlloc, BlinkAllocCache};
    /// let cache = BlinkAllocCache::new();
    /// cache.push(BlinkAlloc::new());
    /// cache.push(BlinkAlloc::new());
    /// assert_eq!(cache.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        lock(&self.arenas).len()
    }

    /// Whether the pool holds no arena.
    ///
    /// ```
    /// use blink_alloc::{BlinkAlloc, BlinkAllocCache};
    /// let cache = BlinkAllocCache::new();
    /// assert!(cache.is_empty());
    /// cache.push(BlinkAlloc::new());
    /// assert!(!cache.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<A: Allocator> Default for BlinkAllocCache<A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: Allocator> fmt::Debug for BlinkAllocCache<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlinkAllocCache")
            .field("len", &self.len())
            .finish()
    }
}
