use blink_alloc::Blink;

fn main() {
    let mut blink = Blink::new();
    let mut names = blink.vec();
    names.push(String::from("dropped at the reset"));
    let names = names.into_slice();
    blink.reset();
    println!("{}", names[0]);
}
