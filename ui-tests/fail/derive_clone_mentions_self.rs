use blink_alloc::BlinkPut;

#[derive(BlinkPut, Clone)]
struct List<'a> {
    name: &'a str,
    #[blink(clone)]
    next: Option<Box<Self>>,
}

fn main() {}
