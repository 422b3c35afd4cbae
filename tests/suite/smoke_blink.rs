use std::cell::RefCell;

use blink_alloc::Blink;

thread_local! {
    static LOG: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

struct Logged(u32);

impl Drop for Logged {
    fn drop(&mut self) {
        LOG.with(|log| log.borrow_mut().push(self.0));
    }
}

fn take_log() -> Vec<u32> {
    LOG.with(|log| std::mem::take(&mut *log.borrow_mut()))
}

#[test]
fn runs_of_one_type_drop_in_reverse_and_scopes_cut_them() {
    let mut blink = Blink::new();
    blink.put(Logged(1));
    blink.put(Logged(2));
    blink.scope(|s| {
        s.put(Logged(3));
        s.put(Logged(4));
    });
    assert_eq!(take_log(), [4, 3]);
    blink.put(Logged(5));
    blink.put(String::from("other type"));
    blink.put(Logged(6));
    blink.reset();
    assert_eq!(take_log(), [6, 5, 2, 1]);
}

#[test]
fn with_closure_that_places_values_keeps_counts_right() {
    let mut blink = Blink::new();
    blink.put(Logged(1));
    blink.emplace().with(|| {
        blink.put(Logged(2));
        Logged(3)
    });
    blink.put(Logged(4));
    blink.reset();
    let mut log = take_log();
    log.sort();
    assert_eq!(log, [1, 2, 3, 4]);
}
