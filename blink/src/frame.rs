//! Frame arenas: a thread-local pool of warm `Blink`s behind `blink_scope!`.

use std::cell::RefCell;

use crate::{
    blink::{scope, Blink, BlinkScope},
    local::BlinkAlloc,
};

/// Most idle arenas a thread keeps; deeper nesting makes extra ones that are
/// freed when they close.
const MAX_POOLED: usize = 8;

std::thread_local! {
    static POOL: RefCell<Vec<Blink<BlinkAlloc>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` in a frame arena taken from this thread's pool of warm arenas.
///
/// When `f` returns or panics, every value placed in the frame is dropped,
/// the arena is reset (keeping one chunk big enough for the frame) and goes
/// back to the pool, so a loop of frames stops calling the base allocator
/// after the first. A frame inside a frame takes another arena. Values with
/// drop may borrow anything that outlives the call; nothing placed in the
/// frame can leave it.
#[cfg_attr(
    feature = "derive",
    doc = "[`blink_scope!`](crate::blink_scope) calls this."
)]
#[cfg_attr(
    not(feature = "derive"),
    doc = "`blink_scope!` (feature `derive`) calls this."
)]
///
/// ```
/// let total = blink_alloc::frame(|frame| {
///     let squares = frame.emplace().from_iter((1..=3u32).map(|n| n * n));
///     squares.iter().sum::<u32>()
/// });
/// assert_eq!(total, 14);
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn frame<'p, R>(f: impl for<'s> FnOnce(&mut BlinkScope<'p, 's, BlinkAlloc>) -> R) -> R {
    let mut pooled = Pooled(take());
    scope::enter(&mut pooled.0, f)
}

/// An arena from the pool, returned on drop (after the scope closed).
struct Pooled(Blink<BlinkAlloc>);

impl Drop for Pooled {
    fn drop(&mut self) {
        let mut blink = core::mem::take(&mut self.0);
        blink.reset();
        // During thread teardown the pool may be gone: then the arena is
        // simply dropped.
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut() {
                if pool.len() < MAX_POOLED {
                    pool.push(blink);
                }
            }
        });
    }
}

fn take() -> Blink<BlinkAlloc> {
    POOL.try_with(|pool| pool.try_borrow_mut().ok()?.pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Arenas idle in this thread's pool, for tests.
#[doc(hidden)]
pub fn pooled_frames() -> usize {
    POOL.try_with(|pool| pool.borrow().len()).unwrap_or(0)
}
