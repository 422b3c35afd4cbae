use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
struct Logged<'a> {
    name: &'a str,
}

impl Drop for Logged<'_> {
    fn drop(&mut self) {
        println!("{}", self.name);
    }
}

fn main() {}
