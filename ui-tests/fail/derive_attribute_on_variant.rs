use blink_alloc::BlinkPut;

#[derive(BlinkPut)]
enum Tree {
    Leaf,
    #[blink(skip)]
    Node(Box<Tree>),
}

fn main() {}
