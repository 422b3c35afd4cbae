use blink_alloc::blink_scope;

fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
    let n = blink_scope!(|frame| {
        let copy = frame.copy_str(text);
        copy.trim().parse::<u32>()?
    });
    Ok(n)
}

fn main() {
    let _ = parse("1");
}
