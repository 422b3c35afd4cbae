//! Reproducers of what `fuzz/` found, as plain tests.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};

use blink_alloc::Blink;

thread_local! {
    static LOG: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

fn take_log() -> Vec<u32> {
    LOG.with(|log| core::mem::take(&mut *log.borrow_mut()))
}

/// Logs its id when dropped, then panics if it is armed.
struct Tracked {
    id: u32,
    armed: bool,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        LOG.with(|log| log.borrow_mut().push(self.id));
        if self.armed {
            panic!("deliberate panic in drop");
        }
    }
}

fn tracked(id: u32) -> Tracked {
    Tracked { id, armed: false }
}

/// Found by `fuzz/fuzz_targets/blink_ops.rs`: after a `Drop` panics, the
/// values of the same run that it had not reached yet were dropped oldest
/// first (`drop_values`' unwind guard dropped them as a slice, front to
/// back), not in reverse order of placement. Values of one type placed back to back
/// share a run, so it takes three of them before the panicking one.
#[test]
fn panicking_drop_keeps_the_reverse_order_of_its_run() {
    take_log();
    let mut blink = Blink::new();
    blink.put(tracked(1));
    blink.put(tracked(2));
    blink.put(tracked(3));
    blink.put(Tracked { id: 4, armed: true });
    blink.put(tracked(5));
    assert_eq!(blink.drop_runs(), 1, "the five values share one run");
    assert!(catch_unwind(AssertUnwindSafe(|| blink.reset())).is_err());
    // Before the fix: [5, 4, 1, 2, 3].
    assert_eq!(take_log(), [5, 4, 3, 2, 1]);
}

/// The same, where the order is a matter of soundness: `emplace_unchecked`
/// allows a value's `Drop` to read values placed before it ("values are
/// dropped in reverse order of placement"). When a later value's `Drop`
/// panics, the first reader is dropped before the second reads it: had it
/// held a `String` and read it, a use after free. Here it reads a flag that
/// the first reader's `Drop` cleared, to show it without undefined behaviour.
#[test]
fn panicking_drop_never_lets_a_reader_see_a_dropped_value() {
    struct Reader<'a> {
        id: u32,
        alive: Cell<bool>,
        earlier: Option<&'a Reader<'a>>,
        armed: bool,
    }
    impl Drop for Reader<'_> {
        fn drop(&mut self) {
            if let Some(earlier) = self.earlier {
                // Reads a value placed before this one: 0 if it was dropped.
                LOG.with(|log| log.borrow_mut().push(u32::from(earlier.alive.get())));
            }
            self.alive.set(false);
            LOG.with(|log| log.borrow_mut().push(10 + self.id));
            if self.armed {
                panic!("deliberate panic in drop");
            }
        }
    }
    take_log();
    let blink = Blink::new();
    let reader = |id, earlier, armed| Reader {
        id,
        alive: Cell::new(true),
        earlier,
        armed,
    };
    // SAFETY: each reader reaches only the one placed right before it,
    // which is dropped after it; nothing outlives `blink`'s own drop.
    let first: &Reader<'_> = unsafe { blink.emplace_unchecked() }.value(reader(1, None, false));
    // SAFETY: as above.
    let second: &Reader<'_> =
        unsafe { blink.emplace_unchecked() }.value(reader(2, Some(first), false));
    // SAFETY: as above.
    unsafe { blink.emplace_unchecked() }.value(reader(3, Some(second), true));
    assert!(catch_unwind(AssertUnwindSafe(move || drop(blink))).is_err());
    // Reader 3 sees 2 alive, then reader 2 must see 1 alive. Before the
    // fix: [1, 13, 11, 0, 12]: reader 1 dropped first, and 2 saw it dropped.
    assert_eq!(take_log(), [1, 13, 1, 12, 11]);
}
