// A vector of an outer scope cannot grow inside a nested scope, whose close
// would rewind what it grew into.
fn main() {
    let mut blink = blink_alloc::Blink::new();
    blink.scope(|outer| {
        let mut values = outer.vec_no_drop();
        values.push(1u64);
        outer.scope(|_inner| values.extend(0..100));
        println!("{}", values.len());
    });
}
